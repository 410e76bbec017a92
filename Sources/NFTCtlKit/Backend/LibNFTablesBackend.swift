import NFTables

/// The kernel, through libnftables, in this network namespace or a named one (`ip netns`).
public final class LibNFTablesBackend: Backend, @unchecked Sendable {
    /// The namespace name, nil for the caller's own namespace.
    public let netns: String?
    private let namespace: NetworkNamespace?
    // One context for the backend's lifetime: a dry run and the following real run share
    // libnftables' cache (10k rules: the real apply then costs ~3 ms).
    private let context: NFTContext

    /// Opens the backend. With a name, the context is created inside `/run/netns/NAME`
    /// (its netlink socket belongs to the namespace it was opened in), and every later call
    /// enters that namespace too; the calling thread always returns to its own namespace.
    public init(netns: String? = nil) throws(BackendError) {
        self.netns = netns
        namespace = try netns.map { (name: String) throws(BackendError) in try NetworkNamespace(name: name) }
        context = try NFTContext(outputFlags: [.json], namespace: namespace)
    }

    public func list() throws -> Document {
        try CompleteListing.read(#"{"nftables": [{"list": {"ruleset": null}}]}"#, what: "the listing of the ruleset", context: context) {
            try ListingRepair.repair($0, context: context)
        }
    }

    public func list(table family: String, name: String) throws -> Document {
        let cmd: JSON = ["nftables": [["list": ["table": ["family": .string(family), "name": .string(name)]]]]]
        return try CompleteListing.read(cmd.serialized(), what: "the listing of table \(family) \(name)", context: context) {
            try ListingRepair.repair($0, context: context)
        }
    }

    public func apply(_ batch: Document, dryRun: Bool) throws {
        _ = try context.run(json: batch.json.serialized(), dryRun: dryRun)
    }

    public func applyText(_ nft: String, dryRun: Bool) throws {
        _ = try context.run(text: nft, dryRun: dryRun)
    }

    public func generationID() throws -> UInt32 {
        try NFTLock.withLock { () throws -> UInt32 in
            if let namespace { return try namespace.perform { () throws(BackendError) in try GenerationID.read() } }
            return try GenerationID.read()
        }
    }
}
