import NFTAnalysis

/// What the kernel changes without a commit, so without moving the generation id: elements
/// that expire (a set or map with `timeout`, elements with a timeout or an expiry), elements
/// the packet path adds, updates or deletes (`dynamic`, per-element statements, a rule that
/// writes to a set, a meter), a chain or flowtable bound to devices (gone with the device),
/// a table with the `owner` flag (gone with its process), an interface held by its index
/// (`LearnedNormalForm.dependsOnTheNamespace`: renamed, it is listed by its new name). A
/// listing of such a table is only true when it is taken: the generation id cannot vouch for it later (`StateStore.
/// rememberListing`, `UpToDate`), and a rollback must list it again (`SnapshotSource`).
enum RunTimeChange {
    static func changes(_ item: RulesetItem) -> Bool {
        switch item {
        case .table(let t): return t.flags?.values.contains("owner") ?? false
        case .chain(let c): return c.dev != nil
        case .flowtable: return true
        case .set(let s):
            // A default timeout makes every element expire, whether or not the flag is written.
            let flags = s.flags?.values ?? []
            return flags.contains("dynamic") || flags.contains("timeout") || s.timeout != nil || !(s.stmt ?? []).isEmpty
                || s.elements.contains(where: changes) || LearnedNormalForm.dependsOnTheNamespace(s)
        case .element(let e):
            if case .list(let l) = e.elem { return l.contains(where: changes) }
            return changes(e.elem)
        case .rule(let r):
            // A statement kept raw may be one that writes to a set: not vouched for either.
            // An interface by index is listed by the name it has then: a rename changes it.
            return NormalizationCache.updatesSets(r) || LearnedNormalForm.dependsOnTheNamespace(r)
                || r.statements.contains {
                    if case .raw = $0 { return true }; return false
                }
        default: return false
        }
    }

    /// An element that expires or counts.
    static func changes(_ e: Expression) -> Bool {
        if case .elem(let el) = e { return el.timeout != nil || el.expires != nil || !el.statements.isEmpty }
        return false
    }

    static func changes(_ t: TableContents) -> Bool {
        changes(.table(t.table.value)) || t.chains.contains { changes(.chain($0.value)) } || !t.flowtables.isEmpty
            || t.sets.contains { changes(.set($0.value)) } || t.rules.contains { changes(.rule($0.value)) }
    }

    /// The tables of `listing` holding anything that changes without a commit.
    static func tables(in listing: Document) -> Set<TableKey> {
        var out: Set<TableKey> = []
        for entry in listing.entries {
            let item: RulesetItem
            switch entry {
            case .item(let i): item = i
            case .command(let c): item = c.item
            case .raw: continue
            }
            if let key = item.tableKey, !out.contains(key), changes(item) { out.insert(key) }
        }
        return out
    }
}
