import NFTAnalysis

/// A libnftables JSON batch as nft syntax, one command per line, for
/// `nft_run_cmd_from_buffer`: one buffer is one transaction, like the JSON batch.
///
/// 1.0.6's JSON input drops or changes what its text input keeps (table flags and
/// comments, `typeof`, `dynamic`, `auto-merge`, millisecond timeouts, element counters;
/// statements it lists only as text such as anonymous chains and `update @map { k : v }`),
/// so the text path is the one that carries the model exactly (kube-proxy's knftables made
/// the same choice). Declarations are printed by the project's nft printer (whose listing
/// equals nft's own) and folded onto one line; rules by the rule printer.
///
/// Text is only ever built from values that cannot change its meaning: names must be
/// identifiers, and no string may hold a quote or a control character, since nft syntax
/// has no way to escape them (nor needs to escape a backslash: its strings have no escapes). Anything else makes `render` throw, and the caller
/// sends JSON or refuses; nothing is ever spliced.
public struct TextBatch: Sendable {
    /// The buffer: line `i + 1` is the command of entry `lines[i]`.
    public var text: String
    /// Per buffer line (0-based), the index of the batch entry it came from.
    public var lines: [Int]

    /// Why an entry cannot be written as nft syntax.
    public struct Unsafe: Sendable, DiagnosticError {
        public var entry: Int
        public var reason: String
        public var diagnostics: [Diagnostic] { [.error(reason)] }
    }

    /// The batch entry a libnftables text error points at (`<cmdline>:LINE:COL: Error: ...`),
    /// nil when the error names no line.
    public func entry(forError message: String) -> Int? {
        for raw in message.split(separator: "\n") {
            let parts = raw.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let line = Int(parts[1]), line >= 1, line <= lines.count else { continue }
            return lines[line - 1]
        }
        return nil
    }

    /// `sets`: declarations of the sets elements are added to or deleted from (for the
    /// value types their elements print with); sets added by the batch itself are known.
    public static func render(_ batch: Document, sets: [NamedSet] = []) throws(Unsafe) -> TextBatch {
        var known: [String: NamedSet] = [:]
        for s in sets { known[setKey(s.family, s.table, s.name)] = s }
        // The batch's own declarations of tables, for objects added inside a table block.
        var tables: [String: Table] = [:]
        var out = "", lines: [Int] = []
        let entries = batch.entries
        var next = 0
        while next < entries.count {
            // A run of rules, written as one: rules read the sets and tables declared before
            // them and declare none. A long one on two threads (10k rules take ~70 ms on one).
            var end = next
            while end < entries.count, case .command(let c) = entries[end], case .rule = c.item { end += 1 }
            if end > next {
                let run = entries[next..<end]
                let written =
                    end - next >= twoThreadRun ? try rules(run, sets: known, tables: tables) : try write(run, sets: known, tables: tables)
                for (k, line) in written.enumerated() {
                    out += line + "\n"
                    lines.append(next + k)
                }
                next = end
                continue
            }
            let i = next, entry = entries[i]
            next += 1
            guard case .command(let c) = entry else {
                throw Unsafe(entry: i, reason: "not a command: \(entry.json.serialized())")
            }
            if case .set(let s) = c.item { known[setKey(s.family, s.table, s.name)] = s }
            if c.verb == .add || c.verb == .create, case .table(let t) = c.item { tables[setKey(t.family, t.name, "")] = t }
            let line: String
            do throws(Unsafe) { line = try command(c, sets: known, tables: tables) } catch {
                throw Unsafe(entry: i, reason: error.reason)
            }
            out += line + "\n"
            lines.append(i)
        }
        return TextBatch(text: out, lines: lines)
    }

    /// From this many rules in a row, `render` writes them on two threads.
    static let twoThreadRun = 2048

    /// The rule commands `run` (entries of a batch, by their index), each as `command`
    /// writes it: the second half on a thread of its own. The first entry that cannot be
    /// written is the one named, as one thread would find it.
    static func rules(_ run: ArraySlice<Document.Entry>, sets: [String: NamedSet], tables: [String: Table]) throws(Unsafe) -> [String] {
        let middle = run.startIndex + run.count / 2
        let second = run[middle...]
        let other = Concurrently { () throws -> [String] in try write(second, sets: sets, tables: tables) }
        let first: [String]
        do throws(Unsafe) { first = try write(run[..<middle], sets: sets, tables: tables) } catch {
            _ = try? other.wait()
            throw error
        }
        do { return first + (try other.wait()) } catch { throw (error as? Unsafe) ?? Unsafe(entry: middle, reason: "\(error)") }
    }

