import Foundation
import NFTAnalysis

/// Builds plans: the desired side is what the same kernel makes of the rules in a scratch
/// namespace (so its normal forms are never differences), carrying the user's locations;
/// the live side is a listing with handles, restricted to the tables concerned.
public enum PlanOperation {
    /// The desired tables as the kernel lists them, with the locations of `input`; those of
    /// `learnable` possibly as written (`Normalizer.normalize(_:learnable:)`).
    public static func desiredState(
        _ input: LoadedInput, normalizer: some Normalizer = ScratchNormalizer(), learnable: Set<TableKey> = []
    ) throws -> DesiredState {
        var timer = PhaseTimer()
        let diagnostics = Validator.validate(input.state)
        if diagnostics.hasErrors { throw ValidationFailure(diagnostics: diagnostics) }
        timer.mark("  validation")
        var desired = try normalizer.normalize(input, learnable: learnable)
        desired.state.copyLocations(from: input.state)
        if input.kind == .nft { try checkJSONPath(input, normalized: desired.state) }
        return desired
    }

    /// An `.nft` file reaches the kernel as libnftables JSON (the listing of its text load).
    /// Where 1.0.6's JSON parser does not load that listing back to the same ruleset (a
    /// libnftables bug, e.g. `ip6 dscp >> 6` in a concatenation), applying it would install
    /// something other than the file says: refuse, naming the rule.
    /// The input's sets nft had merged to one element are split (`MergedIntervalSets`), and
    /// so are the loaded ones, which the kernel merged again: compared alike.
    static func checkJSONPath(_ input: LoadedInput, normalized: RulesetState) throws {
        let loaded = normalized.listingItems.map(MergedIntervalSets.split)
        let diffs = ListingComparison.differences(expected: input.state.listingItems, actual: loaded, tables: input.state.keys)
        guard !diffs.isEmpty else { return }
        let lines = diffs.prefix(6).map { d -> String in
            let text: String
            if case .rule(let r) = d.item {
                text = "\(r.family) \(r.table) \(r.chain): \(r.nftText(context: PrintContext(stateless: true)))"
            } else {
                text = d.item.json.serialized(.spaced)
            }
            return "  \(d.side == .missing ? "written" : "would load as") \(text)"
        }
        throw Problem(
            """
            \(input.path): nft 1.0.6 cannot carry these rules through its JSON interface unchanged (a libnftables \
            bug), so nftctl will not apply them:
            \(lines.joined(separator: "\n"))
            """)
    }

    /// A live listing (kernel or snapshot) as state with handles, only `tables`.
    public static func liveState(_ listing: Document, tables: [TableKey]) throws -> RulesetState {
        do {
            return try RulesetState(listing: listing, tables: Set(tables))
        } catch {
            throw Problem("cannot read the live ruleset: \(error)")
        }
    }

    /// Element deltas are only as good as the listings: a live listing (kernel, snapshot or
    /// remembered) that repeats elements of a set is not complete, and planning from it
    /// could delete what is there, so it is refused here whatever its origin. Every table the
    /// listing holds (a rollback's lists them all) counts for `PositionedRuleCrash`, and
    /// those of `backend`'s namespace it does not (a remembered listing's).
    public static func plan(
        desired: DesiredState, live listing: Document, prune: [TableKey] = [], declaredBefore: () -> DeclaredElements? = { nil },
        backend: Backend? = nil
    ) throws -> Plan {
        let live = try plannableLiveState(listing, tables: desired.keys + prune)
        return Planner.plan(
            desired: desired.state, written: desired.written, live: live, prune: prune, declaredBefore: declaredBefore,
            elsewhere: { PositionedRuleCrash.holds(listing, orBesideIn: backend) })
    }

    /// `liveState` of a listing to plan from: refused when a set of these tables is listed
    /// incompletely (see `plan`).
    static func plannableLiveState(_ listing: Document, tables: [TableKey]) throws -> RulesetState {
        let keys = Set(tables)
        let broken = listing.inconsistentSets.filter { keys.contains(TableKey(family: $0.family, name: $0.table)) }
        if !broken.isEmpty { throw IncompleteListing(what: "the live listing", attempts: 1, sets: broken) }
        return try liveState(listing, tables: tables)
    }

    /// A plan to tables that are already a listing (a snapshot's): no written form to send.
    public static func plan(
        desired: RulesetState, live listing: Document, prune: [TableKey] = [], declaredBefore: () -> DeclaredElements? = { nil }
    ) throws -> Plan {
        try plan(desired: DesiredState(state: desired), live: listing, prune: prune, declaredBefore: declaredBefore)
    }
}

extension RulesetState {
    /// Gives objects the locations of the same objects in `source` (by name; rules by
    /// position in their chain).
    mutating func copyLocations(from source: RulesetState) {
        for ti in tables.indices {
            guard let src = source.table(tables[ti].key) else { continue }
            tables[ti].table.location = src.table.location
            for i in tables[ti].chains.indices { tables[ti].chains[i].location = src.chain(tables[ti].chains[i].value.name)?.location }
            for i in tables[ti].sets.indices { tables[ti].sets[i].location = src.set(tables[ti].sets[i].value.name)?.location }
            for i in tables[ti].objects.indices {
                let o = tables[ti].objects[i].value
                tables[ti].objects[i].location =
                    src.objects.first { $0.value.name == o.name && $0.value.body.kind == o.body.kind }?.location
            }
            var seen: [String: Int] = [:]
            var srcRules: [String: [SourceLocation?]] = [:]
            for r in src.rules { srcRules[r.value.chain, default: []].append(r.location) }
            for i in tables[ti].rules.indices {
                let c = tables[ti].rules[i].value.chain
                let n = seen[c, default: 0]
                seen[c] = n + 1
                if let locs = srcRules[c], n < locs.count { tables[ti].rules[i].location = locs[n] }
            }
        }
    }
}
