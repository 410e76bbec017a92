import NFTAnalysis

/// `nftctl diff`: the plan from the tables FILE declares to the live ruleset, or to
/// `against` (a snapshot or a second rules file, loaded with no kernel of the host), and the
/// input's own notes (such as an ignored `flush ruleset`).
public enum DiffOperation {
    /// - Parameter store: where nftctl remembers its last verified listing: while the
    ///   generation id shows nobody committed since (and its tables change nothing without a
    ///   commit), that listing is the kernel's and the kernel need not be listed
    ///   (`StateStore.rememberedListing`, as an apply plans from it).
    public static func plan(
        _ file: String, against: String?, store: StateStore? = nil, netns: String? = nil,
        normalizer: some Normalizer = ScratchNormalizer(), live backend: () throws -> Backend
    ) throws -> (plan: Plan, notes: [Diagnostic]) {
        let input = try InputLoader.load(file)
        let desired = try PlanOperation.desiredState(input, normalizer: normalizer)
        let live: Document
        if let against {
            live = try SnapshotLoader.listing(against)
        } else {
            let kernel = try backend()
            let generation = try kernel.generationID()
            live = try store?.rememberedListing(generation: generation, netns: netns, covering: input.state.keys)?.document ?? kernel.list()
        }
        defer { ProcessLifetime.keep((input, desired, live)) }
        return (try PlanOperation.plan(desired: desired, live: live), input.notes)
    }
}
