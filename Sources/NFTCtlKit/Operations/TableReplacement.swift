import NFTAnalysis

/// How a table is replaced whole inside one batch: `add table` first, so that the
/// `delete table` after it cannot fail on a table that is absent, then the table created
/// anew from its declaration. Apply's replace, the plan's replaced tables and rollback
/// all write the same sequence, from here.
enum TableReplacement {
    /// The two commands that leave `key`'s table absent, whether it existed or not.
    static func clear(_ key: TableKey) -> [Document.Entry] {
        let bare = Table(family: key.family, name: key.name)
        return [.command(Command(.add, .table(bare))), .command(Command(.delete, .table(bare)))]
    }

    /// The same two commands in nft syntax (for a text batch; the caller checks the names).
    static func clearText(_ key: TableKey) -> String {
        "add table \(key.family) \(key.name)\ndelete table \(key.family) \(key.name)\n"
    }

    /// Every table of `state` cleared, then created: one batch, with each entry's location.
    static func batch(_ state: RulesetState) -> (document: Document, locations: [SourceLocation?]) {
        var entries: [Document.Entry] = []
        var locations: [SourceLocation?] = []
        for t in state.tables {
            entries += clear(t.key)
            locations += [t.table.location, t.table.location]
        }
        let creation = state.creationBatch()
        return (Document(entries + creation.document.entries), locations + creation.locations)
    }
}
