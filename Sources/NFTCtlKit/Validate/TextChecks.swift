import NFTAnalysis

/// Strings a ruleset carries to the kernel and back to people: names, comments, log
/// prefixes, interface names and string values. What nft syntax cannot write (a control
/// character, a `"` inside quotes, a name that is not an nft identifier) or the kernel
/// cannot hold (over-long comments abort libnftables 1.0.6's JSON path; an over-long log
/// prefix smashes its stack) is an error at the user's line, before anything runs.
enum TextLimits {
    /// `NFT_NAME_MAXLEN` (256) with its terminating NUL.
    static let name = 255
    /// nft 1.0.6 refuses longer comments (`NFTNL_UDATA_COMMENT_MAXLEN`) on every object.
    static let comment = 128
    /// `NF_LOG_PREFIXLEN` (128) with its NUL.
    static let logPrefix = 127
    /// `IFNAMSIZ` (16) with its NUL.
    static let interface = 15
    /// Meta keys whose value is an interface name.
    static let interfaceKeys: Set<String> = ["iifname", "oifname", "ibrname", "obrname", "ibriport", "obriport"]

    /// True when `s` is printable ASCII without `"`, at most `limit` bytes: no problem to
    /// report, known from one pass over the bytes (most strings of a large ruleset).
    static func isPlain(_ s: String, limit: Int) -> Bool {
        var n = 0
        for b in s.utf8 {
            guard b >= 0x20, b < 0x7F, b != UInt8(ascii: "\"") else { return false }
            n += 1
        }
        return n <= limit
    }

    /// Why `s` cannot be a name, or nil.
    static func nameProblem(_ s: String) -> String? {
        if !s.isEmpty, SafeText.isIdentifier(s), s.utf8.count <= name { return nil }
        if s.isEmpty { return "a name cannot be empty" }
        if let u = s.unicodeScalars.first(where: SafeText.isUnsafe) {
            return "the name holds a control character (\(SafeText.escape(String(u))))"
        }
        if s.utf8.count > name { return "the name is \(s.utf8.count) bytes long; the kernel allows \(name)" }
        if !SafeText.isIdentifier(s) {
            return "\(SafeText.quoted(s)) is not a name nft can write: letters, digits and _ . / - only, starting with a letter, _ or ."
        }
        return nil
    }

    /// Why `s` cannot be a quoted string of at most `limit` bytes (`what` names it), or nil.
    static func stringProblem(_ s: String, _ what: String, limit: Int?) -> String? {
        if isPlain(s, limit: limit ?? Int.max) { return nil }
        if let u = s.unicodeScalars.first(where: SafeText.isUnsafe) {
            return "the \(what) \(SafeText.quoted(s)) holds a control character (\(SafeText.escape(String(u))))"
        }
        if s.contains("\"") { return "the \(what) \(SafeText.quoted(s)) holds a \", which nft syntax cannot quote" }
        if let limit, s.utf8.count > limit {
            return "the \(what) is \(s.utf8.count) bytes long; at most \(limit) are allowed"
        }
        return nil
    }
}