    /// The commands `part` (entries of a batch, by their index), one after another.
    static func write(_ part: ArraySlice<Document.Entry>, sets: [String: NamedSet], tables: [String: Table]) throws(Unsafe) -> [String] {
        var out: [String] = []
        out.reserveCapacity(part.count)
        for i in part.indices {
            guard case .command(let c) = part[i] else { throw Unsafe(entry: i, reason: "not a command") }
            do throws(Unsafe) { out.append(try command(c, sets: sets, tables: tables)) } catch {
                throw Unsafe(entry: i, reason: error.reason)
            }
        }
        return out
    }

    static func setKey(_ f: String, _ t: String, _ n: String) -> String { f + " " + t + " " + n }

    static func command(_ c: Command, sets: [String: NamedSet], tables: [String: Table] = [:]) throws(Unsafe) -> String {
        try checkStrings(c.item)
        let declares = c.verb == .add || c.verb == .create
        let verb: String
        switch c.verb {
        case .add: verb = "add"
        case .delete: verb = "delete"
        case .insert: verb = "insert"
        case .replace: verb = "replace"
        case .flush: verb = "flush"
        case .create: verb = "create"
        default: throw Unsafe(entry: 0, reason: "command \(c.verb) is not sent as text")
        }
        switch c.item {
        case .table(let t):
            let head = "\(verb) table \(try family(t.family)) \(try name(t.name))"
            return declares ? head + declaration(.table(t)) : head
        case .chain(let ch):
            let head = "\(verb) chain \(try family(ch.family)) \(try name(ch.table)) \(try name(ch.name))"
            guard declares else { return head }
            var bare = ch
            bare.handle = nil
            return head + declaration(.chain(bare))
        case .set(let s):
            let head = "\(verb) \(s.isMap ? "map" : "set") \(try family(s.family)) \(try name(s.table)) \(try name(s.name))"
            guard declares else { return head }
            var bare = s
            bare.handle = nil
            return head + declaration(.set(bare))
        case .object(let kind, let o):
            var bare = o
            bare.handle = nil
            if reserved(in: kind).contains(o.table), !reserved(in: kind).contains(o.name), c.verb == .add,
                let table = tables[setKey(o.family, o.table, "")]
            {
                return try objectInTableBlock(kind, bare, table: table)
            }
            for n in [o.table, o.name] where reserved(in: kind).contains(n) {
                throw Unsafe(entry: 0, reason: "the name \(SafeText.quoted(n)) is a keyword in a \(kind.rawValue) command")
            }
            let head = "\(verb) \(kind.rawValue) \(try family(o.family)) \(try name(o.table)) \(try name(o.name))"
            guard declares else { return head }
            return head + declaration(.object(kind: kind, bare))
        case .flowtable(let f):
            let head = "\(verb) flowtable \(try family(f.family)) \(try name(f.table)) \(try name(f.name))"
            guard declares else { return head }
            var bare = f
            bare.handle = nil
            return head + declaration(.flowtable(bare))
        case .element(let e):
            let head = "\(verb) element \(try family(e.family)) \(try name(e.table)) \(try name(e.name)) "
            var decl =
                sets[setKey(e.family, e.table, e.name)]
                ?? NamedSet(isMap: false, family: e.family, table: e.table, name: e.name)
            decl.handle = nil
            decl.elem = .list(elements(e.elem))
            guard let elems = elementsText(decl) else { throw Unsafe(entry: 0, reason: "no elements") }
            return head + elems
        case .rule(let r):
            var head = "\(verb) rule \(try family(r.family)) \(try name(r.table)) \(try name(r.chain))"
            switch c.verb {
            case .delete:
                guard let h = r.handle else { throw Unsafe(entry: 0, reason: "a rule to delete needs its handle") }
                return head + " handle \(h)"
            case .replace:
                guard let h = r.handle else { throw Unsafe(entry: 0, reason: "a rule to replace needs its handle") }
                head += " handle \(h)"
            case .insert, .add:
                if let h = r.handle { head += " position \(h)" }
                if r.index != nil { throw Unsafe(entry: 0, reason: "a rule index is not sent as text") }
            default: break
            }
            return head + " " + (try ruleText(r))
        default:
            throw Unsafe(entry: 0, reason: "\(c.item.kindName) is not sent as text")
        }
    }

