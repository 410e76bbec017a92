import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// What nftctl remembers per namespace (the listing at a generation, "already up to date")
/// is tied to the namespace's identity. A namespace deleted and made again under the same
/// name starts its generation count anew and may get the same inode number; its identity
/// must differ, or a record of the old namespace would pass for the new one's.
@Suite struct NamespaceIdentityTests {
    @Test(.needsRoot) func aNamespaceMadeAgainUnderItsNameIsAnotherNamespace() throws {
        guard let a = TestNamespace.make("identity a"), let b = TestNamespace.make("identity b") else { return }
        let first = try #require(StateStore.namespaceIdentity(a.name))
        #expect(StateStore.namespaceIdentity(a.name) == first)
        #expect(StateStore.namespaceIdentity(b.name) != first)
        #expect(StateStore.namespaceIdentity(nil) != first)
        // Deleted and made again, as often as it takes to be likely to reuse the inode.
        var seen: Set<UInt64> = [first]
        for _ in 0..<5 {
            #expect(Shell.run(["ip", "netns", "del", a.name]).status == 0)
            #expect(Shell.run(["ip", "netns", "add", a.name]).status == 0)
            let again = try #require(StateStore.namespaceIdentity(a.name))
            #expect(!seen.contains(again))
            seen.insert(again)
        }
    }

