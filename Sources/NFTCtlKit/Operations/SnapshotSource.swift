import NFTAnalysis

/// Where the snapshot of an apply comes from. A listing that was not just taken (the
/// remembered one, valid by the generation id, or one a prompt waited on) holds the
/// ruleset's structure exactly, since nobody committed since. What changes without a
/// commit is run-time state: counters, quotas and `last` in rules, named stateful objects,
/// elements the packet path adds or that expire. A rollback is incremental (`Rollback`):
/// it only puts back what the apply changed, so run-time state matters only where the
/// apply destroys it, or in sets whose elements the rollback would reconcile.
enum SnapshotSource {
    /// True when that listing may lack run-time state a rollback of `plan` needs, so the
    /// tables must be listed again: a table deleted or replaced whole; anything in the
    /// tables that changes without a commit (`RunTimeChange`) or a named object; a rule
    /// deleted that holds state. A rule replaced that holds state needs no
    /// listing when the batch is `echoed`: the echo shows the old rule with its counts as
    /// the commit replaced it (`SnapshotCounts`), unless it was replaced by an insert and a
    /// delete (`PlanBatch.goesAsInsert`), which the echo does not count.
    static func needsListing(plan: Plan, live: RulesetState, echoed: Bool) -> Bool {
        for t in plan.tables {
            switch t.mode {
            case .delete, .replace: return true
            case .create, .update: break
            }
            for c in t.changes {
                guard case .rule(_, let old?, let new, _) = c.subject, holdsState(old) else { continue }
                if new == nil || !echoed || PlanBatch.goesAsInsert(c) { return true }
            }
        }
        return live.tables.contains { !$0.objects.isEmpty || RunTimeChange.changes($0) }
    }

    /// A rule whose listing carries values the packet path changes.
    static func holdsState(_ r: Rule) -> Bool { r.statements.contains(where: SnapshotCounts.holdsState) }
}
