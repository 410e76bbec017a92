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
    /// the commit replaced it (`patched`).
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
    static func holdsState(_ r: Rule) -> Bool {
        r.statements.contains {
            switch $0 {
            case .counter, .quota, .last: return true
            default: return false
            }
        }
    }

    /// An element that expires or counts.
    static func changesAtRunTime(_ e: Expression) -> Bool {
        if case .elem(let el) = e { return el.timeout != nil || el.expires != nil || !el.statements.isEmpty }
        return false
    }

    /// `listing` with the counts of each rule the echo shows deleted (a replaced rule, just
    /// before the commit replaced it); nil when that changes nothing. Only the values of its
    /// stateful statements are taken, the rest of the rule stays as listed.
    static func patched(_ listing: Document, echo: Document) -> Document? {
        var old: [String: Rule] = [:]
        for case .command(let c) in echo.entries where c.verb == .delete {
            if case .rule(let r) = c.item, let h = r.handle { old["\(r.family) \(r.table) \(h)"] = r }
        }
        guard !old.isEmpty else { return nil }
        var changed = false
        let entries = listing.entries.map { e -> Document.Entry in
            guard case .item(.rule(var r)) = e, let h = r.handle, let then = old["\(r.family) \(r.table) \(h)"],
                var expr = r.expr, expr.count == then.statements.count
            else { return e }
            for (i, s) in then.statements.enumerated() where holdsState(Rule(family: "", table: "", chain: "", expr: [s])) {
                if sameKind(expr[i], s), expr[i] != s {
                    expr[i] = s
                    changed = true
                }
            }
            r.expr = expr
            return .item(.rule(r))
        }
        return changed ? Document(entries) : nil
    }

    private static func sameKind(_ a: Statement, _ b: Statement) -> Bool {
        switch (a, b) {
        case (.counter, .counter), (.quota, .quota), (.last, .last): return true
        default: return false
        }
    }
}
