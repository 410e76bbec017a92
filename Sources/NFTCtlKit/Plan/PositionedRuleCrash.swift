import NFTAnalysis

/// libnftables 1.0.6 dies (SIGSEGV, before anything is sent) on any rule command placed by
/// position — `insert`/`add rule … position H`, `index N`, JSON with a handle — while the
/// namespace's ruleset, any table of it, holds a rule with an anonymous set or map keyed by
/// a header bitfield: `ip dscp { cs1, ef }`, `tcp doff { 5, 6 }`, `frag more-fragments { 0,
/// 1 }`, `tcp option mptcp subtype { 0, 1 }`, `meta mark set ip dscp map { cs1 : 1 }`, or
/// such a rule inside an anonymous chain
/// (measured on nft 1.0.6; a plain `ip dscp cs1`, a bitfield inside a concatenation, a
/// named set, appends, replaces and deletes are fine). A plan that would place a rule by
/// position in such a ruleset replaces the table whole instead (no positions), as a
/// rollback does; every table of the namespace counts (`holds(_:orBesideIn:)`).
enum PositionedRuleCrash {
    /// Whether `rules` (any tables) include one that makes positions crash.
    static func holds(_ rules: some Sequence<Rule>) -> Bool { rules.contains(where: triggers) }

    /// Whether a state's rules include one.
    static func holds(_ state: RulesetState) -> Bool { holds(state.tables.lazy.flatMap { $0.rules.lazy.map(\.value) }) }

    /// Whether a rule as the kernel holds it (`KernelRule.bytes`) may be one: it masks a
    /// loaded value (`bitwise`, as a bitfield's load is) and looks up an anonymous set or map
    /// (`__set…`, `__map…`). Broader than `triggers` on purpose: read without decoding, it
    /// only ever makes a table be replaced.
    static func mayTrigger(kernelBytes bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { b in
            KernelRules.contains(b, Array("bitwise\0".utf8))
                && (KernelRules.contains(b, Array("__set".utf8)) || KernelRules.contains(b, Array("__map".utf8)))
        }
    }

    /// Whether `listing` (every table it holds), or a table of `backend`'s namespace that
    /// `listing` does not hold, read in nftctl's own dump (`mayTrigger`; a dump that fails
    /// counts, a table gone meanwhile does not), holds one. The planner asks only once a plan places a rule by
    /// position; another program's table counts as much as nftctl's.
    static func holds(_ listing: Document, orBesideIn backend: Backend?) -> Bool {
        if holds(listing) { return true }
        guard let backend else { return false }
        do {
            let listed = Set(listing.items.compactMap(\.tableKey))
            for key in try backend.tableKeys() where !listed.contains(key) {
                if let contents = try backend.contents(family: key.family, table: key.name),
                    contents.rules.contains(where: { mayTrigger(kernelBytes: $0.bytes) })
                {
                    return true
                }
            }
            return false
        } catch {
            return true
        }
    }

    /// Whether a listing's rules (every table it holds) include one.
    static func holds(_ listing: Document) -> Bool {
        holds(
            listing.entries.lazy.compactMap { e -> Rule? in
                if case .item(.rule(let r)) = e { return r }
                return nil
            })
    }

    /// A rule with an anonymous set, map or verdict map keyed by a bitfield itself, or an
    /// anonymous chain (nft text by now) that may hold one: a nested `{` beside a bitfield's
    /// name (broader on purpose: it only ever replaces a table).
    static func triggers(_ rule: Rule) -> Bool {
        func bitfield(_ e: Expression) -> Bool {
            switch e {
            case .payload(.field(let proto, let field)): return HeaderBitfields.spelled.contains(proto + " " + field)
            case .payload(.raw(_, let offset, let len)), .tcpOption(.raw(_, let offset, let len)):
                return offset % 8 != 0 || len % 8 != 0
            case .exthdr(let name, let field?, _), .tcpOption(.named(let name, let field?)):
                return HeaderBitfields.spelled.contains(name + " " + field)
            default: return false
            }
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
            case .text(let t) where AnonymousChainPlacement.holdsAnonymousChain(s):
                let nested = t.split(separator: "{", omittingEmptySubsequences: false).count > 2
                if nested, HeaderBitfields.spacedNames.contains(where: t.contains) {
                    found = true
                }
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
