import NFTAnalysis

extension Transport {
    /// Commits a plan's batch (apply's and rollback's one send step). The text batch writes
    /// the elements it adds or deletes with their set's value types, so it is told every set
    /// they may belong to: the live sets of `tables` and the desired ones.
    static func commit(
        _ batch: (document: Document, locations: [SourceLocation?]), live: Document, tables: [TableKey],
        desired: RulesetState, backend: Backend
    ) throws {
        let liveSets = (try? PlanOperation.liveState(live, tables: tables))?.tables.flatMap { $0.sets.map(\.value) } ?? []
        try send(
            batch.document, locations: batch.locations,
            sets: liveSets + desired.tables.flatMap { $0.sets.map(\.value) }, backend: backend)
    }
}
