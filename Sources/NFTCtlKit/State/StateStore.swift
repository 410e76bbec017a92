import Foundation
import NFTAnalysis

/// What nftctl remembers per network namespace, under /var/lib/nftctl (NFTCTL_STATE_DIR
/// overrides): which tables it manages (so `--prune` can delete one that disappeared from
/// the rules), snapshots of those tables taken before each apply (mode 0600, the newest
/// `keep`), and a pending `--confirm` deadline.
///
/// Root acts on what these files say (prune deletes, rollback installs), so every directory
/// and file is checked by `OwnedPath`: owned by the running user, not group/world-writable,
/// never a symbolic link. A state directory that fails the check is refused, not repaired.
public struct StateStore: Sendable {
    public let root: URL
    public let directory: URL
    /// The `--netns` name the store is for (nil: the namespace this process runs in).
    let netns: String?
    let place: Place
    public static let keep = 10

    public init(netns: String?) {
        self.init(root: Environment.value("NFTCTL_STATE_DIR") ?? "/var/lib/nftctl", netns: netns)
    }

    /// A state directory under `root` (tests: a directory of their own).
    public init(root: String, netns: String?) {
        self.root = URL(fileURLWithPath: root)
        self.netns = netns
        place = netns.map { .named($0) } ?? Self.currentNamespace()
        directory = self.root.appendingPathComponent(place.directory)
    }

    /// The namespace a store is for, as given (`--netns`) or found (`currentNamespace`). Each
    /// has a directory no other can have: `host`, `netns-NAME`, `unnamed-BOOT-COOKIE` (a name
    /// given to `--netns` always goes under `netns-`, so no name reaches another's).
    enum Place: Equatable {
        case host
        case named(String)
        case unnamed(cookie: UInt64)

        var directory: String {
            switch self {
            case .host: return "host"
            case .named(let name): return "netns-\(name)"
            case .unnamed(let cookie):
                // Cookies count again from each boot: the boot's id keeps an earlier boot's apart.
                let boot = StateStore.bootID.filter { $0.isHexDigit || $0 == "-" }
                return "unnamed-\(boot.isEmpty ? "" : boot + "-")\(cookie)"
            }
        }
    }

    /// The namespace this process runs in, for no `--netns`: the host's in the initial network
    /// namespace (pid 1's); in a named one (`ip netns exec NAME nftctl …`) that name, whose
    /// directory `--netns NAME` uses; in an unnamed one, its netns cookie (never reused in
    /// this boot). Under the host's, a rollback, `--prune` or the boot service's restore would
    /// act on another namespace's snapshots, tables and ruleset. Pid 1's namespace may be
    /// hidden even from root; since Linux 6.18 the initial one has a fixed inode
    /// (`PROC_NET_INIT_INO`). Where neither tells, the host's, as before.
    static func currentNamespace() -> Place {
        guard let mine = SystemCall.inode("/proc/self/ns/net") else { return .host }
        let initial = isInitialNamespace(inode: mine)
        if initial == true { return .host }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        if let name = names.sorted().first(where: { SystemCall.inode("/run/netns/\($0)") == mine }) { return .named(name) }
        if initial == false, let cookie = SystemCall.netnsCookie() { return .unnamed(cookie: cookie) }
        return .host
    }

    /// True for the host's state directory.
    var isHostDirectory: Bool { place == .host }

    /// The namespace this store is for, as a person reads it: `--netns`'s name, or which one
    /// this process runs in (`currentNamespace`), not the host's under `ip netns exec`.
    var namespaceDescription: String {
        if let netns { return SafeText.name(netns) }
        switch place {
        case .host: return "this host's"
        case .named(let name): return "\(SafeText.name(name)) (the one this process runs in)"
        case .unnamed(let cookie): return "this process's (unnamed, cookie \(cookie))"
        }
    }

    /// Whether the network namespace of inode `inode` is the initial one; nil: cannot tell.
    static func isInitialNamespace(inode: UInt64) -> Bool? {
        if let first = SystemCall.inode("/proc/1/ns/net") { return first == inode }
        let release = Versions.kernelRelease.split(separator: ".").prefix(2).compactMap { Int($0) }
        return release.count == 2 && (release[0], release[1]) >= (6, 18) ? inode == 0xEFFF_FFF9 : nil
    }

