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
    public static func run(_ input: LoadedInput, backend: Backend, mode: Mode = .incremental, dryRun: Bool = false,
                           approve: (Plan) -> Bool = { _ in true }) throws -> Report {
        let state = input.state
        guard !state.tables.isEmpty else { throw InputError("\(input.path): declares no tables; nothing to apply") }
        let desired = try PlanOperation.desiredState(input)

        let generation = try backend.generationID()
        let plan = try PlanOperation.plan(desired: desired, live: try backend.list())
        let batch: (document: Document, locations: [SourceLocation?])
        switch mode {
        case .incremental: batch = PlanBatch.build(plan)
        case .replace: batch = replaceBatch(state)
        }
        var report = Report(tables: state.keys, plan: plan, commands: batch.document.entries.count, applied: false)
        if dryRun || (plan.isEmpty && mode == .incremental) || !approve(plan) { return report }

        // Stale-plan guard: libnftables 1.0.6 does not send NFNL_BATCH_GENID, so compare the
        // id read before the listing with the id now; the window left is this call to commit.
        let now = try backend.generationID()
        if now != generation {
            throw StalePlan(expected: generation, found: now)
        }
        do {
            try backend.apply(batch.document, dryRun: false)
        } catch {
            throw ApplyFailure(message: "the kernel refused the batch; nothing was changed: \(error)")
        }
        report.applied = true

        let after = try PlanOperation.plan(desired: desired, live: try backend.list())
        if !after.isEmpty { throw VerificationFailure(plan: after) }
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
