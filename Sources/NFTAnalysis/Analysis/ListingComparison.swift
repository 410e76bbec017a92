/// Compares two listings table by table, after `normalizedForComparison()`: objects as
/// sets, rules as a sequence per chain (order matters for rules, nowhere else).
public struct ListingDifference: Sendable, Hashable, CustomStringConvertible {
    public enum Side: String, Sendable {
        case missing = "-"
        case unexpected = "+"
    }
    /// `.missing`: asked for but not in the actual listing; `.unexpected`: the other way.
    public var side: Side
    public var item: RulesetItem
    public var description: String { "\(side.rawValue) \(item.json.serialized(.spaced))" }
}

public enum ListingComparison {
    public static func differences(expected: [RulesetItem], actual: [RulesetItem], tables: [TableKey]) -> [ListingDifference] {
        let keys = Set(tables)
        func pick(_ items: [RulesetItem]) -> [RulesetItem] {
            items.filter { $0.tableKey.map(keys.contains) ?? false }.map { $0.normalizedForComparison() }
        }
        let e = pick(expected), a = pick(actual)
        var out: [ListingDifference] = []
        let eObjects = e.filter {
            if case .rule = $0 { return false }; return true
        }
        let aObjects = a.filter {
            if case .rule = $0 { return false }; return true
        }
        var remaining = aObjects
        for item in eObjects {
            if let i = remaining.firstIndex(of: item) { remaining.remove(at: i) } else { out.append(.init(side: .missing, item: item)) }
        }
        out += remaining.map { .init(side: .unexpected, item: $0) }
        func rulesByChain(_ items: [RulesetItem]) -> [String: [RulesetItem]] {
            var d: [String: [RulesetItem]] = [:]
            for case .rule(let r) in items { d["\(r.family) \(r.table) \(r.chain)", default: []].append(.rule(r)) }
            return d
        }
        let er = rulesByChain(e), ar = rulesByChain(a)
        for chain in Set(er.keys).union(ar.keys).sorted() {
            let x = er[chain] ?? [], y = ar[chain] ?? []
            if x == y { continue }
            // Report the first point where the sequences part, then the rest.
            var k = 0
            while k < x.count, k < y.count, x[k] == y[k] { k += 1 }
            out += x[k...].map { .init(side: .missing, item: $0) }
            out += y[k...].map { .init(side: .unexpected, item: $0) }
        }
        return out
    }
}
