import Foundation
import NFTAnalysis
import Synchronization

/// The kernel, through libnftables, in this network namespace or a named one (`ip netns`).
public final class LibNFTablesBackend: Backend, @unchecked Sendable {
    /// The namespace name, nil for the caller's own namespace.
    public let netns: String?
    private let namespace: NetworkNamespace?
    // One context for the backend's lifetime: a dry run and the following real run share
    // libnftables' cache (10k rules: the real apply then costs ~3 ms).
    private let context: NFTContext
    private let warming = Mutex<Concurrently<Bool>?>(nil)
    /// Set once this backend has sent a batch: its sets may be being resized since.
    private let committed = Atomic<Bool>(false)
    /// Per table (`family name`), the generation at which its sets last dumped clean: one
    /// verification lists a table's declarations and the table, and a commit's elements are
    /// what a set is resized for right after it. (Packets can grow a dynamic set at any
    /// time; a listing torn by that is caught by `CompleteListing`.)
    private let settled = Mutex<[String: UInt32]>([:])

    /// Opens the backend. With a name, the context is created inside `/run/netns/NAME`
    /// (its netlink socket belongs to the namespace it was opened in), and every later call
    /// enters that namespace too; the calling thread always returns to its own namespace.
    public init(netns: String? = nil) throws(BackendError) {
        self.netns = netns
        namespace = try netns.map { (name: String) throws(BackendError) in try NetworkNamespace(name: name) }
        context = try NFTContext(outputFlags: [.json], namespace: namespace)
    }

    public func list() throws -> Document {
        if committed.load(ordering: .relaxed), let tables = try? ownRequest({ () throws(BackendError) in try KernelTables.read() }) {
            for t in tables { settleSets(t.family, t.name) }
        }
        return try CompleteListing.read(what: "the listing of the ruleset") { try ListingRepair.list("ruleset", context: context) }
    }

    public func list(table family: String, name: String) throws -> Document {
        // nft syntax takes table names only as identifiers; others are listed whole and filtered.
        guard TextBatch.isListableName(name), Family(rawValue: family) != nil else {
            let all = try list()
            return Document(
                all.entries.filter { e in
                    if case .item(let i) = e, let k = i.tableKey { return k.family == family && k.name == name }
                    return false
                })
        }
        settleSets(family, name)
        return try CompleteListing.read(what: "the listing of table \(family) \(name)") {
            try ListingRepair.list("table \(family) \(name)", context: context)
        }
    }

    public func apply(_ batch: Document, dryRun: Bool) throws {
        if !dryRun { committed.store(true, ordering: .relaxed) }
        _ = try context.run(json: batch.json.serialized(), dryRun: dryRun)
    }

    /// The text goes through a private file rather than a buffer: from a buffer, 1.0.6's
    /// errors name no line (and quote the buffer's first line), from a file they say
    /// `FILE:LINE:COL`, which `TextBatch` maps back to the command and the user's line.
    public func applyText(_ nft: String, dryRun: Bool) throws {
        _ = try runText(nft, flags: nil, dryRun: dryRun)
    }

