import Foundation
import NFTAnalysis

/// The declarations in nft's text listing (`nft list ruleset`): per table its flags and
/// comment, per chain its comment and devices, per set and map its declaration lines.
/// Rules and elements come from the JSON listing; of elements only the timeouts are read
/// here, since 1.0.6's JSON truncates them to whole seconds.
struct TextListing {
    struct TableDecl {
        var family: String
        var name: String
        var flags: [String] = []
        var comment: String?
        var chains: [ChainDecl] = []
        var sets: [SetDecl] = []
        var objects: [(kind: String, name: String)] = []
    }

    struct ChainDecl {
        var name: String
        var comment: String?
        var devices: [String]?
        /// Each rule as nft lists it, by handle (several lines for an anonymous chain).
        var rules: [Int64: String] = [:]
    }

    struct SetDecl {
        var name: String
        var isMap: Bool
        var lines: [String] = []

        /// The text's `typeof`, flags, `auto-merge` and comment over the JSON's.
        func apply(to s: inout NamedSet) {
            var flags: [String] = []
            var autoMerge = false
            var comment: String?
            for l in lines {
                if l.hasPrefix("typeof "), let key = TypeofParser.key(String(l.dropFirst(7)), isMap: isMap) {
                    s.type = key.key
                    if isMap { s.map = key.data }
                } else if isMap, l.hasPrefix("type "), let r = l.range(of: " : interval ") {
                    // Ranges as data (`type ipv4_addr : interval ipv4_addr`, NAT to address
                    // ranges): the JSON lists the bare datatype, which refuses those elements.
                    s.map = .named(String(l[l.index(r.lowerBound, offsetBy: 3)...]))
                } else if l.hasPrefix("flags ") {
                    flags = l.dropFirst(6).split(separator: ",").map { $0.trimmingCharacters() }
                } else if l == "auto-merge" {
                    autoMerge = true
                } else if l.hasPrefix("comment ") {
                    comment = ListingRepair.unquoted(String(l.dropFirst(8)))
                } else if l.hasPrefix("timeout "), let t = TimeSpan(nftText: String(l.dropFirst(8))) {
                    s.timeout = t
                } else if l.hasPrefix("gc-interval "), let t = TimeSpan(nftText: String(l.dropFirst(12))) {
                    s.gcInterval = t
                } else if l.hasPrefix("elements = {") {
                    Self.elementTimes(l, into: &s)
                }
            }
            // A default timeout implies the timeout flag, which the text then leaves out.
            if (s.timeout ?? 0) > 0, !flags.contains("timeout"), s.flags?.values.contains("timeout") == true { flags.append("timeout") }
            if !flags.isEmpty || s.flags != nil {
                let old = s.flags?.values ?? []
                s.flags = FlagList(old + flags.filter { !old.contains($0) })
            }
            s.autoMerge = autoMerge ? true : s.autoMerge
            if let comment { s.comment = comment }
        }

        /// Whether `s`'s elements (as the JSON listed them) need their text: 1.0.6's JSON
        /// truncates element timeouts to whole seconds and lists only an element's first
        /// statement, and loses `dynamic` (a set the packet path fills, with statements the
        /// set may not declare). Any other element says in JSON all its text would.
        func needsElements(_ s: NamedSet) -> Bool {
            let flagged = lines.contains { l in
                l.hasPrefix("flags ")
                    && l.dropFirst(6).split(separator: ",").contains { ["timeout", "dynamic"].contains($0.trimmingCharacters()) }
            }
            if flagged || s.timeout != nil || !(s.stmt ?? []).isEmpty || s.flags?.values.contains("timeout") == true { return true }
            return s.elements.contains { e in
                let key: NFTModel.Expression
                if case .list(let pair) = e, pair.count == 2 { key = pair[0] } else { key = e }
                guard case .elem(let el) = key else { return false }
                return el.timeout != nil || el.expires != nil || !el.statements.isEmpty
            }
        }