    /// An object whose table's name is a keyword after its kind (`add ct helper inet helpers
    /// h` is a syntax error, as nft's scanner reads `helpers` as a keyword there) is added
    /// inside a block of its table, which names the table before the kind:
    /// `table inet helpers { ct helper h { … }; }`. A table block declares the table again,
    /// and one without flags clears them (`dormant`), so it repeats the batch's own
    /// declaration of the table; without one in the batch the command goes as JSON.
    static func objectInTableBlock(_ kind: ObjectKind, _ o: NamedObject, table: Table) throws(Unsafe) -> String {
        var inner = declaration(.table(table))
        if inner.hasPrefix(" { ") && inner.hasSuffix("; }") {
            inner = String(inner.dropFirst(3).dropLast(3)) + "; "
        } else {
            inner = ""
        }
        return "table \(try family(o.family)) \(try name(o.table)) { \(inner)\(kind.rawValue) \(try name(o.name))"
            + declaration(.object(kind: kind, o)) + "; }"
    }

    static func elements(_ e: Expression) -> [Expression] {
        switch e {
        case .list(let l), .set(let l, _): return l
        default: return [e]
        }
    }

    /// `{ e1, e2 }` as the set printer writes them, from the `elements = ...` of the set's block
    /// (a map's as `key : value`, each in the set's types).
    static func elementsText(_ s: NamedSet, context: PrintContext = .init()) -> String? {
        // Without the set's comment, which is printed before the elements and could hold the words looked for.
        var s = s
        s.comment = nil
        let block = nftListing([.set(s)], context: context)
        guard let r = block.range(of: "elements = ") else { return nil }
        var body = String(block[r.upperBound...])
        // Drop the set's and the table's closing braces.
        for _ in 0..<2 {
            if let close = body.range(of: "}", options: .backwards) { body = String(body[..<close.lowerBound]) }
        }
        return fold(body.split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty })
    }

    /// One object's block as nft lists it (` { ... }`, on one line), "" when it has no body.
    static func declaration(_ item: RulesetItem) -> String {
        let listing = nftListing([item]).split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        // table F N { [flags/comment] [KIND NAME { body }] }
        guard listing.count >= 2 else { return "" }
        var inner = Array(listing.dropFirst().dropLast())
        if case .table = item {
            return inner.isEmpty ? "" : " { " + fold(inner) + "; }"
        }
        guard let first = inner.first, first.hasSuffix("{"), inner.last == "}" else { return "" }
        inner = Array(inner.dropFirst().dropLast())
        return inner.isEmpty ? " { }" : " { " + fold(inner) + (inner.last?.hasSuffix(";") == true ? " }" : "; }")
    }

    /// Lines of a listing block joined into one: after `{`, `,` or `;` a space, else `; `.
    static func fold(_ lines: [String]) -> String {
        var out = ""
        for l in lines {
            if !out.isEmpty { out += (out.hasSuffix("{") || out.hasSuffix(",") || out.hasSuffix(";")) ? " " : "; " }
            out += l
        }
        return out
    }

    static func ruleText(_ r: Rule) throws(Unsafe) -> String {
        // nft's own listing of `tproxy to` a computed address or port leaves the
        // expression out (so does the printer, which follows it): such rules go as JSON.
        for s in r.statements {
            if case .tproxy(_, let addr, let port) = s, !(addr.map(isLiteral) ?? true) || !(port.map(isLiteral) ?? true) {
                throw Unsafe(entry: 0, reason: "tproxy to a computed address or port has no faithful nft text")
            }
        }
        // A map key 1.0.6 lists as the raw load of a bitfield, which it cannot read back.
        var rule = ShiftedBitfieldKeys.repair(r)
        // Statements nft lists as text (anonymous chains, map updates) are nft's own syntax:
        // folded onto one line, and only when nothing in them could end the command early.
        rule.expr = try rule.statements.map { (s: Statement) throws(Unsafe) -> Statement in
            guard case .text(let t) = s else { return s }
            return .text(try foldedStatement(t))
        }
        return rule.nftText(context: PrintContext(family: r.family, forLoading: true))
    }

    /// A statement nft listed as text, on one line. Outside quotes it may not hold a
    /// comment sign, a backslash, or a `;` outside braces; quotes must pair up (nft strings
    /// have no escapes) and nothing in them may be a control character.
    static func foldedStatement(_ t: String) throws(Unsafe) -> String {
        var depth = 0, quoted = false
        for u in t.unicodeScalars {
            if quoted {
                if u == "\"" {
                    quoted = false
                } else if isUnprintable(u) {
                    throw Unsafe(entry: 0, reason: "statement \(SafeText.quoted(t)) holds a control character in a string")
                }
                continue
            }
            switch u {
            case "\"": quoted = true
            case "{": depth += 1
            case "}": depth -= 1
            case ";" where depth <= 0, "#", "\\":
                throw Unsafe(entry: 0, reason: "statement \(SafeText.quoted(t)) cannot be written as nft syntax safely")
            case "\n", "\t": break
            default:
                if isUnprintable(u) {
                    throw Unsafe(entry: 0, reason: "statement \(SafeText.quoted(t)) holds a control character")
                }
            }
            if depth < 0 { throw Unsafe(entry: 0, reason: "statement \(SafeText.quoted(t)) has unbalanced braces") }
        }
        guard depth == 0, !quoted else { throw Unsafe(entry: 0, reason: "statement \(SafeText.quoted(t)) has unbalanced braces or quotes") }
        return fold(t.split(separator: "\n").map { $0.trimmingCharacters() }.filter { !$0.isEmpty })
    }

    static func isLiteral(_ e: NFTModel.Expression) -> Bool {
        switch e {
        case .string, .number, .unsigned: return true
        default: return false
        }
    }

    static func family(_ f: String) throws(Unsafe) -> String {
        guard Family(rawValue: f) != nil else { throw Unsafe(entry: 0, reason: "unknown family \(SafeText.quoted(f))") }
        return f
    }

    /// Table, chain, set and object names: nft syntax takes them only as identifiers.
    static func name(_ n: String) throws(Unsafe) -> String {
        guard isSafeName(n) else {
            throw Unsafe(entry: 0, reason: "the name \(SafeText.quoted(n)) is not an nft identifier")
        }
        return n
    }

    /// Words nft's scanner reads as keywords once a `list` or `reset` command has begun
    /// (1.0.6 `scanner.l`: `SCANSTATE_CMD_LIST`, `SCANSTATE_CMD_RESET`), where nftctl lists a
    /// table or chain by name: `table ip counters { … }` loads, `list sets table ip counters`
    /// is a syntax error. Such tables are listed whole (`isListableName`).
    static let reservedInLists: Set<String> = [
        "chains", "counters", "flowtables", "hooks", "limits", "maps", "meters", "quotas", "secmarks", "sets", "synproxys",
        "tables"
    ]

    /// Words read as keywords after the word that begins an object command, per kind (its
    /// scanner state in 1.0.6), where the table and the object are named: `add ct helper inet
    /// helpers h1` is a syntax error. An object added to such a table goes inside a block of
    /// it (`objectInTableBlock`) where the batch declares the table; anything else as JSON.
    static func reserved(in kind: ObjectKind) -> Set<String> {
        switch kind {
        case .counter: return ["bytes", "name", "packets"]
        case .quota: return ["bytes", "name", "over", "until", "used"]
        case .limit: return ["burst", "bytes", "minute", "name", "over", "packets", "rate", "second", "week"]
        case .synproxy: return ["maxseg", "mss", "name", "sack-perm", "sack-permitted", "timestamp", "wscale"]
        case .secmark: return []
        case .ctHelper, .ctTimeout, .ctExpectation:
            return [
                "avgpkt", "bytes", "count", "daddr", "direction", "dport", "event", "expectation", "expiration", "helper", "helpers",
                "id", "l3proto", "label", "original", "over", "packets", "proto-dst", "proto-src", "protocol", "reply", "saddr",
                "state", "status", "zone"
            ]
        }
    }

    /// A name nftctl may write in a `list` command (and, for an object of `kind`, after its kind).
    static func isListableName(_ n: String, kind: ObjectKind? = nil) -> Bool {
        isSafeName(n) && !reservedInLists.contains(n) && !(kind.map { reserved(in: $0).contains(n) } ?? false)
    }

    static func isSafeName(_ n: String) -> Bool { ListingRepair.isIdentifier(n) }

    /// Every string of the item (names, comments, devices, values): none may contain what
    /// nft syntax cannot quote. Statements kept as text are checked by `foldedStatement`.
    static func checkStrings(_ item: RulesetItem) throws(Unsafe) {
        if let raw = rawPart(item) {
            throw Unsafe(entry: 0, reason: "\(raw) is kept only in its raw form and has no nft syntax")
        }
        let json: JSON
        if case .rule(var r) = item {
            r.expr = r.statements.filter {
                if case .text = $0 { return false }; return true
            }
            json = RulesetItem.rule(r).json
        } else {
            json = item.json
        }
        if let bad = firstUnsafeString(json) {
            throw Unsafe(entry: 0, reason: "the string \(SafeText.quoted(bad)) cannot be quoted in nft syntax")
        }
        // Jump targets and set references are printed bare: they must be identifiers too.
        if case .rule(let r) = item {
            for s in r.statements {
                var bad: String?
                s.forEachExpression { e in
                    if case .verdict(.jump(let t)) = e, !ListingRepair.isIdentifier(t) { bad = t }
                    if case .verdict(.goto(let t)) = e, !ListingRepair.isIdentifier(t) { bad = t }
                    if let ref = e.setReference, !ListingRepair.isIdentifier(ref.name) { bad = ref.description }
                }
                if case .verdict(.jump(let t)) = s, !ListingRepair.isIdentifier(t) { bad = t }
                if case .verdict(.goto(let t)) = s, !ListingRepair.isIdentifier(t) { bad = t }
                if let bad { throw Unsafe(entry: 0, reason: "the name \(SafeText.quoted(bad)) is not an nft identifier") }
            }
        }
    }

    /// A statement or expression the model kept raw (unknown shape, or a marker of
    /// something it cannot hold), as JSON text.
    static func rawPart(_ item: RulesetItem) -> String? {
        var found: String?
        func stmt(_ s: Statement) {
            if case .raw(let j) = s { found = found ?? j.serialized(); return }
            s.forEachExpression { e in e.forEach { if case .raw(let j) = $0 { found = found ?? j.serialized() } } }
            for n in s.nestedStatements { stmt(n) }
        }
        switch item {
        case .rule(let r): r.statements.forEach(stmt)
        case .set(let s):
            (s.stmt ?? []).forEach(stmt)
            s.elem?.forEach { if case .raw(let j) = $0 { found = found ?? j.serialized() } }
        case .element(let e): e.elem.forEach { if case .raw(let j) = $0 { found = found ?? j.serialized() } }
        case .raw(let j): found = j.serialized()
        default: break
        }
        return found
    }

    /// What never goes raw into text: the scalars `SafeText` escapes on output (C0 and C1
    /// controls, DEL, line and paragraph separators, bidirectional formatting characters).
    static func isUnprintable(_ u: Unicode.Scalar) -> Bool { SafeText.isUnsafe(u) }

    static func firstUnsafeString(_ j: JSON) -> String? {
        switch j {
        case .string(let s): return isSafe(s) ? nil : s
        case .array(let a):
            for x in a { if let b = firstUnsafeString(x) { return b } }
        case .object(let o):
            for (k, v) in o {
                if !isSafe(k) { return k }
                if let b = firstUnsafeString(v) { return b }
            }
        default: break
        }
        return nil
    }

    /// True when `s` can stand between quotes in nft syntax: nft's scanner takes everything
    /// up to the next quote, with no escapes (a backslash is itself: measured, `comment "a\b"`
    /// and `"end\"` list back as written), so only a quote or a control character cannot.
    /// Printable ASCII without a quote (nearly every string) is decided on its bytes; the
    /// rest scalar by scalar.
    static func isSafe(_ s: String) -> Bool {
        var ascii = true
        for b in s.utf8 where b < 0x20 || b >= 0x7F || b == UInt8(ascii: "\"") {
            ascii = false
            break
        }
        return ascii || !s.unicodeScalars.contains { $0 == "\"" || isUnprintable($0) }
    }
}
