import NFTables

/// `nftctl apply`. By default incremental: the plan (desired vs live, declared tables only)
/// becomes ONE libnftables batch, so unchanged rules keep their handles and counters and
/// run-time set elements survive. `replace` swaps the declared tables whole (`add table` +
/// `delete table` + create, also one batch). Either way no other table is named in the
/// batch, a writer that commits between the listing and our commit makes the apply fail
/// (generation id), and afterwards the kernel is listed again: the plan must be empty.
public enum ApplyOperation {
    public enum Mode: Sendable { case incremental, replace }

    public struct Report: Sendable {
        public var tables: [TableKey]
        public var plan: Plan
        public var commands: Int
        public var applied: Bool
        /// The state before the commit, for `nftctl rollback` and `--confirm`.
        public var snapshot: StateStore.Snapshot?
    }

    /// The single batch that replaces `state`'s tables whole.
    public static func replaceBatch(_ state: RulesetState) -> (document: Document, locations: [SourceLocation?]) {
        var entries: [Document.Entry] = []
        var locations: [SourceLocation?] = []
        for t in state.tables {
            let bare = Table(family: t.table.value.family, name: t.table.value.name)
            entries.append(.command(Command(.add, .table(bare))))
            entries.append(.command(Command(.delete, .table(bare))))
            locations += [t.table.location, t.table.location]
        }
        let creation = state.creationBatch()
        return (Document(entries + creation.document.entries), locations + creation.locations)
    }

    /// - Parameters:
    ///   - approve: shown the plan before anything is committed; returning false stops.
    ///   - store: where managed tables and snapshots are kept (nil: remember nothing).
    ///   - prune: also delete managed tables the rules no longer declare.
    public static func run(_ input: LoadedInput, backend: Backend, mode: Mode = .incremental, dryRun: Bool = false,
                           store: StateStore? = nil, prune: Bool = false, netns: String? = nil,
                           approve: (Plan) -> Bool = { _ in true }) throws -> Report {
        var timer = PhaseTimer()
        let state = input.state
        guard !state.tables.isEmpty else { throw InputError("\(input.path): declares no tables; nothing to apply") }
        let desired = try PlanOperation.desiredState(input)
        timer.mark("desired state (validation + scratch namespace)")
        let managed = try store?.managedTables() ?? []
        let pruned = prune ? managed.filter { !state.keys.contains($0) } : []

        let generation = try backend.generationID()
        // Nobody committed since nftctl's own verified apply: the ruleset is what it listed then.
        let liveListing = try store?.rememberedListing(generation: generation, netns: netns) ?? backend.list()
        timer.mark("live listing")
        var plan = try PlanOperation.plan(desired: desired, live: liveListing, prune: pruned)
        timer.mark("plan")
        let batch: (document: Document, locations: [SourceLocation?])
        switch mode {
        case .incremental: batch = PlanBatch.build(plan)
        case .replace:
            let whole = replaceBatch(state)
            let deletes = PlanBatch.build(Plan(tables: plan.tables.filter { if case .delete = $0.mode { return true }; return false }))
            batch = (Document(deletes.document.entries + whole.document.entries), deletes.locations + whole.locations)
            plan.tables = plan.tables.map { t in
                var t = t
                if case .update = t.mode, !t.changes.isEmpty { t.mode = .replace("--replace") }
                return t
            }
        }
        var report = Report(tables: state.keys, plan: plan, commands: batch.document.entries.count, applied: false)
        if dryRun { return report }
        if plan.isEmpty && mode == .incremental {
            try store?.setManagedTables(Array(Set(managed + state.keys)))
            return report
        }
        if !approve(plan) { return report }
        report.snapshot = try store?.saveSnapshot(tables: state.keys + pruned, listing: liveListing)
        timer.mark("snapshot")

        // Stale-plan guard: libnftables 1.0.6 does not send NFNL_BATCH_GENID, so compare the
        // id read before the listing with the id now; the window left is this call to commit.
        let now = try backend.generationID()
        if now != generation {
            throw StalePlan(expected: generation, found: now)
        }
        do {
            let liveSets = (try? PlanOperation.liveState(liveListing, tables: state.keys))?.tables.flatMap { $0.sets.map(\.value) } ?? []
            try Transport.send(batch.document, locations: batch.locations,
                               sets: liveSets + desired.tables.flatMap { $0.sets.map(\.value) }, backend: backend)
        } catch {
            throw ApplyFailure(message: "the kernel refused the batch; nothing was changed: \(error)")
        }
        report.applied = true
        timer.mark("commit")

        try store?.setManagedTables(Array(Set(managed + state.keys).subtracting(pruned)))
        store?.forgetListing()
        let afterGeneration = try backend.generationID()
        let afterListing = try backend.list()
        let after = try PlanOperation.plan(desired: desired, live: afterListing, prune: pruned)
        timer.mark("verification (re-list + plan)")
        if !after.isEmpty { throw VerificationFailure(plan: after) }
        // Against the declaration itself, not only its scratch normal form (Verify).
        let mismatches = Verify.differences(declared: state, live: try PlanOperation.liveState(afterListing, tables: state.keys))
        if !mismatches.isEmpty { throw DeclarationMismatch(differences: mismatches) }
        // Kept only if nothing committed between the generation read and the listing.
        if try backend.generationID() == afterGeneration {
            store?.rememberListing(afterListing, generation: afterGeneration, netns: netns)
        }
        return report
    }
}

public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Someone else committed to the ruleset between our listing and our commit.
public struct StalePlan: Error, Sendable, CustomStringConvertible {
    public var expected: UInt32
    public var found: UInt32
    public var description: String {
        "the ruleset changed while the plan was being made (generation \(expected) -> \(found)): another program wrote to it. Nothing was applied; run again to plan against the new state."
    }
}

/// After the commit, the kernel does not hold what was asked.
public struct VerificationFailure: Error, Sendable, CustomStringConvertible {
    public var plan: Plan
    public var description: String {
        "applied, but the kernel does not hold what was asked; what still differs:\n" + PlanRenderer(color: false).text(plan)
    }
}