        /// Each element's `timeout` and `expires` from the text, in the JSON's order. Taken
        /// only when the text lists as many elements as the JSON and every timeout agrees
        /// with the JSON's whole seconds (so a reordering cannot move a value).
        static func elementTimes(_ line: String, into s: inout NamedSet) {
            let texts = TextListing.topLevelItems(line.dropFirst("elements = {".count).dropLast())
            var elems = s.elements
            guard texts.count == elems.count else { return }
            for (i, text) in texts.enumerated() {
                // A map's element is `[elem, data]`; its key carries the times.
                var pair: [NFTModel.Expression] = []
                var el: SetElement
                if case .elem(let e) = elems[i] {
                    el = e
                } else if case .list(let l) = elems[i], l.count == 2, case .elem(let e) = l[0] {
                    el = e; pair = l
                } else if !(s.stmt ?? []).isEmpty {
                    // A bare value: the JSON left out even the element's first statement.
                    if case .list(let l) = elems[i], l.count == 2 {
                        el = SetElement(val: l[0]); pair = l
                    } else {
                        el = SetElement(val: elems[i])
                    }
                } else {
                    continue
                }
                let words = TextListing.unquotedWords(text)
                missingStatements(&el, words: words, declared: s.stmt ?? [])
                func time(_ key: String) -> TimeSpan? {
                    guard let k = words.firstIndex(of: key), k + 1 < words.count else { return nil }
                    return TimeSpan(nftText: words[k + 1])
                }
                if let json = el.timeout {
                    guard let t = time("timeout"), t.milliseconds / 1000 == json.milliseconds / 1000 else { return }
                    el.timeout = t
                }
                // Expiry counts down between the two listings: taken as the text says.
                if el.expires != nil, let x = time("expires") { el.expires = x }
                if pair.isEmpty { elems[i] = .elem(el) } else { pair[0] = .elem(el); elems[i] = .list(pair) }
            }
            s.elem = .list(elems)
        }
        /// The statements the set declares for every element that the JSON listing left out of
        /// this one: 1.0.6's JSON lists only an element's first statement (`limit rate 1/second
        /// counter` comes back as the limit alone, and is then refused as a set of two
        /// statements with an element of one). Taken from the declaration, in its order; a
        /// counter with the packets and bytes the text gives. Left as it is when the JSON's
        /// statements are not the declaration's first ones.
        /// A set that declares none: a counter the text shows and the JSON lacks is put back
        /// at its place among the element's statement keywords.
        static func missingStatements(_ el: inout SetElement, words: [String], declared: [Statement]) {
            func kind(_ st: Statement) -> String? { st.json.objectValue?.singleEntry?.key }
            var declared = declared
            if declared.isEmpty, let c = words.firstIndex(of: "counter"), c + 1 < words.count, words[c + 1] == "packets",
                !el.statements.contains(where: { kind($0) == "counter" })
            {
                let before = words[..<c].filter { ["limit", "quota", "last"].contains($0) }.count
                guard before <= el.statements.count else { return }
                declared = el.statements
                declared.insert(.counter(packets: 0, bytes: 0), at: before)
            }
            guard declared.count > el.statements.count else { return }
            var out: [Statement] = []
            var used = 0
            for d in declared {
                if used < el.statements.count, kind(el.statements[used]) == kind(d) {
                    out.append(el.statements[used]); used += 1
                } else if case .counter = d {
                    func count(_ key: String) -> UInt64? {
                        guard let c = words.firstIndex(of: "counter"), let k = words[c...].firstIndex(of: key), k + 1 < words.count else {
                            return nil
                        }
                        return UInt64(words[k + 1])
                    }
                    out.append(.counter(packets: count("packets") ?? 0, bytes: count("bytes") ?? 0))
                } else {
                    out.append(d)
                }
            }
            guard used == el.statements.count else { return }
            el.statements = out
        }
    }

    var tables: [TableDecl] = []

    /// What the 1-tab block being read is: a chain or set index, or nothing.
    enum Block {
        case none
        case chain(Int)
        case set(Int)
        case other
    }

    func table(_ family: String, _ name: String) -> TableDecl? {
        tables.first { $0.family == family && $0.name == name }
    }