    /// With echo, handles and JSON output: libnftables prints the kernel's own account of
    /// each rule the batch added or replaced (a replaced rule as `delete` of the old one,
    /// counters included, then `add`), as JSON although the batch is nft syntax (with the
    /// JSON flag 1.0.6 tries its JSON parser first, which refuses the text untouched, then
    /// parses nft syntax). Deletes are not echoed. Echo makes 1.0.6 dump the ruleset before
    /// the commit, as a positioned change does anyway: one kernel dump, not a listing.
    public func applyTextEchoed(_ nft: String) throws -> Document? {
        let out = try runText(nft, flags: [.json, .echo, .handle], dryRun: false)
        return try? Document.parse(out.isEmpty ? #"{"nftables": []}"# : out)
    }

    private func runText(_ nft: String, flags: NFTOutputFlags?, dryRun: Bool) throws -> String {
        if !dryRun { committed.store(true, ordering: .relaxed) }
        let run = { (buffer: String, isFile: Bool) throws(BackendError) -> String in
            if let flags { return try self.context.run(buffer, flags: flags, dryRun: dryRun, isFile: isFile) }
            return isFile ? try self.context.run(file: buffer, dryRun: dryRun) : try self.context.run(text: buffer, dryRun: dryRun)
        }
        // A memfd (`ScratchFile`): libnftables reads it by name, and nothing touches the disk.
        guard let file = ScratchFile(Array(nft.utf8)) else { return try run(nft, false) }
        defer { withExtendedLifetime(file) {} }  // open until libnftables is done with it
        do {
            return try run(file.path, true)
        } catch let BackendError.nftables(operation, text) {
            throw BackendError.nftables(operation: operation, text: text.replacingOccurrences(of: file.path + ":", with: "batch:"))
        }
    }

    /// Fills libnftables' cache, on a thread of its own, for a change the caller will commit
    /// later without listing the kernel in between (planned from a remembered listing).
    ///
    /// Why: before a positioned or replacing rule command, and before any command with echo,
    /// 1.0.6 dumps and decodes the whole ruleset (`NFT_CACHE_FULL`): at 10k rules that is
    /// most of the commit. The cache outlives the call and is used again as it is while the
    /// generation id has not moved and it is as complete as the next call needs
    /// (`nft_cache_update`), so it can be filled while nftctl reads the file and plans.
    ///
    /// How: a dry run (nothing is committed: the kernel aborts the batch) with echo, which
    /// asks for the full cache, on a table of a random name that exists only in this dry
    /// run. Replacing and appended rules then find the cache complete. A rule placed by
    /// position asks for more (`NFT_CACHE_UPDATE`: each rule evaluated is added to the cache)
    /// and gets its cache filled at the commit, as before: a warmed cache with that flag would
    /// make 1.0.6 add every rule of the batch to it, and for a rule of an anonymous chain
    /// (`jump { … }`) that dereferences a null chain name (review 9). Calls into libnftables
    /// are serialised by `NFTLock`, so the next one waits for this one. Anything that goes
    /// wrong leaves libnftables to fill its cache at the commit, as before.
    public func warmCache() {
        let name = "nftctl_warm_\(UInt64.random(in: 0...UInt64.max))"
        let t = "inet \(name)"
        let batch = "add table \(t)\nadd chain \(t) c\nadd rule \(t) c accept\n"
        let context = context
        let run = Concurrently { () -> Bool in (try? context.run(batch, flags: [.echo], dryRun: true)) != nil }
        warming.withLock { $0 = run }
    }

    /// The last `warmCache`'s dry run, once it has ended: true when libnftables took it
    /// (nil: none was started).
    func warmed() -> Bool? {
        try? warming.withLock { $0 }?.wait()
    }

    /// One netlink dump of the tables (`KernelTables`), not a listing.
    public func tableKeys() throws -> Set<TableKey> {
        Set(try ownRequest { () throws(BackendError) in try KernelTables.read() }.map { TableKey(family: $0.family, name: $0.name) })
    }

    public func contents(family: String, table: String) throws -> KernelTableContents? {
        try ownRequest { () throws(BackendError) in try KernelRules.read(family: family, table: table) }
    }

    public func declarations(family: String, table: String, keysRead: Set<String> = []) throws -> Document? {
        settleSets(family, table, except: keysRead)
        return try CompleteListing.readIfAny(what: "the declarations of table \(family) \(table)") {
            try ListingRepair.listDeclarations(family: family, name: table, context: context, keysRead: keysRead)
        }
    }

    public func elementKeys(family: String, table: String, set: String) throws -> [[UInt8]]? {
        try ownRequest { () throws(BackendError) in try KernelSetElements.keys(family: family, table: table, set: set) }
    }

    public func commit(_ batch: KernelBatch, generation: UInt32) throws -> KernelBatch.Echo? {
        committed.store(true, ordering: .relaxed)
        if let namespace { return try namespace.perform { try batch.send(generation: generation) } }
        return try batch.send(generation: generation)
    }

    public func namespaceIdentity() -> UInt64? {
        guard let namespace else { return SystemCall.netnsCookie() }
        return StateStore.identity(of: namespace)
    }

    public func generationID() throws -> UInt32 {
        try ownRequest { () throws(BackendError) in try GenerationID.read() }
    }

    /// A netlink request of nftctl's own (its own socket, no libnftables) in the backend's
    /// namespace. Not under `NFTLock`: `setns` moves only the calling thread, so these need
    /// not wait for libnftables work on another thread (`warmCache`).
    /// After a commit of this backend's, each named set of the table dumps without repeats
    /// before libnftables lists it (`KernelSetElements`), waited for once per generation; a
    /// dump that fails leaves it to `CompleteListing`.
    /// `except`: sets whose elements the caller reads in its own dump, which waits itself.
    private func settleSets(_ family: String, _ table: String, except: Set<String> = []) {
        guard committed.load(ordering: .relaxed) else { return }
        let key = family + " " + table + (except.isEmpty ? "" : " except " + except.sorted().joined(separator: ","))
        _ = try? ownRequest { () throws(BackendError) in
            let generation = try GenerationID.read()
            guard settled.withLock({ $0[key] }) != generation else { return }
            if try KernelSetElements.settle(family: family, table: table, except: except) { settled.withLock { $0[key] = generation } }
        }
    }

    private func ownRequest<T>(_ body: () throws(BackendError) -> T) throws -> T {
        if let namespace { return try namespace.perform(body) }
        return try body()
    }
}
