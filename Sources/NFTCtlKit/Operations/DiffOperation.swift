import NFTAnalysis

/// `nftctl diff`: the plan from the tables FILE declares to the live ruleset, or to
/// `against` (a snapshot or a second rules file, loaded with no kernel of the host).
public enum DiffOperation {
    public static func plan(_ file: String, against: String?, live backend: () throws -> Backend) throws -> Plan {
        let input = try InputLoader.load(file)
        let desired = try PlanOperation.desiredState(input)
        let live = try against.map(SnapshotLoader.listing) ?? backend().list()
        return try PlanOperation.plan(desired: desired, live: live)
    }
}