    init(_ text: String) {
        var current: TableDecl?
        var block = Block.none
        // A rule being read: its lines so far and its brace balance.
        var pending: [Substring] = []
        var balance = 0
        for full in text.split(separator: "\n") {
            let (raw, handle) = Self.splitHandle(full)
            if !pending.isEmpty || (Self.depthOf(raw) == 2 && Self.isRuleLine(raw, block: block)) {
                pending.append(raw)
                balance += Self.braceBalance(raw)
                if balance <= 0 {
                    if case .chain(let i) = block, let handle {
                        var lines = pending.map(String.init)
                        lines[0] = String(lines[0].drop { $0 == "\t" })
                        current!.chains[i].rules[handle] = lines.joined(separator: "\n")
                    }
                    pending = []
                    balance = 0
                }
                continue
            }
            let depth = Self.depthOf(raw)
            let line = raw.trimmingCharacters()
            switch depth {
            case 0:
                if line.hasPrefix("table "), line.hasSuffix("{") {
                    if let t = current { add(t) }
                    let w = line.split(separator: " ")
                    current = w.count >= 3 ? TableDecl(family: String(w[1]), name: ListingRepair.unquoted(String(w[2]))) : nil
                    block = .none
                }
            case 1:
                guard current != nil else { continue }
                if line.hasSuffix("{") {
                    let words = line.dropLast().split(separator: " ").map(String.init)
                    guard let name = words.last.map(ListingRepair.unquoted), words.count >= 2 else { block = .other; continue }
                    let kind = words.dropLast().joined(separator: " ")
                    switch kind {
                    case "chain":
                        current!.chains.append(ChainDecl(name: name))
                        block = .chain(current!.chains.count - 1)
                    case "set", "map":
                        current!.sets.append(SetDecl(name: name, isMap: kind == "map"))
                        block = .set(current!.sets.count - 1)
                    default:
                        current!.objects.append((kind, name))
                        block = .other
                    }
                } else if line == "}" {
                    block = .none
                } else if line.hasPrefix("flags ") {
                    current!.flags = line.dropFirst(6).split(separator: ",").map { $0.trimmingCharacters() }
                } else if line.hasPrefix("comment ") {
                    current!.comment = ListingRepair.unquoted(String(line.dropFirst(8)))
                }
            case 2:
                guard current != nil else { continue }
                switch block {
                case .chain(let i):
                    if line.hasPrefix("comment "), current!.chains[i].comment == nil, current!.chains[i].devices == nil {
                        current!.chains[i].comment = ListingRepair.unquoted(String(line.dropFirst(8)))
                    } else if line.hasPrefix("type "), line.contains(" hook ") {
                        current!.chains[i].devices = Self.devices(line)
                    }
                case .set(let i):
                    current!.sets[i].lines.append(line)
                default: break
                }
            default:
                // A long element list continues on deeper lines.
                if case .set(let i) = block, current != nil, let last = current!.sets[i].lines.indices.last {
                    current!.sets[i].lines[last] += " " + line
                }
            }
        }
        if let t = current { add(t) }
    }

    /// Adds another listing's declarations (several text listings of one scope: chains,
    /// sets and single chains with their rules listed by separate commands).
    mutating func merge(_ other: TextListing) {
        for t in other.tables { add(t) }
    }

    /// The lines of each set in `other` (a set listed alone, with its elements) in place of
    /// those read for the same set here (from a terse listing).
    mutating func takeSetLines(from other: TextListing) {
        for t in other.tables {
            guard let i = tables.firstIndex(where: { $0.family == t.family && $0.name == t.name }) else { continue }
            for s in t.sets {
                guard let k = tables[i].sets.firstIndex(where: { $0.name == s.name && $0.isMap == s.isMap }) else { continue }
                tables[i].sets[k].lines = s.lines
            }
        }
    }

    /// A table block; one already read for the same table (each `list` command of a buffer
    /// prints its own `table … {` block) gains what this one adds.
    mutating func add(_ t: TableDecl) {
        guard let i = tables.firstIndex(where: { $0.family == t.family && $0.name == t.name }) else {
            tables.append(t)
            return
        }
        if tables[i].flags.isEmpty { tables[i].flags = t.flags }
        if tables[i].comment == nil { tables[i].comment = t.comment }
        for c in t.chains {
            guard let k = tables[i].chains.firstIndex(where: { $0.name == c.name }) else {
                tables[i].chains.append(c)
                continue
            }
            tables[i].chains[k].comment = tables[i].chains[k].comment ?? c.comment
            tables[i].chains[k].devices = tables[i].chains[k].devices ?? c.devices
            tables[i].chains[k].rules.merge(c.rules) { old, _ in old }
        }
        for s in t.sets where !tables[i].sets.contains(where: { $0.name == s.name && $0.isMap == s.isMap }) {
            tables[i].sets.append(s)
        }
        for o in t.objects where !tables[i].objects.contains(where: { $0 == o }) { tables[i].objects.append(o) }
    }