    /// A remembered listing of the namespace before it was made again does not hold in the
    /// new one, even at the same generation id.
    @Test(.needsRoot) func aRecordOfTheOldNamespaceDoesNotHoldInTheNewOne() throws {
        guard let ns = TestNamespace.make("identity record") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: ns.name)
        let key = TableKey(family: "inet", name: "t")
        store.rememberListing(Document([]), generation: 1, netns: ns.name, tables: [key])
        #expect(store.rememberedListing(generation: 1, netns: ns.name, covering: [key]) != nil)
        #expect(Shell.run(["ip", "netns", "del", ns.name]).status == 0)
        #expect(Shell.run(["ip", "netns", "add", ns.name]).status == 0)
        #expect(store.rememberedListing(generation: 1, netns: ns.name, covering: [key]) == nil)
    }

    /// The name given to a new namespace while the rules loaded: the backend opened the old
    /// one, and the lock and the records go by the name. Nothing is committed to either.
    @Test(.needsRoot) func aNamespaceMadeAgainWhileTheRulesLoadedIsRefused() throws {
        guard let ns = TestNamespace.make("identity apply") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = try LibNFTablesBackend(netns: ns.name)
        #expect(backend.namespaceIdentity() == StateStore.namespaceIdentity(ns.name))
        #expect(Shell.run(["ip", "netns", "del", ns.name]).status == 0)
        #expect(Shell.run(["ip", "netns", "add", ns.name]).status == 0)
        let input = try ApplyPipelineTests.input(ApplyPipelineTests.tableJSON("t", ports: [22]))
        let error = #expect(throws: Problem.self) {
            try ApplyOperation.run(
                input, backend: backend, store: StateStore(root: dir, netns: ns.name), netns: ns.name,
                normalizer: ApplyPipelineTests.DeclaredForm())
        }
        #expect(error?.message.contains("made anew since nftctl opened it") == true, "\(String(describing: error))")
        #expect(try backend.tableKeys().isEmpty)
        #expect(!ns.nftList().contains("table"))
    }

    /// Two applies into the namespace (port 22, then 80), then the namespace made again and
    /// given a table of its new owner's: the state found by the name is the old one's.
    static func remade(_ purpose: String, confirm: Bool) throws -> (ns: TestNamespace, dir: String, env: [String: String])? {
        guard let ns = TestNamespace.make(purpose) else { return nil }
        let dir = ApplySafety.stateDir()
        let env = ["NFTCTL_STATE_DIR": dir]
        for (ports, file) in [([22], "a.json"), ([80], "b.json")] {
            let path = try ApplySafety.write(try ChangePathKernelTests.input(ports).document.json.serialized(), file)
            let r = Shell.run(
                [Shell.nftctl, "apply", "--yes", "--netns", ns.name, path] + (confirm && ports == [80] ? ["--confirm", "2s"] : []),
                environment: env)
            try #require(r.status == 0, "\(r.stderr)")
        }
        #expect(Shell.run(["ip", "netns", "del", ns.name]).status == 0)
        #expect(Shell.run(["ip", "netns", "add", ns.name]).status == 0)
        // Two commits: the new namespace's generation id (2) is not the one the second apply
        // read before its commit (1), which alone would make the timer stand down.
        try #require(ns.nftLoad("table inet theirs { chain c { tcp dport 9 accept; }; }").status == 0)
        try #require(ns.nftLoad("add rule inet theirs c tcp dport 10 accept").status == 0)
        return (ns, dir, env)
    }

    /// `nftctl rollback` in a namespace made again under the name: the latest snapshot is
    /// the old namespace's, and is not restored into the new one unless named.
    @Test(.needsRoot) func aRollbackDoesNotRestoreAnEarlierNamespacesSnapshot() throws {
        guard let (ns, dir, env) = try Self.remade("identity rollback", confirm: false) else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let r = Shell.run([Shell.nftctl, "rollback", "--netns", ns.name], environment: env)
        #expect(r.status != 0 && r.stderr.contains("taken in an earlier network namespace"), "\(r.stdout)\(r.stderr)")
        #expect(ns.nftList() == before)
        // Named, it is restored: the tables as they were before the second apply.
        let id = try #require(try StateStore(root: dir, netns: ns.name).snapshotIDs().last)
        let named = Shell.run([Shell.nftctl, "rollback", "--netns", ns.name, "--snapshot", id], environment: env)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(ns.nftList().contains("dport 22") && ns.nftList().contains("table inet theirs"))
    }

    /// A confirmation left waiting by an apply into the earlier namespace: `nftctl rollback`
    /// refuses its snapshot and lets the confirmation go, so that applies can run again.
    @Test(.needsRoot) func aRefusedRollbackLetsTheEarlierNamespacesConfirmationGo() throws {
        guard let (ns, dir, env) = try Self.remade("identity pending", confirm: true) else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Shell.run([Shell.nftctl, "rollback", "--netns", ns.name], environment: env)
        #expect(r.status != 0 && r.stderr.contains("let go"), "\(r.stdout)\(r.stderr)")
        #expect(try StateStore(root: dir, netns: ns.name).pending() == nil)
        let path = try ApplySafety.write(try ChangePathKernelTests.input([443]).document.json.serialized(), "c.json")
        let a = Shell.run([Shell.nftctl, "apply", "--yes", "--netns", ns.name, path], environment: env)
        #expect(a.status == 0 && ns.nftList().contains("dport 443") && ns.nftList().contains("table inet theirs"), "\(a.stderr)")
    }

    /// Another identity in the same boot is another namespace; after a reboot, every named
    /// one is, and the host's (or a container's own, also kept under `host`) is the same.
    @Test func whatCountsAsAnotherNamespace() {
        let then = SnapshotNamespace(identity: 7, boot: "b1")
        #expect(!then.isOther(than: then, host: false) && !then.isOther(than: then, host: true))
        #expect(then.isOther(than: SnapshotNamespace(identity: 8, boot: "b1"), host: true))
        #expect(then.isOther(than: SnapshotNamespace(identity: 7, boot: "b2"), host: false))
        #expect(!then.isOther(than: SnapshotNamespace(identity: 9, boot: "b2"), host: true))
    }

    /// The rollback timer of an unconfirmed apply, when the namespace it went to is deleted
    /// and made again before the deadline: nothing is restored into the new one.
    @Test(.needsRoot) func theRollbackTimerLeavesANamespaceMadeAgainAlone() throws {
        guard let (ns, dir, _) = try Self.remade("identity timer", confirm: true) else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let pending = dir + "/netns-\(ns.name)/pending-confirm.json"
        #expect(FileManager.default.fileExists(atPath: pending))
        sleep(4)
        #expect(!FileManager.default.fileExists(atPath: pending) || ApplySafety.waitForTimer(dir, ns))
        #expect(!FileManager.default.fileExists(atPath: pending))
        #expect(ns.nftList() == before, "the old namespace's snapshot was restored into the new one")
    }

    /// nftctl run inside a namespace without `--netns` (`ip netns exec NAME nftctl …`) keeps
    /// that namespace's state where `--netns NAME` does, not the host's: a rollback there
    /// finds the namespace's snapshots, never the host's.
    @Test(.needsRoot) func runInsideANamespaceItKeepsThatNamespacesState() throws {
        guard let ns = TestNamespace.make("state inside") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try ApplySafety.write(try ChangePathKernelTests.input([22]).document.json.serialized(), "inside.json")
        let r = Shell.run(
            ["ip", "netns", "exec", ns.name, Shell.nftctl, "apply", "--yes", file], environment: ["NFTCTL_STATE_DIR": dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ns.nftList().contains("dport 22"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/host"))
        #expect(try StateStore(root: dir, netns: ns.name).snapshotIDs().count == 1)
        // And `status` there names that namespace, not the host's.
        let status = Shell.run(["ip", "netns", "exec", ns.name, Shell.nftctl, "status"], environment: ["NFTCTL_STATE_DIR": dir])
        #expect(status.stdout.contains("namespace: \(ns.name) (the one this process runs in)"), "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("managed tables: ") && !status.stdout.contains("managed tables: none"), "\(status.stdout)")
    }

    /// Run in a namespace nobody named (`unshare -n`), its state goes to a directory of its
    /// own, never the host's: the host's boot restore and rollback must not take it up.
    @Test(
        .needsRoot,
        .enabled(
            if: SystemCall.inode("/proc/self/ns/net").flatMap { StateStore.isInitialNamespace(inode: $0) } == true,
            "this kernel hides which network namespace is the initial one (pid 1's is unreadable, and it is older than 6.18)"))
    func runInAnUnnamedNamespaceItKeepsItsStateApart() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try ApplySafety.write(try ChangePathKernelTests.input([22]).document.json.serialized(), "unnamed.json")
        let r = Shell.run(["unshare", "-n", Shell.nftctl, "apply", "--yes", file], environment: ["NFTCTL_STATE_DIR": dir])
        #expect(r.status == 0, "\(r.stderr)")
        let dirs = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        #expect(!dirs.contains("host"))
        #expect(dirs.contains { $0.hasPrefix("unnamed-") }, "\(dirs)")
    }

    /// No name given to `--netns` (or found in /run/netns) reaches the directory of the host
    /// or of an unnamed namespace: `cookie-5` once shared the unnamed namespace 5's.
    @Test func noNamespaceNameReachesAnothersDirectory() {
        let root = "/nonexistent-nftctl-state"
        let others: [StateStore.Place] = [.host, .unnamed(cookie: 5)]
        for name in ["cookie-5", "unnamed-5", "host", "5"] {
            let named = StateStore(root: root, netns: name)
            #expect(named.place == .named(name))
            for other in others {
                #expect(named.directory.lastPathComponent != other.directory, "\(name) vs \(other)")
            }
            #expect(!named.isHostDirectory)
        }
        #expect(StateStore.Place.unnamed(cookie: 5).directory != StateStore.Place.named("cookie-5").directory)
        #expect(StateStore.Place.unnamed(cookie: 5).directory.hasPrefix("unnamed-\(StateStore.bootID)-"))
    }

    /// A name no namespace can have (a path) is refused before anything is read or written
    /// under the state directory.
    @Test(arguments: ["x/../y", "..", ""])
    func aNameThatIsAPathIsRefused(_ name: String) throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for command in [["status"], ["apply", "--yes", "/nonexistent.json"], ["rollback"]] {
            let r = Shell.run([Shell.nftctl] + command + ["--netns", name], environment: ["NFTCTL_STATE_DIR": dir])
            #expect(r.status != 0 && r.stderr.contains("no network namespace can be named"), "\(command): \(r.stderr)")
        }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).isEmpty)
    }
}
