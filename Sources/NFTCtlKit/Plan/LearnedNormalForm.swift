import NFTAnalysis

/// A new table's normal form read from the kernel after the commit, instead of loading the
/// table into a scratch namespace first. A plan that creates a table sends it as written
/// and needs no normal form; the verification does, and the scratch listing would be the
/// kernel's rendering of the same batch on the same kernel. So the listing of the table
/// just created stands in for it when it provably shows our commit alone (the generation id
/// is the commit's own before and after the listing) and lines up with the declaration:
/// the same chains, sets, maps, objects and flowtables by name, and as many rules in each
/// chain, in order. The declared attributes are still checked against the declaration
/// (`Verify.differences`). Otherwise the scratch namespace decides, as before.
enum LearnedNormalForm {
    /// `declared` as `live` holds it, or nil when the two do not line up.
    static func table(_ declared: TableContents, live: TableContents) -> TableContents? {
        func names<T>(_ l: [Located<T>], _ name: (T) -> String) -> [String] { l.map { name($0.value) }.sorted() }
        guard names(declared.chains, \.name) == names(live.chains, \.name),
            names(declared.sets, \.name) == names(live.sets, \.name),
            names(declared.flowtables, \.name) == names(live.flowtables, \.name),
            names(declared.objects, { "\($0.body.kind.rawValue) \($0.name)" })
                == names(live.objects, { "\($0.body.kind.rawValue) \($0.name)" }),
            declared.rules.count == live.rules.count
        else { return nil }
        // Rules by chain, in order: the n-th rule of a chain is the n-th written to it.
        var byChain: [String: [Located<Rule>]] = [:]
        for r in live.rules { byChain[r.value.chain, default: []].append(r) }
        var taken: [String: Int] = [:]
        var rules: [Located<Rule>] = []
        rules.reserveCapacity(declared.rules.count)
        for r in declared.rules {
            let c = r.value.chain, n = taken[c, default: 0]
            guard let list = byChain[c], n < list.count else { return nil }
            rules.append(list[n])
            taken[c] = n + 1
        }
        guard byChain.allSatisfy({ taken[$0.key] == $0.value.count }) else { return nil }
        var out = live
        out.rules = rules
        var one = RulesetState()
        one.tables = [out]
        var source = RulesetState()
        source.tables = [declared]
        one.copyLocations(from: source)
        return one.tables[0]
    }

    /// `desired` with its learning tables replaced by their normal form in `live` (the
    /// listing's live state), or nil when one of them does not line up.
    static func desired(_ desired: DesiredState, live: RulesetState) -> DesiredState? {
        var out = desired
        for (i, t) in desired.state.tables.enumerated() where desired.learning.contains(t.key) {
            guard let l = live.table(t.key), let learned = table(t, live: l) else { return nil }
            out.state.tables[i] = learned
        }
        out.learning = []
        return out
    }
}
