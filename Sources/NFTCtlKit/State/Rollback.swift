import NFTables

/// Restoring a snapshot: the tables it names get back exactly what they held (counters and
/// set elements included), and those that did not exist then are deleted, in ONE transaction.
public enum Rollback {
    public static func restore(_ snapshot: StateStore.Snapshot, backend: Backend) throws {
        var state: RulesetState
        do { state = try RulesetState(document: snapshot.listing) } catch {
            throw InputError("snapshot \(snapshot.id) cannot be restored: \(error)")
        }
        var entries: [Document.Entry] = []
        let live = try backend.list()
        let present = Set(live.items.compactMap { item -> TableKey? in
            if case .table(let t) = item { return TableKey(family: t.family, name: t.name) }
            return nil
        })
        for key in snapshot.tables where present.contains(key) || state.table(key) != nil {
            let bare = Table(family: key.family, name: key.name)
            entries.append(.command(Command(.add, .table(bare))))
            entries.append(.command(Command(.delete, .table(bare))))
        }
        state.tables = state.tables.filter { snapshot.tables.contains($0.key) }
        entries += state.creationBatch().document.entries
        guard !entries.isEmpty else { return }
        try backend.apply(Document(entries), dryRun: false)
    }
}