    var managedFile: URL { directory.appendingPathComponent("managed.json") }
    var snapshotDir: URL { directory.appendingPathComponent("snapshots") }
    var pendingFile: URL { directory.appendingPathComponent("pending-confirm.json") }

    func ensureDirectories() throws {
        for d in [root, directory, snapshotDir] {
            do { try OwnedPath.ensureDirectory(d.path) } catch let refused as OwnedPath.Refused {
                throw refused
            } catch {
                throw Problem("cannot create the state directory \(d.path): \(error)")
            }
        }
    }

    /// Checks the directories from the root down to `url`'s; false when one does not exist
    /// yet (then nothing below it exists either).
    func checkDirectories(downTo url: URL) throws -> Bool {
        var chain = [root, directory]
        if url.deletingLastPathComponent().path == snapshotDir.path || url.path == snapshotDir.path { chain.append(snapshotDir) }
        for d in chain {
            var st = stat()
            if lstat(d.path, &st) != 0, errno == ENOENT { return false }
            try OwnedPath.checkDirectory(d.path)
        }
        return true
    }

    /// Pretty for the files a person may read; `.compact` for the large ones only nftctl
    /// reads (snapshots, the remembered listing), where layout costs time on every apply.
    /// `durable: false` for what only holds in this boot (the boot id is in it), is derived
    /// from another state file that it names, or is read as absent when lost
    /// (`DeclaredElements`): no fsync.
    func write(_ json: JSON, to url: URL, style: JSONStyle = .pretty, durable: Bool = true) throws {
        try ensureDirectories()
        try OwnedPath.write(json.serializedBytes(style), to: url.path, durable: durable)
    }

    /// `write`, with the fsync on a thread of its own (`OwnedPath.writeSyncingLater`): for a
    /// snapshot, which must be in place before the commit but need only be durable before the
    /// state written after it (the saved ruleset it can undo, a pending confirmation).
    func writeSyncingLater(_ json: JSON, to url: URL, style: JSONStyle = .pretty) throws {
        try ensureDirectories()
        try OwnedPath.writeSyncingLater(json.serializedBytes(style), to: url.path)
    }

    /// - Parameter torn: `.absent` for what is written without fsync (or synced later) and only
    ///   adds to what is known without it, which a crash can leave empty or cut short: a file
    ///   that is not whole JSON is then nil rather than an error. A refused file (`OwnedPath`)
    ///   throws either way.
    func read(_ url: URL, torn: TornFile = .refused) throws -> JSON? {
        guard try checkDirectories(downTo: url), var bytes = try OwnedPath.bytes(url.path) else { return nil }
        do { return try JSON.parse(bytes: &bytes) } catch {
            if torn == .absent { return nil }
            throw Problem("unreadable state file: \(error)", file: url.path)
        }
    }

    /// What `read` makes of a state file that is not whole JSON.
    enum TornFile { case refused, absent }

    // MARK: managed tables

    public func managedTables() throws -> [TableKey] {
        guard let j = try read(managedFile) else { return [] }
        guard let keys = TableKeyList.keys(j["tables"]) else {
            throw Problem("unreadable state file: not a list of tables", file: managedFile.path)
        }
        return keys
    }

    public func setManagedTables(_ keys: [TableKey]) throws {
        // As it is (most applies): not written again, which would cost an fsync.
        if FileManager.default.fileExists(atPath: managedFile.path), let current = try? managedTables(), Set(current) == Set(keys) {
            return
        }
        try write(["tables": TableKeyList.json(keys.sorted())], to: managedFile)
    }

    // MARK: snapshots

    /// A snapshot: the listing of `tables` as they were (tables absent then are listed in
    /// `tables` but have no items, so a rollback deletes them).
    public struct Snapshot: Sendable {
        public var id: String
        public var tables: [TableKey]
        public var listing: Document
        /// The namespace it was taken in (`SnapshotNamespace`); nil in the host's or unknown.
        var namespace: SnapshotNamespace? = nil

        /// The listing as it is given back to the kernel: sets nft merged to one element
        /// stay sets (`MergedIntervalSets`).
        var givenBack: Document { MergedIntervalSets.split(listing) }

