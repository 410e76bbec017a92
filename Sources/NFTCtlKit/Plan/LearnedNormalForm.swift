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
        // Without the live namespace's handles, as a scratch listing's record would be.
        var out = live
        out.table.value.handle = nil
        for i in out.chains.indices { out.chains[i].value = PlanBatch.stripped(out.chains[i].value) }
        for i in out.sets.indices { out.sets[i].value = PlanBatch.strippedSet(out.sets[i].value) }
        for i in out.objects.indices { out.objects[i].value.handle = nil }
        for i in out.flowtables.indices { out.flowtables[i].value.handle = nil }
        out.rules = rules.map { Located(NormalizationCache.asWritten($0.value), $0.location) }
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

extension LearnedNormalForm {
    /// True when a listing of `table` prints something as the namespace has it at the time of
    /// listing rather than as written: an interface held by its index (`iif`, `oif`, `sdif`, a
    /// `fib` result, a `dup` or `fwd` device, `iface_index` keys or data, `typeof meta iif`,
    /// a flowtable's devices), a cgroup held by its id (`socket cgroupv2`), and anything nftctl
    /// keeps raw (not known, so not vouched for). The scratch namespace answers for these the
    /// same way every time (`StandInInterfaces`); the live one may have renamed or removed the
    /// interface between the commit and the listing, so such a table is normalised first.
    static func dependsOnTheNamespace(_ table: TableContents) -> Bool {
        // A flowtable's devices are listed by their names then on kernels before 6.16.
        !table.flowtables.isEmpty || table.sets.contains { dependsOnTheNamespace($0.value) }
            || table.rules.contains { dependsOnTheNamespace($0.value) }
    }

    static func byIndex(_ x: Expression) -> Bool {
        switch x {
        case .meta(let key): return key == "iif" || key == "oif" || key == "sdif"
        case .fib(let result, _): return result == "oif" || result == "iif"
        case .socket(let key, _): return key == "cgroupv2"
        case .raw: return true  // unknown to nftctl: not vouched for
        default: return false
        }
    }

    static func byIndex(_ k: SetKeyType?) -> Bool {
        switch k {
        case .named(let n)?: return n == "iface_index"
        case .concat(let l)?: return l.contains("iface_index")
        case .typeof(let e)?:
            var found = false
            e.forEach { if byIndex($0) { found = true } }
            return found
        case nil: return false
        }
    }

    /// A set or map keyed by (or mapping to) interface indexes.
    static func dependsOnTheNamespace(_ set: NamedSet) -> Bool { byIndex(set.type) || byIndex(set.map) }

    /// A rule that matches or sends to an interface by index, or a cgroup by id.
    static func dependsOnTheNamespace(_ rule: Rule) -> Bool {
        for s in rule.statements {
            if case .dup(_, .some) = s { return true }
            if case .fwd(.some, _, _) = s { return true }
            if case .raw = s { return true }
            var found = false
            s.forEachExpression { if byIndex($0) { found = true } }
            if found { return true }
        }
        return false
    }
}
