import NFTAnalysis

/// libnftables 1.0.6 dies (SIGSEGV, before anything is sent) on any rule command placed by
/// position — `insert`/`add rule … position H`, `index N`, JSON with a handle — while the
/// namespace's ruleset, any table of it, holds a rule with an anonymous set or map keyed by
/// a header bitfield: `ip dscp { cs1, ef }`, `tcp doff { 5, 6 }`, `meta mark set ip dscp
/// map { cs1 : 1 }` (measured on nft 1.0.6: every field that is not whole bytes; a plain
/// `ip dscp cs1`, a named set, appends, replaces and deletes are fine). A plan that would
/// place a rule by position in such a ruleset replaces the table whole instead (no
/// positions), as a rollback does.
enum PositionedRuleCrash {
    /// Header fields that are not whole bytes (nft's proto.c `HDR_BITFIELD`s).
    static let bitfields: Set<String> = [
        "ip version", "ip hdrlength", "ip dscp", "ip ecn", "ip6 version", "ip6 dscp", "ip6 ecn", "ip6 flowlabel",
        "tcp doff", "vlan pcp", "vlan dei", "vlan cfi", "vlan id", "frag frag-off", "frag reserved2", "frag more-fragments",
        "dccp type", "ah reserved", "comp flags"
    ]

    /// Whether the rules of `items` (any tables) include one that makes positions crash.
    static func holds(_ rules: some Sequence<Rule>) -> Bool { rules.contains(where: triggers) }

    /// A rule with an anonymous set, map or verdict map whose key reads a bitfield.
    static func triggers(_ rule: Rule) -> Bool {
        func bitfield(_ e: Expression) -> Bool {
            var found = false
            e.forEach { x in
                guard case .payload(let p) = x else { return }
                switch p {
                case .field(let proto, let field): if bitfields.contains(proto + " " + field) { found = true }
                case .raw(_, let offset, let len): if offset % 8 != 0 || len % 8 != 0 { found = true }
                }
            }
            return found
        }
        func anonymous(_ e: Expression) -> Bool {
            if case .set = e { return true }
            return false
        }
        var found = false
        for s in rule.statements {
            switch s {
            case .match(let left, _, let right) where anonymous(right) && bitfield(left): found = true
            case .vmap(let key, let data) where anonymous(data) && bitfield(key): found = true
            default: break
            }
            s.forEachExpression { e in
                if case .map(let key, let data) = e, anonymous(data), bitfield(key) { found = true }
            }
        }
        return found
    }

    /// Whether `change` makes a rule command placed by position (`PlanBatch`): an added rule
    /// in front of a kept one, or a replacement sent as an insert (`PlanBatch.goesAsInsert`).
    static func placesByPosition(_ change: Change) -> Bool {
        guard case .rule(_, let old, let new, let before) = change.subject, new != nil else { return false }
        return old == nil ? before != nil : PlanBatch.goesAsInsert(change)
    }

    /// Whether `change` brings a rule with an anonymous chain (`jump { … }`): with a rule
    /// placed by position in the same batch, 1.0.6 crashes too (`AnonymousChainPlacement`,
    /// which refuses such a batch; the planner replaces the table first where it can).
    static func bringsAnonymousChain(_ change: Change) -> Bool {
        guard case .rule(_, _, let new?, _) = change.subject else { return false }
        return (change.send ?? new).statements.contains(where: AnonymousChainPlacement.holdsAnonymousChain)
    }

    static let besideAnonymousChain =
        "a rule is placed by position beside a rule with an anonymous chain (jump { … }), which libnftables 1.0.6 crashes on in one batch"

    static let reason =
        "a rule is placed by position, which libnftables 1.0.6 crashes on while the ruleset holds an anonymous set keyed by a header bitfield (such as ip dscp { … })"
}
