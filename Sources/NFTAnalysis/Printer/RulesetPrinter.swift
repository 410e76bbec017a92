/// A whole listing, the way `nft list ruleset` prints it, from the flat item list that
/// `nft -j list ruleset` gives: items are grouped by family and table, and each table
/// prints its objects, sets and maps, flowtables, then chains with their rules, blocks
/// separated by blank lines. Items whose table is not listed get a table of their own.
public func nftListing(_ items: [RulesetItem], context: PrintContext = .init()) -> String {
    var tables: [TableListing] = []
    var index: [String: Int] = [:]
    func entry(_ family: String, _ name: String) -> Int {
        let key = family + " " + name
        if let i = index[key] { return i }
        tables.append(TableListing(table: Table(family: family, name: name)))
        index[key] = tables.count - 1
        return tables.count - 1
    }
    for item in items {
        switch item {
        case .table(let t): tables[entry(t.family, t.name)].table = t
        case .chain(let c): tables[entry(c.family, c.table)].chains.append(c)
        case .rule(let r): tables[entry(r.family, r.table)].rules[r.chain, default: []].append(r)
        case .set(let s): tables[entry(s.family, s.table)].sets.append(s)
        case .element(let e):
            let elems: [Expression]
            if case .set(let l, _) = e.elem { elems = l } else if case .list(let l) = e.elem { elems = l } else { elems = [e.elem] }
            tables[entry(e.family, e.table)].elements[e.name, default: []] += elems
        case .flowtable(let f): tables[entry(f.family, f.table)].flowtables.append(f)
        case .object(let kind, let o): tables[entry(o.family, o.table)].objects.append((kind, o))
        case .metainfo, .selector, .raw: continue
        }
    }
    // Strings were escaped where printed; this keeps any other control character out too.
    return SafeText.escape(
        tables.map { ListingPrinter(context: context.with(family: $0.table.family)).table($0) }.joined(),
        keepingLayout: true)
}

/// One table's items, collected from the flat list.
struct TableListing {
    var table: Table
    var objects: [(ObjectKind, NamedObject)] = []
    var sets: [NamedSet] = []
    var elements: [String: [Expression]] = [:]
    var flowtables: [Flowtable] = []
    var chains: [Chain] = []
    var rules: [String: [Rule]] = [:]
}

struct ListingPrinter {
    let context: PrintContext
    var family: String { context.family ?? "" }

    func handle(_ h: Int64?) -> String {
        guard context.handles, let h else { return "" }
        return " # handle \(h)"
    }

    func table(_ t: TableListing) -> String {
        var out = "table " + SafeText.escape(t.table.family) + " " + SafeText.name(t.table.name) + " {" + handle(t.table.handle) + "\n"
        // nft separates blocks with a blank line, and puts one after table flags (not after a comment).
        var delim = ""
        let flags = (t.table.flags?.values ?? []).filter(Table.knownFlags.contains)
        if !flags.isEmpty {
            out += "\tflags " + flags.joined(separator: ",") + "\n"
            delim = "\n"
        }
        if let c = t.table.comment { out += "\tcomment " + ValueFormat.quote(c) + "\n" }
        var blocks: [String] = t.objects.map { object($0.0, $0.1) }
        blocks += t.sets.map { set($0, extraElements: t.elements[$0.name] ?? []) }
        blocks += t.flowtables.map(flowtable)
        // Chains that only appear through their rules still print.
        var chains = t.chains
        for name in t.rules.keys.sorted() where !chains.contains(where: { $0.name == name }) {
            chains.append(Chain(family: t.table.family, table: t.table.name, name: name))
        }
        blocks += chains.map { chain($0, rules: t.rules[$0.name] ?? []) }
        for b in blocks {
            out += delim + b
            delim = "\n"
        }
        return out + "}\n"
    }

    func chain(_ c: Chain, rules: [Rule]) -> String {
        var out = "\tchain " + SafeText.name(c.name) + " {" + handle(c.handle)
        if let comment = c.comment { out += "\n\t\tcomment " + ValueFormat.quote(comment) }
        out += "\n"
        if let hook = c.hook {
            out += "\t\ttype " + (c.type ?? "filter") + " hook " + hook
            let devs = c.dev?.values ?? []
            if devs.count == 1 { out += " device " + ValueFormat.quote(devs[0]) }
            // nft quotes a single device and lists several bare; a name that is not a bare
            // nft string (`eth0`, `br-lan`) stays quoted, so the text never changes meaning.
            if devs.count > 1 { out += " devices = { " + devs.map(Self.bareDevice).joined(separator: ", ") + " }" }
            if let prio = c.prio { out += " priority " + ChainPriority.text(prio, family: family, hook: hook) + ";" }
            if let policy = c.policy { out += " policy " + policy + ";" }
            out += "\n"
        }
        for r in rules { out += "\t\t" + Self.unfolded(r.nftText(context: context), indent: "\t\t") + "\n" }
        return out + "\t}\n"
    }

    static func bareDevice(_ name: String) -> String {
        let b = Array(name.utf8)
        func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
        guard let first = b.first, letter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: "."),
            b.allSatisfy({ letter($0) || ($0 >= 48 && $0 <= 57) || "/-_.".utf8.contains($0) })
        else { return ValueFormat.quote(name) }
        return name
    }

    /// A rule whose anonymous chain is folded onto one line (`jump { a; b; }`, as plans,
    /// batches and imports carry it) as nft lists it: the chain's rules one a line, a tab
    /// deeper, and the closing brace on its own line. Quoted text is never split.
    static func unfolded(_ rule: String, indent: String) -> String {
        let b = Array(rule.utf8)
        var i = 0, quoted = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted, c == UInt8(ascii: "{"), i >= 5,
                ["jump ", "goto "].contains(String(decoding: b[(i - 5)..<i], as: UTF8.self)),
                i + 1 < b.count, b[i + 1] == UInt8(ascii: " ")
            {
                // The matching brace, and the body's statements split at `; ` outside quotes and braces.
                var depth = 0, q = false, j = i, items: [String] = [], start = i + 2
                while j < b.count {
                    let d = b[j]
                    if d == UInt8(ascii: "\"") { q.toggle() }
                    if !q {
                        if d == UInt8(ascii: "{") { depth += 1 }
                        if d == UInt8(ascii: "}") {
                            depth -= 1
                            if depth == 0 { break }
                        }
                        if depth == 1, d == UInt8(ascii: ";") {
                            items.append(String(decoding: b[start..<j], as: UTF8.self).trimmingSpaces())
                            start = j + 1
                        }
                    }
                    j += 1
                }
                guard j < b.count, !items.isEmpty else { return rule }
                let head = String(decoding: b[..<i], as: UTF8.self)
                let tail = String(decoding: b[(j + 1)...], as: UTF8.self)
                let inner = indent + "\t"
                let body = items.filter { !$0.isEmpty }.map { inner + unfolded($0, indent: inner) }.joined(separator: "\n")
                return head + "{\n" + body + "\n" + indent + "}" + tail
            }
            i += 1
        }
        return rule
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
