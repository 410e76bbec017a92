import NFTAnalysis

/// Restoring a snapshot: the tables it names get back exactly what they held (set elements
/// included), and those that did not exist then are deleted, in ONE transaction.
///
/// Incrementally first, as apply does: only what changed since the snapshot is sent back, so
/// rules and elements nobody touched keep their handles and the counts they gathered since.
/// The result is listed and planned against the snapshot again; anything short of an empty
/// plan (or a refused batch) falls back to replacing the tables whole from the snapshot.
///
/// The snapshot is sent as nft syntax when it can be: libnftables 1.0.6's JSON input drops
/// per-element counters (a set declared `counter` comes back with `counter packets 0`),
/// while `elements = { … counter packets N bytes M }` and `counter packets N bytes M` in
/// nft syntax keep them (measured: a text restore lists byte for byte as before, apart from
/// the milliseconds of `expires`). A snapshot holding something the printer cannot write
/// (items kept raw), or text that libnftables refuses, goes through JSON instead; either
/// way a refused batch changes nothing.
public enum Rollback {
    /// The rollback of the namespace `store` keeps: `snapshot` restored (what the undone
    /// apply declared in the sets the rules fill taken out again), its confirmation let go,
    /// and the rollback recorded (`recordRollback`, whose warnings it returns).
    public static func restore(_ snapshot: StateStore.Snapshot, store: StateStore, backend: Backend) throws -> [String] {
        try restore(snapshot, backend: backend, declaredBefore: store.declaredElements())
        store.clearPending()
        return store.recordRollback(snapshot)
    }

    /// `declaredBefore`: what the apply being undone declared in the sets the rules fill, so
    /// that an element it declared is taken out again (`Planner.plan`).
    public static func restore(
        _ snapshot: StateStore.Snapshot, backend: Backend, declaredBefore: () -> DeclaredElements? = { nil }
    ) throws {
        let listing = snapshot.givenBack
        var state: RulesetState
        do { state = try RulesetState(document: listing) } catch {
            throw Problem("snapshot \(snapshot.id) cannot be restored: \(error)")
        }
        guard
            let live = restoreIncrementally(
                snapshot, state, live: try backend.list(), backend: backend, declaredBefore: declaredBefore)
        else { return }
        let present = Set(
            live.items.compactMap { item -> TableKey? in
                if case .table(let t) = item { return TableKey(family: t.family, name: t.name) }
                return nil
            })
        var clear: [Document.Entry] = []
        var clearText = ""
        for key in snapshot.tables where present.contains(key) || state.table(key) != nil {
            clear += TableReplacement.clear(key)
            clearText += TableReplacement.clearText(key)
        }
        let keys = Set(snapshot.tables)
        let items = listing.items.filter { $0.tableKey.map(keys.contains) ?? false }
        // Plain table names only in hand-written text (the transport's rule); anything else goes through JSON.
        let plainNames = snapshot.tables.allSatisfy { Family(rawValue: $0.family) != nil && TextBatch.isSafeName($0.name) }
        let printable =
            plainNames
            && !items.contains { item in
                switch item {
                case .raw, .selector, .metainfo: return true
                default: return false
                }
            }
        if printable, !clear.isEmpty {
            do {
                try backend.applyText(clearText + nftListing(items), dryRun: false)
                return
            } catch {
                // Falls through to JSON: the text batch was refused as a whole, nothing changed.
            }
        }
        state.tables = state.tables.filter { snapshot.tables.contains($0.key) }
        let entries = clear + state.creationBatch().document.entries
        guard !entries.isEmpty else { return }
        try backend.apply(Document(entries), dryRun: false)
    }

    /// The plan from the live tables to the snapshot's, committed. Nil when the kernel then
    /// holds what the snapshot does (a second plan is empty); otherwise the latest listing,
    /// for the whole-table fallback: the check's when the batch went in, `live` when it was
    /// refused (nothing changed). Tables created since the snapshot are pruned.
    static func restoreIncrementally(
        _ snapshot: StateStore.Snapshot, _ state: RulesetState, live: Document,
        backend: Backend, declaredBefore: () -> DeclaredElements? = { nil }
    ) -> Document? {
        var desired = state
        desired.tables = desired.tables.filter { snapshot.tables.contains($0.key) }
        let created = snapshot.tables.filter { desired.table($0) == nil }
        var latest = live
        do {
            let plan = try PlanOperation.plan(desired: desired, live: live, prune: created, declaredBefore: declaredBefore)
            if plan.isEmpty { return nil }
            let sets = Transport.sets(
                of: try? PlanOperation.liveState(live, tables: snapshot.tables), in: snapshot.tables, desired: desired)
            try Transport.commit(PlanBatch.build(plan), sets: sets, backend: backend)
            latest = try backend.list()
            return try PlanOperation.plan(desired: desired, live: latest, prune: created).isEmpty ? nil : latest
        } catch {
            return latest
        }
    }
}
