import NFTAnalysis

/// Warnings about rulesets the kernel accepts but that probably do not do what their
/// author meant: unreachable and shadowed rules, duplicates, unused chains, sets and maps,
/// a `policy drop` input chain that would cut established connections, `th` port matches
/// with no protocol check, and `notrack`/`ct zone set` placed after conntrack.
public enum Linter {
    public static func lint(_ state: RulesetState) -> [Diagnostic] {
        state.tables.flatMap { TableLinter(table: $0).run() }
    }
}

struct TableLinter {
    let table: TableContents
    var name: String { "\(table.table.value.family) \(table.table.value.name)" }

    func run() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for c in table.chains { out += lintChain(c) }
        out += unused()
        return out
    }

    func warn(_ m: String, _ object: String, _ loc: SourceLocation?) -> Diagnostic { Diagnostic(.warning, m, object: object, at: loc) }

    /// Statements that only observe (they never decide whether a packet matches).
    static func isPassive(_ s: Statement) -> Bool {
        switch s {
        case .counter, .namedCounter, .log: return true
        default: return false
        }
    }

    /// The verdict that ends evaluation of this chain for every packet reaching it.
    static func terminal(_ s: Statement) -> Bool {
        switch s {
        case .verdict(.accept), .verdict(.drop), .verdict(.return), .verdict(.goto), .reject: return true
        default: return false
        }
    }

    static func isMatch(_ s: Statement) -> Bool {
        switch s {
        case .match: return true
        case .limit, .namedLimit, .quota, .namedQuota, .ctCount: return true  // may not match every packet
        default: return false
        }
    }

    func lintChain(_ lc: Located<Chain>) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let c = lc.value
        let rules = table.rules(in: c.name)
        var unreachableFrom: Int?
        var seen: [RulesetItem: Int] = [:]
        var deciders: [MatchCoverage.Key: [Int]] = [:]  // first match's field -> rules that only match, then decide
        for (i, lr) in rules.enumerated() {
            let obj = "rule \(i + 1) of chain \(name) \(c.name)"
            let stmts = lr.value.statements
            if let u = unreachableFrom {
                out.append(warn("unreachable: rule \(u + 1) above always ends evaluation of this chain", obj, lr.location))
                continue
            }
            var key = lr.value
            key.comment = nil
            let norm = RulesetItem.rule(key).normalizedForComparison()
            if let first = seen[norm] {
                out.append(warn("duplicate of rule \(first + 1)", obj, lr.location))
                continue
            }
            seen[norm] = i
            if let m = RuleLints.unprotocolledTransportHeader(lr.value) { out.append(warn(m, obj, lr.location)) }
            if let m = RuleLints.tooLateForConntrack(lr.value, in: c) { out.append(warn(m, obj, lr.location)) }
            if !stmts.contains(where: Self.isMatch), stmts.contains(where: Self.terminal) {
                unreachableFrom = i
                continue
            }
            // Shadowed: an earlier rule that only matches and then ends evaluation, each of
            // whose matches admits every packet one of this rule's matches admits (equal,
            // or a wider set, prefix or range on the same field: `MatchCoverage`), decides
            // every packet this rule sees. Candidates are found through the field of their
            // first match, so this stays near linear.
            let mine = stmts.filter(Self.isMatch)
            let candidates = Set(mine.flatMap { deciders[MatchCoverage.key($0)] ?? [] }).sorted()
            for j in candidates {
                let e = rules[j].value.statements
                if e.filter(Self.isMatch).allSatisfy({ m in mine.contains { MatchCoverage.covers(m, $0) } }) {
                    out.append(
                        warn(
                            "shadowed by rule \(j + 1), which matches every packet this rule matches and ends evaluation",
                            obj, lr.location))
                    break
                }
            }
            if let last = stmts.last, Self.terminal(last),
                stmts.allSatisfy({ Self.isMatch($0) || Self.isPassive($0) || Self.terminal($0) }),
                let first = mine.first
            {
                deciders[MatchCoverage.key(first), default: []].append(i)
            }
        }
        if c.hook == "input", c.policy == "drop", !acceptsEstablished(c.name) {
            out.append(
                warn(
                    "policy drop on input with no `ct state established,related accept`: replies to connections this host opens are dropped",
                    "chain \(name) \(c.name)", lc.location))
        }
        return out
    }

    /// Whether the chain (or a chain it jumps to) accepts established traffic.
    func acceptsEstablished(_ chain: String, seen: Set<String> = []) -> Bool {
        var seen = seen
        guard seen.insert(chain).inserted else { return false }
        for r in table.rules(in: chain) {
            let s = r.value.statements
            let established = s.contains { st in
                var found = false
                st.forEachExpression { e in
                    if case .string(let v) = e, v == "established" { found = true }
                }
                if case .match(.ct(key: "state", _, _), _, _) = st { return found }
                return false
            }
            if established, s.contains(.verdict(.accept)) { return true }
            // `ct state vmap { established : accept, ... }`
            for case .vmap(.ct(key: "state", _, _), .set(let elems, _)) in s {
                for case .list(let pair) in elems where pair.count == 2 {
                    if case .string("established") = pair[0], case .verdict(.accept) = pair[1] { return true }
                }
            }
            for v in s.flatMap(\.verdicts) {
                if case .jump(let t) = v, acceptsEstablished(t, seen: seen) { return true }
            }
        }
        return false
    }

    func unused() -> [Diagnostic] {
        var out: [Diagnostic] = []
        var targets: Set<String> = []
        var refs: Set<String> = []
        func scan(_ s: Statement) {
            for v in s.verdicts { if let t = v.target { targets.insert(t) } }
            refs.formUnion(s.setReferences)
        }
        for r in table.rules { r.value.statements.forEach(scan) }
        for s in table.sets {
            s.value.elem?.forEach { if case .verdict(let v) = $0, let t = v.target { targets.insert(t) } }
        }
        for c in table.chains where !c.value.isBase && !targets.contains(c.value.name) {
            out.append(warn("unused: no rule or verdict map jumps to this chain", "chain \(name) \(c.value.name)", c.location))
        }
        for s in table.sets where !refs.contains(s.value.name) {
            out.append(
                warn("unused: no rule refers to @\(s.value.name)", "\(s.value.isMap ? "map" : "set") \(name) \(s.value.name)", s.location))
        }
        return out
    }
}