        /// When it was taken, just before the apply that committed after it (`newSnapshotID`):
        /// what tells a user which apply a rollback undoes, since an apply with nothing to
        /// change takes none. nil for an id nftctl did not make.
        public var takenAt: Double? { id.split(separator: ".").first.flatMap { Double($0) } }
    }

    /// - Parameter file: the remembered listing's file (`RememberedListing`) when it is this
    ///   listing of exactly these tables: its bytes are the snapshot file as they are (it
    ///   has the snapshot's `tables` and `listing`), not serialised again.
    public func saveSnapshot(tables: [TableKey], listing: Document, file: RememberedListing? = nil) throws -> Snapshot {
        let keys = Set(tables)
        let items = listing.items.filter { $0.tableKey.map(keys.contains) ?? false }
        let id = Self.newSnapshotID()
        let doc = Document(items.map { .item($0) })
        let bytes: [UInt8]
        if let file, file.scope == keys {
            bytes = file.bytes
        } else {
            let arr = tables.sorted().map { JSON.object(["family": .string($0.family), "name": .string($0.name)]) }
            let json: JSON = ["id": .string(id), "tables": .array(arr), "listing": doc.json]
            bytes = json.serializedBytes(.compact)
        }
        let namespace = try writeSnapshot(id, bytes)
        return Snapshot(id: id, tables: tables, listing: doc, namespace: namespace)
    }

    /// A snapshot whose file is `bytes` as they are: a remembered listing's file of exactly
    /// `tables` (`EntryPatch`). Its listing is not decoded here; `snapshot(_:)` reads it.
    func saveSnapshot(bytes: [UInt8], tables: [TableKey]) throws -> Snapshot {
        let id = Self.newSnapshotID()
        let namespace = try writeSnapshot(id, bytes)
        return Snapshot(id: id, tables: tables, listing: Document(), namespace: namespace)
    }

    /// Writes snapshot `id`'s file and its namespace's record; the namespace.
    private func writeSnapshot(_ id: String, _ bytes: [UInt8]) throws -> SnapshotNamespace? {
        try ensureDirectories()
        // Before the snapshot: a snapshot is never there without its namespace's record.
        let namespace = SnapshotNamespace.current(self)
        if let namespace { try writeSyncingLater(namespace.json, to: namespaceFile(id), style: .compact) }
        // Synced later: what reads a snapshot refuses one a crash left empty or cut short.
        do { try OwnedPath.writeSyncingLater(bytes, to: snapshotFile(id).path) } catch {
            // No snapshot: its namespace record would be left behind, naming nothing.
            unlink(namespaceFile(id).path)
            throw error
        }
        return namespace
    }

    /// Keeps `deletions` (rule deletions with the counts they had, as `SnapshotCounts`
    /// takes them from an echo) beside `snapshot`. Synced later, as the snapshot: a counts
    /// file a crash cut short is read as none.
    func saveCounts(_ snapshot: Snapshot, deletions: Document) throws {
        try writeSyncingLater(deletions.json, to: countsFile(snapshot.id), style: .compact)
    }

    /// Keeps the counts the commit found in `snapshot`'s replaced rules (`SnapshotCounts`)
    /// beside it, and returns the snapshot with them; nil when the echo has none to add.
    public func saveCounts(_ snapshot: Snapshot, echo: Document) throws -> Snapshot? {
        guard let deletions = SnapshotCounts.deletions(in: echo),
            let listing = SnapshotCounts.patched(snapshot.listing, echo: deletions)
        else { return nil }
        try saveCounts(snapshot, deletions: deletions)
        var patched = snapshot
        patched.listing = listing
        return patched
    }

