import NFTAnalysis

/// The rule entries of the listing remembered after nftctl's own batch, serialised while the
/// kernel commits, their handles put in afterwards. After the own batch the verified listing
/// holds each rule of the tables it created in the plan's normal form, with the handle the
/// echo gave and counters at zero (`KernelRuleBytes.listing`: a new rule has counted
/// nothing); serialised after the commit, that listing took 50–60 ms at 10k rules.
struct RuleEntriesTemplate: Sendable {
    /// Per table: each rule's entry with its handle's digits cut out, where they go, and
    /// the rule it is (with the sentinel handle).
    struct Table: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var holes: [Int] = []
        var rules: [Rule] = []
    }
    var tables: [TableKey: Table] = [:]

    static let sentinel: Int64 = 4_000_000_001
    static let handleText = Array(#""handle":4000000001"#.utf8)
    /// The key before a handle's digits in a serialised item (also `ReplayRecord.cutHandles`).
    static let handleKey = Array(#""handle":"#.utf8)

    /// The entries of `desired`'s rules of `keys`; nil when one does not serialise as expected.
    init?(desired: DesiredState, tables keys: [TableKey]) {
        for key in keys {
            guard let table = desired.state.table(key) else { return nil }
            var t = Table()
            t.bytes.reserveCapacity(table.rules.count * 256)
            for r in table.rules {
                var rule = KernelRuleBytes.zeroed(r.value)
                rule.handle = Self.sentinel
                let entry = Document.Entry.item(.rule(rule)).json.serializedBytes(.compact)
                guard let at = Self.only(Self.handleText, in: entry) else { return nil }
                t.bytes += entry[..<(at + Self.handleKey.count)]
                t.holes.append(t.bytes.count)
                t.bytes += entry[(at + Self.handleText.count)...]
                t.ends.append(t.bytes.count)
                t.rules.append(rule)
            }
            tables[key] = t
        }
    }

    /// Where `pattern` is in `bytes`, when it is there exactly once.
    static func only(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        var found: Int?
        var i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i] == pattern[0], bytes[i..<i + pattern.count].elementsEqual(pattern) {
                guard found == nil else { return nil }
                found = i
            }
            i += 1
        }
        return found
    }

    /// `listing` serialised (compact), as `listing.json.serializedBytes()` would give it, the
    /// rules of the template's tables from the template; nil when a rule there is not the
    /// template's next one but for its handle, or one is left over.
    func bytes(of listing: Document) -> [UInt8]? {
        var next: [TableKey: Int] = [:]
        var out = Array(#"{"nftables":["#.utf8)
        out.reserveCapacity(tables.values.reduce(0) { $0 + $1.bytes.count } + 65536)
        for (k, entry) in listing.entries.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ",")) }
            guard case .item(.rule(let r)) = entry, let t = tables[TableKey(family: r.family, name: r.table)] else {
                out += entry.json.serializedBytes(.compact)
                continue
            }
            let key = TableKey(family: r.family, name: r.table)
            let i = next[key, default: 0]
            next[key] = i + 1
            var probe = r
            probe.handle = Self.sentinel
            guard i < t.rules.count, let handle = r.handle, probe == t.rules[i] else { return nil }
            let start = i == 0 ? 0 : t.ends[i - 1]
            out += t.bytes[start..<t.holes[i]]
            out += Array(String(handle).utf8)
            out += t.bytes[t.holes[i]..<t.ends[i]]
        }
        guard tables.allSatisfy({ next[$0.key, default: 0] == $0.value.rules.count }) else { return nil }
        out += Array("]}".utf8)
        return out
    }
}
