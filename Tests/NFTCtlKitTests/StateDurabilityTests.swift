import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Which state files an apply waits for the disk to keep (issue #13, 100 rules): a snapshot
/// (and its counts) is renamed into place before the commit and fsync'd on a thread of its
/// own, the last-apply record is not fsync'd at all. What a crash can then leave (an empty
/// or cut-short file) must be refused or ignored by its reader, never taken for less state.
/// No kernel needed.
@Suite struct StateDurabilityTests {
    static func store(_ name: String) -> (StateStore, String) {
        let dir = ApplySafety.stateDir()
        return (StateStore(root: dir, netns: name), dir)
    }

    static let key = TableKey(family: "inet", name: "t")

    @Test func aFileSyncedLaterIsInPlaceAtOnceAndNothingHiddenIsLeft() throws {
        let (_, dir) = Self.store("later")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f.json"
        try OwnedPath.writeSyncingLater(Array("{\"a\":1}".utf8), to: path)
        #expect(try OwnedPath.bytes(path) == Array("{\"a\":1}".utf8))
        try OwnedPath.waitForLaterSyncs()
        #expect(OwnedPath.names(in: dir) == ["f.json"])
        // A durable write after it publishes as before (it waits for the sync first).
        try OwnedPath.write(Array("{}".utf8), to: dir + "/g.json")
        #expect(Set(OwnedPath.names(in: dir) ?? []) == ["f.json", "g.json"])
    }

    /// A snapshot a crash left empty or cut short is an error naming it, not a smaller
    /// ruleset to roll back to.
    @Test(arguments: [0, 1, 40])
    func aTornSnapshotIsRefused(keeping bytes: Int) throws {
        let (store, dir) = Self.store("torn-snapshot")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listing = try Document.parse(
            #"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}}, "#
                + #"{"chain": {"family": "inet", "table": "t", "name": "c", "handle": 1}}]}"#)
        let older = try store.saveSnapshot(tables: [Self.key], listing: listing)
        usleep(2000)  // a later id
        let snapshot = try store.saveSnapshot(tables: [Self.key], listing: listing)
        try OwnedPath.waitForLaterSyncs()
        #expect(try store.snapshot(snapshot.id).listing.items.count == 2)
        let file = store.snapshotFile(snapshot.id).path
        let whole = try #require(try OwnedPath.bytes(file))
        try OwnedPath.write(Array(whole.prefix(bytes)), to: file, durable: false)
        #expect(throws: Problem.self) { try store.snapshot(snapshot.id) }
        // The newest, torn: refused, naming the one before it.
        let refusal = #expect(throws: Problem.self) { try store.snapshot(nil) }
        #expect(refusal?.message.contains("--snapshot \(older.id)") == true, "\(String(describing: refusal))")
        #expect(try store.snapshot(older.id).listing.items.count == 2)
    }

    /// A snapshot a crash left empty or cut short is not one of the `keep` that pruning
    /// keeps: the older whole ones it would have displaced stay.
    @Test func pruningCountsOnlyWholeSnapshots() throws {
        let (store, dir) = Self.store("prune-torn")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listing = try Document.parse(#"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}}]}"#)
        var ids: [String] = []
        for _ in 0..<(StateStore.keep + 3) {
            ids.append(try store.saveSnapshot(tables: [Self.key], listing: listing).id)
            usleep(2000)  // a later id
        }
        try OwnedPath.waitForLaterSyncs()
        // The two newest torn: one empty, one cut short.
        try OwnedPath.write([UInt8](), to: store.snapshotFile(ids[ids.count - 1]).path, durable: false)
        let cut = try #require(try OwnedPath.bytes(store.snapshotFile(ids[ids.count - 2]).path))
        try OwnedPath.write(Array(cut.prefix(cut.count / 2)), to: store.snapshotFile(ids[ids.count - 2]).path, durable: false)
        try store.prune()
        // Ten whole ones kept (and the two torn, newer than they are); the oldest one goes.
        #expect(try store.snapshotIDs() == Array(ids.dropFirst()))
        #expect(StateStore.endsWhole(store.snapshotFile(ids[1]).path))
        #expect(!StateStore.endsWhole(store.snapshotFile(ids[ids.count - 1]).path))
        #expect(!StateStore.endsWhole(store.snapshotFile(ids[ids.count - 2]).path))
    }

    /// The replaced rules' counts kept beside a snapshot only add to it: cut short by a
    /// crash, they are read as none and the snapshot's own listing is restored.
    @Test func tornCountsAreReadAsNone() throws {
        let (store, dir) = Self.store("torn-counts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listing = try Document.parse(#"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}}]}"#)
        let snapshot = try store.saveSnapshot(tables: [Self.key], listing: listing)
        try OwnedPath.write(Array(#"{"nftables": [{"delete": {"rule""#.utf8), to: store.countsFile(snapshot.id).path, durable: false)
        #expect(try store.snapshot(snapshot.id).listing.items.count == 1)
        try OwnedPath.write([UInt8](), to: store.countsFile(snapshot.id).path, durable: false)
        #expect(try store.snapshot(snapshot.id).listing.items.count == 1)
    }

    /// The last-apply record is what `nftctl status` shows and nothing decides by it: not
    /// fsync'd, and read as "none recorded" when a crash cut it short.
    @Test func aTornLastApplyRecordIsReadAsNone() throws {
        let (store, dir) = Self.store("torn-last-apply")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = try SavedRulesetTests.table("t", 22)
        #expect(store.recordApply(input, pruned: [], generation: 7, confirming: nil).isEmpty)
        let whole = try #require(try OwnedPath.bytes(store.lastApplyFile.path))
        #expect(try store.lastApply()?.generation == 7)
        for cut in [0, 1, whole.count / 2, whole.count - 1] {
            try OwnedPath.write(Array(whole.prefix(cut)), to: store.lastApplyFile.path, durable: false)
            #expect(try store.lastApply() == nil, "cut at \(cut)")
        }
        // Not an object: no record either.
        try OwnedPath.write(Array("[1]".utf8), to: store.lastApplyFile.path, durable: false)
        #expect(try store.lastApply() == nil)
        // The next apply writes it whole again.
        #expect(store.recordApply(input, pruned: [], generation: 8, confirming: nil).isEmpty)
        #expect(try store.lastApply()?.generation == 8)
    }

    /// A record nftctl can no longer trust (another owner) is still refused, not read as none.
    @Test(.needsRoot) func aForeignLastApplyRecordIsStillRefused() throws {
        let (store, dir) = Self.store("foreign-last-apply")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(store.recordApply(try SavedRulesetTests.table("t", 22), pruned: [], generation: 7, confirming: nil).isEmpty)
        #expect(chown(store.lastApplyFile.path, 65534, 65534) == 0)
        #expect(throws: OwnedPath.Refused.self) { try store.lastApply() }
    }

    /// Snapshot ids as before (`SECONDS.MICROS-PID`), in the order they were made.
    @Test func snapshotIDsAreSecondsMicrosAndPID() throws {
        let a = StateStore.newSnapshotID(), b = StateStore.newSnapshotID()
        #expect(StateStore.isSnapshotID(a))
        let parts = a.split(separator: "-")
        #expect(parts.count == 2 && parts[1] == "\(getpid())")
        #expect(parts[0].split(separator: ".").last?.count == 6)
        let now = Date().timeIntervalSince1970
        #expect(abs(try #require(Double(parts[0])) - now) < 5)
        #expect(try #require(Double(b.split(separator: "-")[0])) >= Double(parts[0])!)
    }

    /// `capget(2)` says what /proc/self/status says about CAP_NET_ADMIN.
    @Test func theCapabilityCheckAgreesWithProcStatus() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("CapEff:") })
        let caps = try #require(UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16))
        #expect(SystemCall.effectiveCapabilities() == caps)
        #expect(Privilege.missingNetAdmin == (caps & Privilege.netAdminBit == 0))
    }

    /// The batch text libnftables reads by name: a memfd, read whole from the start by each
    /// open (1.0.6 opens it twice with the JSON flag), gone with the object.
    @Test func aScratchFileReadsWholeAtEveryOpen() throws {
        let text = Array("add table inet x\nadd chain inet x c\n".utf8)
        let file = try #require(ScratchFile(text))
        #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == text)
        #expect(FileManager.default.contents(atPath: file.path).map { [UInt8]($0) } == text)
        #expect(file.path.hasPrefix("/proc/self/fd/"))
    }

    /// Refused by the kernel, a batch read from the memfd is named `batch:LINE`, as from the
    /// temporary file before: the line that maps back to the user's rule.
    @Test(.needsRoot) func aRefusedTextBatchNamesItsLine() throws {
        guard let ns = TestNamespace.make("a refused text batch names its line") else { return }
        let backend = try LibNFTablesBackend(netns: ns.name)
        try backend.applyText("add table inet s\nadd chain inet s c\n", dryRun: false)
        do {
            try backend.applyText("add rule inet s c accept\nadd rule inet s absent accept\n", dryRun: false)
            Issue.record("the batch was taken")
        } catch let BackendError.nftables(_, text) {
            #expect(text.contains("batch:2:"), "\(text)")
            #expect(!text.contains("/proc/self/fd"), "\(text)")
        }
        #expect(!ns.nftList().contains("accept"))
    }
}