    /// `SECONDS.MICROS-PID` of now, formatted by hand: `String(format:)` costs an apply more
    /// than the snapshot's write.
    static func newSnapshotID() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = String(now.tv_nsec / 1000)
        return "\(now.tv_sec).\(String(repeating: "0", count: max(0, 6 - micros.count)))\(micros)-\(getpid())"
    }

    func snapshotFile(_ id: String) -> URL { snapshotDir.appendingPathComponent("\(id).json") }
    func countsFile(_ id: String) -> URL { snapshotDir.appendingPathComponent("\(id).counts.json") }
    func namespaceFile(_ id: String) -> URL { snapshotDir.appendingPathComponent("\(id).netns.json") }

    /// Snapshot ids are nftctl's own `SECONDS.MICROS-PID`: anything else (a path) is refused.
    static func isSnapshotID(_ id: String) -> Bool {
        guard !id.isEmpty, id.count < 64, !id.hasPrefix(".") else { return false }
        return id.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
    }

    func snapshotIDs() throws -> [String] {
        guard try checkDirectories(downTo: snapshotDir) else { return [] }
        let names = OwnedPath.names(in: snapshotDir.path) ?? []
        let ids: [String] = names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.filter(Self.isSnapshotID)
        func time(_ id: String) -> Double { Double(id.split(separator: "-").first ?? "") ?? 0 }
        return ids.sorted { time($0) < time($1) }
    }

    /// Keeps the newest `keep` snapshots that end as a whole one does (`endsWhole`), and any
    /// newer than the oldest of them: called once an apply has committed, so that one that
    /// failed (its snapshot removed) costs no older snapshot, and one a crash left empty or
    /// cut short (synced later: `writeSyncingLater`) costs none either.
    func prune() throws {
        var whole = 0
        for id in try snapshotIDs().reversed() {
            if whole >= Self.keep { removeSnapshot(id) } else if Self.endsWhole(snapshotFile(id).path) { whole += 1 }
        }
    }

    /// True when the file's last byte closes a JSON object, as every snapshot's does. One
    /// byte read, not the file parsed: a file a crash cut short at a closing brace passes,
    /// and is then counted as it always was.
    static func endsWhole(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var st = stat()
        var last: UInt8 = 0
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0,
            pread(fd, &last, 1, off_t(st.st_size - 1)) == 1
        else { return false }
        return last == UInt8(ascii: "}")
    }

    public func snapshot(_ id: String?) throws -> Snapshot {
        guard let id = try id ?? snapshotIDs().last else { throw Problem("no snapshot to roll back to in \(snapshotDir.path)") }
        guard Self.isSnapshotID(id) else {
            throw Problem(
                "\"\(id.debugDescription.dropFirst().dropLast())\" is not a snapshot id (see the file names under \(snapshotDir.path))")
        }
        let found: JSON?
        do { found = try read(snapshotFile(id)) } catch {
            // A crash between a snapshot's rename and its fsync (`writeSyncingLater`) can
            // leave it empty or cut short: refused, with the one before it named.
            let before = (try? snapshotIDs())?.prefix { $0 != id }.last
            throw Problem(
                "\(error)\nsnapshot \(id) cannot be read (a crash before it reached the disk leaves one empty or cut short)"
                    + (before.map { "; `nftctl rollback --snapshot \($0)` restores the one before it" } ?? ""))
        }
        guard let j = found else {
            throw Problem("no snapshot \(id) in \(snapshotDir.path)")
        }
        let tables = (j["tables"]?.arrayValue ?? []).compactMap { t -> TableKey? in
            guard let f = t["family"]?.stringValue, let n = t["name"]?.stringValue else { return nil }
            return TableKey(family: f, name: n)
        }
        guard let l = j["listing"] else { throw Problem("snapshot \(id) has no listing") }
        var listing: Document
        do { listing = try Document.decode(l) } catch { throw Problem("snapshot \(id): \(error)") }
        if let counts = try read(countsFile(id), torn: .absent) {
            do { listing = SnapshotCounts.patched(listing, echo: try Document.decode(counts)) ?? listing } catch {
                throw Problem("snapshot \(id)'s counts: \(error)")
            }
        }
        let namespace = (try? read(namespaceFile(id), torn: .absent)).flatMap(SnapshotNamespace.init(json:))
        return Snapshot(id: id, tables: tables, listing: listing, namespace: namespace)
    }

    public func removeSnapshot(_ id: String) {
        guard Self.isSnapshotID(id) else { return }
        unlink(snapshotFile(id).path)
        unlink(countsFile(id).path)
        unlink(namespaceFile(id).path)
    }

    // MARK: pending confirmation

    /// An armed `--confirm`: roll back to `snapshot` at `deadline` unless confirmed.
    /// `generation` is the ruleset generation id read right before the commit: if the kernel
    /// still shows it at the deadline, the commit never happened and there is nothing to undo.
    public struct Pending: Sendable {
        public var snapshot: String
        public var deadline: Double
        public var generation: UInt32?
        public init(snapshot: String, deadline: Double, generation: UInt32? = nil) {
            self.snapshot = snapshot; self.deadline = deadline; self.generation = generation
        }
    }

    public func setPending(_ p: Pending) throws {
        var j: JSON = ["snapshot": .string(p.snapshot), "deadline": .double(p.deadline)]
        if let g = p.generation { j = ["snapshot": .string(p.snapshot), "deadline": .double(p.deadline), "generation": .number(Int(g))] }
        try write(j, to: pendingFile)
    }

    public func pending() throws -> Pending? {
        guard let j = try read(pendingFile) else { return nil }
        guard let s = j["snapshot"]?.stringValue, Self.isSnapshotID(s) else {
            throw Problem("not a pending confirmation written by nftctl; remove it", file: pendingFile.path)
        }
        let d: Double
        switch j["deadline"] {
        case .double(let x)?: d = x
        case .int(let i)?: d = Double(i)
        default: d = 0
        }
        return Pending(snapshot: s, deadline: d, generation: j["generation"]?.intValue.flatMap { UInt32(exactly: $0) })
    }

    public func clearPending() { unlink(pendingFile.path) }
}

