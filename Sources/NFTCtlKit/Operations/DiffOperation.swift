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
        // The file is read and normalised while the kernel is listed: neither needs the other.
        let side = Concurrently { () throws -> (LoadedInput, DesiredState) in
            let input = try InputLoader.load(file)
            return (input, try PlanOperation.desiredState(input, normalizer: normalizer))
        }
        // One backend (a libnftables context, the namespace held open) for every use below.
        var made: Backend?
        func kernel() throws -> Backend {
            if let made { return made }
            let b = try backend()
            made = b
            return b
        }
        let listed = Result { () throws -> (document: Document, remembered: StateStore.RememberedListing?) in
            if let against { return (try SnapshotLoader.listing(against), nil) }
            let kernel = try kernel()
            let generation = try kernel.generationID()
            if let r = store?.rememberedListing(generation: generation, netns: netns) { return (r.document, r) }
            return (try kernel.list(), nil)
        }
        // A file that does not load is the error to report, whatever the listing did.
        let (input, desired) = try side.wait()
        let (listing, remembered) = try listed.get()
        // The remembered listing holds for the tables it covers: a file declaring others is
        // planned against the kernel's listing.
        let live = remembered.map { $0.covers(input.state.keys) } == false ? try kernel().list() : listing
        defer { ProcessLifetime.keep((input, desired, live)) }
        let before = against == nil ? store?.declaredElements() : nil
        // Other programs' tables count for the crash guard, as they do for `apply`.
        let plan = try PlanOperation.plan(
            desired: desired, live: live, declaredBefore: before ?? { nil }, backend: against == nil ? try kernel() : nil)
        return (plan, input.notes)
    }
}