extension TableValidator {
    func checkText() -> [Diagnostic] {
        var out: [Diagnostic] = []
        func check(_ problem: String?, _ object: String, _ loc: SourceLocation?) {
            if let problem { out.append(Diagnostic(.error, problem, object: object, at: loc)) }
        }
        func comment(_ c: String?, _ object: String, _ loc: SourceLocation?) {
            if let c { check(TextLimits.stringProblem(c, "comment", limit: TextLimits.comment), object, loc) }
        }
        func devices(_ d: FlagList?, _ object: String, _ loc: SourceLocation?) {
            for dev in d?.values ?? [] {
                check(
                    dev.isEmpty
                        ? "an interface name cannot be empty"
                        : TextLimits.stringProblem(dev, "interface name", limit: TextLimits.interface), object, loc)
            }
        }
        let t = table.table
        let tableRef = "\(SafeText.escape(family)) \(SafeText.name(t.value.name))"
        let tableObj = "table \(tableRef)"
        check(TextLimits.nameProblem(t.value.name), tableObj, t.location)
        comment(t.value.comment, tableObj, t.location)
        for lc in table.chains {
            let obj = "chain \(tableRef) \(SafeText.name(lc.value.name))"
            check(TextLimits.nameProblem(lc.value.name), obj, lc.location)
            comment(lc.value.comment, obj, lc.location)
            devices(lc.value.dev, obj, lc.location)
        }
        for ls in table.sets {
            let s = ls.value
            let obj = "\(s.isMap ? "map" : "set") \(tableRef) \(SafeText.name(s.name))"
            check(TextLimits.nameProblem(s.name), obj, ls.location)
            comment(s.comment, obj, ls.location)
            let ifnames = s.type == .named("ifname")
            for e in s.elements { values(e, { obj }, ls.location, interface: ifnames, into: &out) }
        }
        for lo in table.objects {
            let o = lo.value
            let obj = "\(o.body.kind.rawValue) \(tableRef) \(SafeText.name(o.name))"
            check(TextLimits.nameProblem(o.name), obj, lo.location)
            comment(o.comment, obj, lo.location)
            switch o.body {
            case .ctHelper(let type, _, _):
                check(type.flatMap { TextLimits.stringProblem($0, "helper type", limit: nil) }, obj, lo.location)
            case .secmark(let ctx): check(ctx.flatMap { TextLimits.stringProblem($0, "security context", limit: nil) }, obj, lo.location)
            default: break
            }
        }
        for lf in table.flowtables {
            let obj = "flowtable \(tableRef) \(SafeText.name(lf.value.name))"
            check(TextLimits.nameProblem(lf.value.name), obj, lf.location)
            devices(lf.value.dev, obj, lf.location)
        }
        for (i, lr) in table.rules.enumerated() {
            let r = lr.value
            // Built only for a diagnostic: most rules have none.
            func obj() -> String { "rule \(ordinals[i]) of chain \(tableRef) \(SafeText.name(r.chain))" }
            if let c = r.comment, let problem = TextLimits.stringProblem(c, "comment", limit: TextLimits.comment) {
                out.append(Diagnostic(.error, problem, object: obj(), at: lr.location))
            }
            for s in r.statements { statementText(s, obj, lr.location, into: &out) }
        }
        return out
    }

    /// Log prefixes and string values of one statement and the statements nested in it.
    func statementText(_ s: Statement, _ obj: () -> String, _ loc: SourceLocation?, into out: inout [Diagnostic]) {
        if case .log(let l) = s, let p = l.prefix,
            let problem = TextLimits.stringProblem(p, "log prefix", limit: TextLimits.logPrefix)
        {
            out.append(Diagnostic(.error, problem, object: obj(), at: loc))
        }
        var interface = false
        if case .match(.meta(let key), _, _) = s { interface = TextLimits.interfaceKeys.contains(key) }
        s.forEachDirectExpression { values($0, obj, loc, interface: interface, into: &out) }
        s.forEachNestedStatement { statementText($0, obj, loc, into: &out) }
    }

    /// String values and element comments anywhere in `e`; interface names are length-checked.
    func values(_ e: Expression, _ obj: () -> String, _ loc: SourceLocation?, interface: Bool, into out: inout [Diagnostic]) {
        e.forEach { sub in
            var problem: String?
            switch sub {
            case .string(let v):
                problem =
                    interface && !v.hasPrefix("@")
                    ? TextLimits.stringProblem(v, "interface name", limit: TextLimits.interface)
                    : TextLimits.stringProblem(v, "string", limit: nil)
            case .elem(let el):
                problem = el.comment.flatMap { TextLimits.stringProblem($0, "comment", limit: TextLimits.comment) }
            default: break
            }
            if let problem { out.append(Diagnostic(.error, problem, object: obj(), at: loc)) }
        }
    }
}