    /// The milliseconds of a rule's `add`/`update @set { … timeout T }` from its text
    /// (1.0.6's JSON truncates them), in order, where every value agrees in whole seconds.
    static func ruleTimes(_ listed: String, into r: inout Rule) {
        // Most rules update no set: no need to split their text into words.
        guard
            r.statements.contains(where: {
                switch $0 {
                case .set, .map: return true
                default: return false
                }
            })
        else { return }
        let words = unquotedWords(listed.replacingOccurrences(of: "\n", with: " "))
        let times = words.indices.dropLast().filter { words[$0] == "timeout" }.compactMap { TimeSpan(nftText: words[$0 + 1]) }
        var next = times.makeIterator()
        func fix(_ e: inout NFTModel.Expression) -> Bool {
            guard case .elem(var el) = e, let t = el.timeout else { return true }
            guard let listed = next.next(), listed.milliseconds / 1000 == t.milliseconds / 1000 else { return false }
            el.timeout = listed
            e = .elem(el)
            return true
        }
        guard var stmts = r.expr else { return }
        for i in stmts.indices {
            switch stmts[i] {
            case .set(var u): guard fix(&u.elem) else { return }; stmts[i] = .set(u)
            case .map(var u): guard fix(&u.elem) else { return }; stmts[i] = .map(u)
            default: continue
            }
        }
        guard next.next() == nil else { return }
        r.expr = stmts
    }

    /// The comma-separated items of a list, outside quotes and braces.
    static func topLevelItems(_ text: Substring) -> [String] {
        var items: [String] = [], cur = "", quoted = false, depth = 0
        for c in text {
            if c == "\"" { quoted.toggle() }
            if !quoted {
                if c == "{" || c == "(" { depth += 1 } else if c == "}" || c == ")" { depth -= 1 }
                if c == ",", depth == 0 { items.append(cur.trimmingCharacters()); cur = ""; continue }
            }
            cur.append(c)
        }
        if !cur.trimmingCharacters().isEmpty { items.append(cur.trimmingCharacters()) }
        return items
    }

    /// Space-separated words outside quotes (a quoted string is one word, quotes kept).
    static func unquotedWords(_ text: String) -> [String] {
        var words: [String] = [], cur = "", quoted = false
        for c in text {
            if c == "\"" { quoted.toggle() }
            if c == " ", !quoted { if !cur.isEmpty { words.append(cur) }; cur = ""; continue }
            cur.append(c)
        }
        if !cur.isEmpty { words.append(cur) }
        return words
    }

    static func depthOf(_ raw: Substring) -> Int { raw.prefix { $0 == "\t" }.count }

    /// A line at rule depth inside a chain that is neither its comment nor its type line.
    static func isRuleLine(_ raw: Substring, block: Block) -> Bool {
        guard case .chain = block else { return false }
        let line = raw.trimmingCharacters()
        if line == "}" { return false }
        if line.hasPrefix("type "), line.contains(" hook ") { return false }
        if line.hasPrefix("comment \"") { return false }
        return true
    }

    /// `... # handle 12` → the line without it, and 12.
    static func splitHandle(_ line: Substring) -> (Substring, Int64?) {
        guard let r = line.range(of: " # handle ", options: .backwards), let h = Int64(line[r.upperBound...]) else { return (line, nil) }
        return (line[..<r.lowerBound], h)
    }

    /// `{` minus `}` outside quotes.
    static func braceBalance(_ line: Substring) -> Int {
        var n = 0, quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() } else if !quoted { if c == "{" { n += 1 } else if c == "}" { n -= 1 } }
        }
        return n
    }

    /// `type filter hook ingress device "lo" priority ...` or `devices = { "a", b }`.
    static func devices(_ line: String) -> [String]? {
        if let r = line.range(of: "devices = {") {
            let rest = line[r.upperBound...]
            guard let end = rest.firstIndex(of: "}") else { return nil }
            return rest[..<end].split(separator: ",").map { ListingRepair.unquoted($0.trimmingCharacters()) }.filter { !$0.isEmpty }
        }
        if let r = line.range(of: " device ") {
            let word = line[r.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            return [ListingRepair.unquoted(word)]
        }
        return nil
    }
}