extension StateStore {
    /// The identity of the network namespace: its netns cookie (`SO_NETNS_COOKIE`, asked of a
    /// socket opened inside it), which the kernel never gives to another namespace in this
    /// boot. A namespace deleted and made again under the same name starts its generation
    /// count anew, and may get the same inode number, so the inode cannot tell them apart:
    /// a record of the old one would pass for the new one's. Nil (nothing remembered, nothing
    /// trusted) where the kernel has no cookie (before 5.14) or the namespace cannot be entered.
    static func namespaceIdentity(_ netns: String?) -> UInt64? {
        guard let netns else { return SystemCall.netnsCookie() }
        return identity(of: try? NetworkNamespace(name: netns))
    }

    /// The identity of an open namespace (nil: none, or no `SO_NETNS_COOKIE`).
    static func identity(of namespace: NetworkNamespace?) -> UInt64? {
        // Not under `NFTLock`: `setns` moves only this thread (`NetworkNamespace`).
        (try? namespace?.perform { SystemCall.netnsCookie() }) ?? nil
    }

    var lastListingFile: URL { directory.appendingPathComponent("last-listing.json") }

    /// This boot's id: the host namespace has the same inode after every boot and generation
    /// ids start again from zero, so a listing remembered before a reboot must not match.
    /// Read once: it cannot change while this process runs.
    static let bootID: String =
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""

    /// Remembers a listing nftctl read (after its verified commit, or for a plan that was
    /// empty), with the generation id then. `tables`: the tables it covers, present or
    /// absent (nil: the whole ruleset). `copying`: the remembered listing `listing` was
    /// derived from, with each entry's origin in it (`EchoedListing.Derived`): those entries
    /// are copied as that file has them, only the others are serialised. Returns the
    /// listing's bytes as written (nil: nothing was).
    @discardableResult
    public func rememberListing(
        _ listing: Document, generation: UInt32, netns: String?, tables: [TableKey]? = nil,
        copying: (from: RememberedListing, origins: [Int?])? = nil, volatile: Set<TableKey>? = nil
    ) -> [UInt8]? {
        guard Self.namespaceIdentity(netns) != nil else { return nil }
        let bytes = copying.flatMap { $0.from.bytes(of: listing, origins: $0.origins) } ?? listing.json.serializedBytes(.compact)
        let written = rememberListing(
            bytes: bytes, generation: generation, netns: netns, tables: tables,
            volatile: volatile ?? RunTimeChange.tables(in: listing))
        return written ? bytes : nil
    }

