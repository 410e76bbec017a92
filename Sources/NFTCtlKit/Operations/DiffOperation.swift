import NFTAnalysis

/// `nftctl diff`: the plan from the tables FILE declares to the live ruleset, or to
/// `against` (a snapshot or a second rules file, loaded with no kernel of the host), and the
/// input's own notes (such as an ignored `flush ruleset`).
public enum DiffOperation {
    public static func plan(_ file: String, against: String?, live backend: () throws -> Backend) throws -> (
        plan: Plan, notes: [Diagnostic]
    ) {
        let input = try InputLoader.load(file)
        let desired = try PlanOperation.desiredState(input)
        let live = try against.map(SnapshotLoader.listing) ?? backend().list()
        defer { ProcessLifetime.keep((input, desired, live)) }
        return (try PlanOperation.plan(desired: desired, live: live), input.notes)
    }
}
