import NFTAnalysis

/// Where rulesets are read from and committed to: the kernel through libnftables
/// (`LibNFTablesBackend`), or an in-memory stand-in for tests (`FakeBackend`).
/// Errors thrown are `BackendError`.
public protocol Backend: AnyObject, Sendable {
    /// The whole ruleset (`list ruleset`), as libnftables lists it.
    func list() throws -> Document
    /// One table (`list table FAMILY NAME`).
    func list(table family: String, name: String) throws -> Document
    /// Commits `batch` as ONE transaction: all of it or, on any error, none of it.
    /// With `dryRun` the kernel checks the batch and aborts it.
    func apply(_ batch: Document, dryRun: Bool) throws
    /// The same for nft syntax.
    func applyText(_ nft: String, dryRun: Bool) throws
    /// The kernel's ruleset generation id: +1 per commit by anyone, unchanged by a list.
    func generationID() throws -> UInt32
    /// True when the backend keeps the model itself (no libnftables parser in between):
    /// batches then go to `apply` as they are, never as nft syntax.
    var keepsModel: Bool { get }
    /// `applyText` (not a dry run) with the kernel's echo: what the batch created or
    /// replaced, in batch order, as the kernel holds it (handles included). nil: this
    /// backend gives no echo, and the caller must list instead.
    func applyTextEchoed(_ nft: String) throws -> Document?
    /// `apply` (not a dry run) the same way.
    func applyEchoed(_ batch: Document) throws -> Document?
    /// The tables that exist, without listing them.
    func tableKeys() throws -> Set<TableKey>
    /// Prepares, in the background, what a later commit of a change would otherwise do first
    /// (see `LibNFTablesBackend.warmCache`); nothing for a backend with nothing to prepare.
    func warmCache()
    /// The identity (`StateStore.namespaceIdentity`) of the network namespace this backend
    /// talks to, which it holds open: nil when it cannot say (a fake).
    func namespaceIdentity() -> UInt64?
    /// A table's rules as digests of their bytes, and its set names and object and flowtable
    /// counts, from nftctl's own dumps (`KernelRules`); nil: this backend cannot say.
    func contents(family: String, table: String) throws -> KernelTableContents?
    /// A table without its rules, as `list(table:name:)` gives the rest
    /// (`ListingRepair.listDeclarations`); nil: list it instead. The sets named in
    /// `keysRead` come without their elements, which the caller reads in the kernel's dump
    /// (`elementKeys`).
    func declarations(family: String, table: String, keysRead: Set<String>) throws -> Document?
    /// Commits `batch`, nftctl's own encoding of tables created whole (`KernelBatch`), if
    /// nobody committed since `generation`; returns the kernel's echo. nil: nothing was
    /// sent, this backend cannot (commit the plan's batch instead). Throws
    /// `KernelBatch.Refusal` when the kernel refused it (nothing was committed).
    func commit(_ batch: KernelBatch, generation: UInt32) throws -> KernelBatch.Echo?
    /// The keys of the elements the kernel holds in set `set` of table `table`, from
    /// nftctl's own dump (`KernelSetElements`), not decoded; nil: this backend cannot say.
    func elementKeys(family: String, table: String, set: String) throws -> [[UInt8]]?
}

extension Backend {
    public var keepsModel: Bool { false }
    public func applyTextEchoed(_ nft: String) throws -> Document? {
        try applyText(nft, dryRun: false)
        return nil
    }
    public func applyEchoed(_ batch: Document) throws -> Document? {
        try apply(batch, dryRun: false)
        return nil
    }
    public func tableKeys() throws -> Set<TableKey> { Set(try list().items.compactMap(\.tableKey)) }
    public func warmCache() {}
    public func namespaceIdentity() -> UInt64? { nil }
    public func contents(family: String, table: String) throws -> KernelTableContents? { nil }
    public func declarations(family: String, table: String, keysRead: Set<String>) throws -> Document? { nil }
    public func commit(_ batch: KernelBatch, generation: UInt32) throws -> KernelBatch.Echo? { nil }
    public func elementKeys(family: String, table: String, set: String) throws -> [[UInt8]]? { nil }
}