    /// `rememberListing` of a listing already serialised (compact JSON); false when it was
    /// not written.
    @discardableResult
    func rememberListing(bytes listing: [UInt8], generation: UInt32, netns: String?, tables: [TableKey]?, volatile: Set<TableKey>)
        -> Bool
    {
        guard let ns = Self.namespaceIdentity(netns) else { return false }
        var record: [(String, JSON)] = [
            ("generation", .number(Int(generation))), ("namespace", .number(ns)), ("boot", .string(Self.bootID))
        ]
        if let tables { record.append(("tables", TableKeyList.json(tables))) }
        record.append(("volatile", TableKeyList.json(volatile.sorted())))
        // The header's closing brace gives way to the listing, written last (`split`).
        var bytes = JSON.object(JSONObject(record)).serializedBytes(.compact)
        bytes.removeLast()
        bytes += Self.listingKey
        bytes += listing
        bytes.append(UInt8(ascii: "}"))
        try? ensureDirectories()
        return (try? OwnedPath.write(bytes, to: lastListingFile.path, durable: false)) != nil
    }

    /// A listing remembered by `rememberListing`, with its file's bytes (a snapshot of the
    /// same tables is that file as it is: `saveSnapshot`).
    public struct RememberedListing: Sendable {
        public var document: Document
        public var bytes: [UInt8]
        /// Where each entry of `document` is in `bytes`.
        var entrySpans: [Range<Int>]
        /// The tables it covers (nil: the whole ruleset).
        public var scope: Set<TableKey>?
        /// Its tables holding what changes without a commit (`RunTimeChange`).
        var volatile: Set<TableKey>
        var generation: Int64?
        var namespace: UInt64?
        var boot: String?

        /// True when the kernel's generation id shows nobody committed since it was listed
        /// (the ruleset is then exactly what nftctl saw, and need not be listed again), in
        /// this namespace and boot, and it covers every table of `tables`, none of which
        /// changes without a commit.
        func holds(generation: UInt32, netns: String?, covering tables: [TableKey]) -> Bool {
            holds(generation: generation, namespace: StateStore.namespaceIdentity(netns), covering: tables)
        }

        /// `holds` in the namespace whose identity (`namespaceIdentity`) is `namespace`.
        func holds(generation: UInt32, namespace current: UInt64?, covering tables: [TableKey]) -> Bool {
            self.generation == Int64(generation) && namespace != nil && namespace == current
                && boot == StateStore.bootID && covers(tables)
        }

        /// True when it lists every table of `tables` (present or absent), none of which
        /// changes without a commit.
        func covers(_ tables: [TableKey]) -> Bool {
            (scope.map { s in tables.allSatisfy(s.contains) } ?? true) && volatile.isDisjoint(with: tables)
        }

        /// `listing` serialised (compact), each entry whose origin is one of this listing's
        /// entries copied from `bytes` as written. Nil when `origins` does not fit.
        func bytes(of listing: Document, origins: [Int?]) -> [UInt8]? {
            guard origins.count == listing.entries.count, origins.allSatisfy({ $0.map(entrySpans.indices.contains) ?? true }) else {
                return nil
            }
            var out = Array(#"{"nftables":["#.utf8)
            out.reserveCapacity(bytes.count + 4096)
            for (k, entry) in listing.entries.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                if let o = origins[k] { out += bytes[entrySpans[o]] } else { out += entry.json.serializedBytes(.compact) }
            }
            out += Array("]}".utf8)
            return out
        }
    }

    /// The remembered listing, if it holds now (`RememberedListing.holds`).
    public func rememberedListing(generation: UInt32, netns: String?, covering tables: [TableKey] = []) -> RememberedListing? {
        // The identity is asked once: for a named namespace that means entering it.
        let namespace = Self.namespaceIdentity(netns)
        return readRememberedListing(namespace: namespace, generation: generation).flatMap {
            $0.holds(generation: generation, namespace: namespace, covering: tables) ? $0 : nil
        }
    }

    /// True when the remembered listing was taken at `generation` in this namespace and boot,
    /// and none of its tables changes without a commit (its header alone is read): an apply
    /// of those tables will then plan from it without listing the kernel.
    public func remembersListing(generation: UInt32, netns: String?) -> Bool {
        guard let namespace = Self.namespaceIdentity(netns), (try? checkDirectories(downTo: lastListingFile)) == true,
            let bytes = try? OwnedPath.bytes(lastListingFile.path, upTo: 1 << 16), let (header, _) = Self.header(bytes)
        else { return false }
        return Self.isOfThisBoot(header, namespace: namespace, generation: generation)
            && TableKeyList.keys(header["volatile"])?.isEmpty == true
    }

