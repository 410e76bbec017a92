import NFTAnalysis

extension Transport {
    /// Commits a plan's batch (apply's and rollback's one send step). The text batch writes
    /// the elements it adds or deletes with their set's value types, so it is told every set
    /// they may belong to (`sets(of:in:desired:)`). `echoed` commits with the kernel's echo
    /// and returns it (apply verifies a rule-only change from it).
    @discardableResult
    static func commit(
        _ batch: (document: Document, locations: [SourceLocation?]), sets: [NamedSet], backend: Backend,
        echoed: Bool = false
    ) throws -> Document? {
        if echoed { return try sendEchoed(batch.document, locations: batch.locations, sets: sets, backend: backend) }
        try send(batch.document, locations: batch.locations, sets: sets, backend: backend)
        return nil
    }

    /// Every set a batch's elements may belong to: the sets of `tables` in a live state (none
    /// when the listing could not be read as one) and the desired ones.
    static func sets(of live: RulesetState?, in tables: [TableKey], desired: RulesetState) -> [NamedSet] {
        (live?.tables.filter { tables.contains($0.key) }.flatMap { $0.sets.map(\.value) } ?? [])
            + desired.tables.flatMap { $0.sets.map(\.value) }
    }
}