/// `typeof` keys as nft lists them (`ip saddr . tcp dport : meta mark`), read back into
/// expressions. Only a reading that prints back to the very same text is taken; anything
/// else keeps the JSON's datatypes.
enum TypeofParser {
    static func key(_ text: String, isMap: Bool) -> (key: SetKeyType, data: SetKeyType?)? {
        let parts = text.components(separatedBy: " : ")
        if isMap {
            guard parts.count == 2, let k = expression(parts[0]) else { return nil }
            // A verdict has no expression to be the type of: nft lists `typeof KEY : verdict`.
            if parts[1] == "verdict" { return (.typeof(k), .named("verdict")) }
            guard let d = expression(parts[1]) else { return nil }
            return (.typeof(k), .typeof(d))
        }
        guard parts.count == 1, let k = expression(parts[0]) else { return nil }
        return (.typeof(k), nil)
    }

    static func expression(_ text: String) -> NFTModel.Expression? {
        let items = text.components(separatedBy: " . ")
        let exprs = items.compactMap(single)
        guard exprs.count == items.count else { return nil }
        let e: NFTModel.Expression = exprs.count == 1 ? exprs[0] : .concat(exprs)
        return e.nftText() == text ? e : nil
    }

    /// One `typeof` component: the readings its words allow, the first that prints back to
    /// the same text. Raw payloads (`@ih,32,32`), numgen, osf, ipsec, tcp/ip options, sctp
    /// chunks and conntrack directions are typeof keys too (nftables' own tests use them);
    /// taking their datatype instead (`integer`) is refused by the kernel.
    static func single(_ text: String) -> NFTModel.Expression? {
        let w = text.split(separator: " ").map(String.init)
        return candidates(w).first { $0.nftText() == text }
    }

    static let exthdrs: Set<String> = ["hbh", "rt", "rt0", "rt2", "srh", "frag", "dst", "mh"]

    static func candidates(_ w: [String]) -> [NFTModel.Expression] {
        var out: [NFTModel.Expression] = []
        switch w.count {
        case 1:
            let p = w[0].dropFirst().split(separator: ",")
            if w[0].hasPrefix("@"), p.count == 3, let o = Int(p[1]), let l = Int(p[2]) {
                out.append(.payload(.raw(base: String(p[0]), offset: o, len: l)))
            }
            out.append(.meta(key: w[0]))
        case 2:
            switch w[0] {
            case "meta": out.append(.meta(key: w[1]))
            case "ct": out.append(.ct(key: w[1], family: nil, dir: nil))
            case "rt": out.append(.rt(key: w[1], family: nil))
            case "osf": out.append(.osf(key: w[1], ttl: nil))
            case "socket": out.append(.socket(key: w[1], level: nil))
            case "tunnel": out.append(.tunnel(key: w[1]))
            default: break
            }
            if exthdrs.contains(w[0]) { out.append(.exthdr(name: w[0], field: w[1], offset: nil)) }
            out.append(.payload(.field(protocol: w[0], field: w[1])))
        case 3:
            switch w[0] {
            case "ct": out.append(.ct(key: w[2], family: nil, dir: w[1]))
            case "ipsec": out.append(.ipsec(key: w[2], dir: w[1], spnum: nil, family: nil))
            case "rt": out.append(.rt(key: w[2], family: w[1]))
            default: break
            }
            if w[0] == "ip", w[1] == "option" { out.append(.ipOption(name: w[2], field: nil)) }
            if w[0] == "tcp", w[1] == "option" { out.append(.tcpOption(.named(name: w[2], field: nil))) }
            if w[0] == "sctp", w[1] == "chunk" { out.append(.sctpChunk(name: w[2], field: nil)) }
        case 4:
            if w[0] == "numgen", w[2] == "mod", let m = Int64(w[3]) { out.append(.numgen(mode: w[1], mod: m, offset: nil)) }
            if w[0] == "ct" { out.append(.ct(key: w[3], family: w[2], dir: w[1])) }
            if w[0] == "ip", w[1] == "option" { out.append(.ipOption(name: w[2], field: w[3])) }
            if w[0] == "tcp", w[1] == "option" { out.append(.tcpOption(.named(name: w[2], field: w[3]))) }
            if w[0] == "sctp", w[1] == "chunk" { out.append(.sctpChunk(name: w[2], field: w[3])) }
        default: break
        }
        return out
    }
}
