import NFTAnalysis

/// The counts a snapshot's replaced rules had when the commit replaced them. The snapshot is
/// written before the commit, from a listing that may be older than the commit (remembered
/// at this generation id); the kernel's echo of an incremental batch shows each replaced
/// rule as deleted, with its counters as they were at that moment. Kept beside the snapshot
/// (`ID.counts.json`, the echo's rule deletions only) and applied when the snapshot is read,
/// so a 1-rule change does not write the whole snapshot a second time.
enum SnapshotCounts {
    /// The part of an echo the counts come from: its rule deletions (nil when there are none).
    static func deletions(in echo: Document) -> Document? {
        let entries = echo.entries.filter {
            if case .command(let c) = $0, c.verb == .delete, case .rule(let r) = c.item, r.handle != nil { return true }
            return false
        }
        return entries.isEmpty ? nil : Document(entries)
    }

    /// `listing` with the counts of each rule the echo shows deleted; nil when that changes
    /// nothing. Only the values of its stateful statements are taken, the rest of the rule
    /// stays as listed.
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
            for (i, s) in then.statements.enumerated() where holdsState(s) {
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

    /// A statement whose listing carries values the packet path changes.
    static func holdsState(_ s: Statement) -> Bool {
        switch s {
        case .counter, .quota, .last: return true
        default: return false
        }
    }

    private static func sameKind(_ a: Statement, _ b: Statement) -> Bool {
        switch (a, b) {
        case (.counter, .counter), (.quota, .quota), (.last, .last): return true
        default: return false
        }
    }
}
