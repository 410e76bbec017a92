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
    /// tables must be listed again: a table deleted or replaced whole; a set or map that
    /// can change at run time (flags `dynamic` or `timeout`, elements with a timeout or an
    /// expiry, per-element statements, a rule that adds to it) or a named object in the
    /// tables; a rule deleted that holds state. A rule replaced that holds state needs no
    /// listing when the batch is `echoed`: the echo shows the old rule with its counts as
    /// the commit replaced it (`SnapshotCounts`).
    static func needsListing(plan: Plan, live: RulesetState, echoed: Bool) -> Bool {
        for t in plan.tables {
            switch t.mode {
            case .delete, .replace: return true
            case .create, .update: break
            }
            for c in t.changes {
                guard case .rule(_, let old?, let new, _) = c.subject, holdsState(old) else { continue }
                if new == nil || !echoed { return true }
            }
        }
        for t in live.tables {
            if !t.objects.isEmpty { return true }
            if t.rules.contains(where: { NormalizationCache.updatesSets($0.value) }) { return true }
            for s in t.sets.map(\.value) {
                let flags = s.flags?.values ?? []
                if flags.contains("dynamic") || flags.contains("timeout") || !(s.stmt ?? []).isEmpty { return true }
                if s.elements.contains(where: changesAtRunTime) { return true }
            }
        }
        return false
    }

    /// A rule whose listing carries values the packet path changes.
    static func holdsState(_ r: Rule) -> Bool { r.statements.contains(where: SnapshotCounts.holdsState) }

    /// An element that expires or counts.
    static func changesAtRunTime(_ e: Expression) -> Bool {
        if case .elem(let el) = e { return el.timeout != nil || el.expires != nil || !el.statements.isEmpty }
        return false
    }
}