    /// True when a remembered listing's header names namespace `current` and this boot, and
    /// with `generation`, that generation id (whatever it is when nil).
    static func isOfThisBoot(_ header: JSON, namespace current: UInt64, generation: UInt32? = nil) -> Bool {
        header["namespace"]?.uint64Value == current && header["boot"]?.stringValue == bootID
            && generation.map { header["generation"]?.intValue == Int64($0) } ?? true
    }

    /// The remembered listing as the file has it, whatever its generation (`holds` decides).
    /// One of another namespace or boot is not parsed past its header (`rememberListing`
    /// writes the listing last): an apply into a new namespace pays nothing for it.
    func readRememberedListing(netns: String?) -> RememberedListing? {
        readRememberedListing(namespace: Self.namespaceIdentity(netns))
    }

    /// `readRememberedListing` in the namespace whose identity is `current`. With
    /// `generation`: nil, without parsing past the header, unless it was listed at that one
    /// (after anyone else's commit, at 10k rules that parse was a tenth of an apply, for
    /// nothing).
    func readRememberedListing(namespace current: UInt64?, generation: UInt32? = nil) -> RememberedListing? {
        guard let current, (try? checkDirectories(downTo: lastListingFile)) == true, let bytes = try? OwnedPath.bytes(lastListingFile.path),
            let (header, range) = Self.split(bytes), Self.isOfThisBoot(header, namespace: current, generation: generation),
            let (json, _, spans) = try? bytes.withUnsafeBufferPointer({ all in
                try TwoThreadJSON.parseWithEntrySpans(UnsafeBufferPointer(rebasing: all[range]))
            }),
            let document = try? TwoThreadJSON.decode(json), spans.count == document.entries.count
        else { return nil }
        // A list that does not read is no list: not taken for "the whole ruleset".
        let scope = TableKeyList.keys(header["tables"]).map(Set.init)
        guard let volatile = TableKeyList.keys(header["volatile"]).map(Set.init), (header["tables"] == nil) == (scope == nil)
        else { return nil }
        return RememberedListing(
            document: document, bytes: bytes, entrySpans: spans.map { $0.lowerBound + range.lowerBound..<$0.upperBound + range.lowerBound },
            scope: scope, volatile: volatile, generation: header["generation"]?.intValue, namespace: current,
            boot: Self.bootID)
    }

    static let listingKey = Array(#","listing":"#.utf8)

    /// A remembered listing's file split in two: the members before `"listing"`, as an
    /// object, and where the listing's value is. The key is the first place those bytes
    /// occur (a string value is never followed by a colon); the value runs to the file's
    /// closing brace.
    static func split(_ bytes: [UInt8]) -> (header: JSON, listing: Range<Int>)? {
        guard bytes.last == UInt8(ascii: "}"), let (header, start) = header(bytes), start < bytes.count else { return nil }
        return (header, start..<bytes.count - 1)
    }

    /// The header of a remembered listing's file from its first bytes (or all of them),
    /// with where the listing starts; nil when the key is not among them.
    static func header(_ bytes: [UInt8]) -> (header: JSON, listingStart: Int)? {
        let key = listingKey
        guard bytes.count > key.count + 1, bytes.first == UInt8(ascii: "{") else { return nil }
        var i = 0
        while i + key.count < bytes.count {
            if bytes[i] == key[0], bytes[i..<i + key.count].elementsEqual(key) {
                var head = Array(bytes[..<i]) + [UInt8(ascii: "}")]
                guard let header = try? JSON.parse(bytes: &head) else { return nil }
                return (header, i + key.count)
            }
            i += 1
        }
        return nil
    }

    /// Before a commit: neither the listing nor an up-to-date file (`UpToDate`) holds after it.
    public func forgetListing() {
        unlink(lastListingFile.path)
        unlink(upToDateFile.path)
    }
}
