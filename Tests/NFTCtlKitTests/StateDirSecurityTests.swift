import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// nftctl acts on its state as root (prune deletes the tables managed.json names, rollback
/// installs a snapshot): state and lock files that another user could have planted or
/// swapped are refused, and nothing is changed.
@Suite(.serialized) struct StateDirSecurityTests {
    static let nobody: uid_t = 65534

    /// managed.json naming Docker's table, as an attacker would plant it.
    static func plantManaged(_ dir: String, _ ns: TestNamespace) throws -> String {
        let d = "\(dir)/netns-\(ns.name)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let path = d + "/managed.json"
        try #"{"tables": [{"family": "ip", "name": "docker_like"}, {"family": "ip", "name": "fw"}]}"#
            .write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    /// The attacker's snapshot: rollback would install `ip saddr 192.0.2.66 accept` (fw-old.json).
    static func plantSnapshot(_ dir: String, _ ns: TestNamespace) throws -> String {
        let d = "\(dir)/netns-\(ns.name)/snapshots"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let old = try String(contentsOfFile: ApplySafety.fixture("fw-old.json"), encoding: .utf8)
        let listing = try JSON.parse(old)["nftables"]?.arrayValue?.compactMap { $0["add"] } ?? []
        let snapshot: JSON = [
            "id": "9999999999.000000-1", "tables": [["family": "ip", "name": "fw"]],
            "listing": ["nftables": .array(listing)]
        ]
        let path = d + "/9999999999.000000-1.json"
        try snapshot.serialized().write(toFile: path, atomically: false, encoding: .utf8)
        return path
    }

    static func setUp(_ purpose: String) throws -> (TestNamespace, String)? {
        guard let ns = TestNamespace.make(purpose) else { return nil }
        #expect(ns.nftLoad(try PlanKernelTests.fixtureText("foreign.nft")).status == 0)
        let dir = ApplySafety.stateDir()
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw.json")], dir)
        try #require(r.status == 0, "\(r.stderr)")
        return (ns, dir)
    }

    @Test(.needsRoot) func worldWritableStateDirectoryIsRefused() throws {
        guard let (ns, dir) = try Self.setUp("world-writable NFTCTL_STATE_DIR") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        chmod(dir, 0o1777)
        _ = try Self.plantManaged(dir, ns)
        let r = ApplySafety.nftctl(["apply", "--yes", "--prune", "--netns", ns.name, ApplySafety.fixture("fw.json")], dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing \(dir)") && r.stderr.contains("writable by group or others"), "\(r.stderr)")
        #expect(ns.nftList() == before, "Docker's table (or anything) was changed")
    }

    @Test(.needsRoot) func plantedManagedFileOwnedByAnotherUserIsRefused() throws {
        guard let (ns, dir) = try Self.setUp("foreign-owned managed.json") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let path = try Self.plantManaged(dir, ns)
        chown(path, Self.nobody, gid_t(Self.nobody))
        let r = ApplySafety.nftctl(["apply", "--yes", "--prune", "--netns", ns.name, ApplySafety.fixture("fw.json")], dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing \(path)") && r.stderr.contains("owned by uid 65534"), "\(r.stderr)")
        #expect(ns.nftList() == before)
    }

    @Test(.needsRoot) func symlinkedStateFileIsNotFollowed() throws {
        guard let (ns, dir) = try Self.setUp("symlinked managed.json") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let target = try Self.plantManaged(dir, ns) + ".planted"
        let link = "\(dir)/netns-\(ns.name)/managed.json"
        try FileManager.default.moveItem(atPath: link, toPath: target)
        #expect(symlink(target, link) == 0)
        let r = ApplySafety.nftctl(["apply", "--yes", "--prune", "--netns", ns.name, ApplySafety.fixture("fw.json")], dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("symbolic link"), "\(r.stderr)")
        #expect(ns.nftList() == before)
    }

    @Test(.needsRoot) func plantedSnapshotIsNotRestored() throws {
        guard let (ns, dir) = try Self.setUp("planted snapshot") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let path = try Self.plantSnapshot(dir, ns)
        chown(path, Self.nobody, gid_t(Self.nobody))
        let r = ApplySafety.nftctl(["rollback", "--netns", ns.name], dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing \(path)"), "\(r.stderr)")
        #expect(!ns.nftList().contains("192.0.2.66 accept"))
        #expect(ns.nftList() == before)
        // A group-writable snapshot directory is refused too, even with an honest file in it.
        chown(path, getuid(), getgid())
        chmod("\(dir)/netns-\(ns.name)/snapshots", 0o770)
        let g = ApplySafety.nftctl(["rollback", "--netns", ns.name, "--snapshot", "9999999999.000000-1"], dir)
        #expect(g.status == 1 && g.stderr.contains("writable by group or others"), "\(g.stderr)")
        #expect(ns.nftList() == before)
    }

    @Test(.needsRoot) func snapshotIdIsNotAPath() throws {
        guard let (ns, dir) = try Self.setUp("snapshot id with a path") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let r = ApplySafety.nftctl(["rollback", "--netns", ns.name, "--snapshot", "../../../tmp/x"], dir)
        #expect(r.status == 1 && r.stderr.contains("is not a snapshot id"), "\(r.stderr)")
        #expect(ns.nftList() == before)
    }

    @Test(.needsRoot) func foreignLockDirectoryAndSymlinkedLockFileAreRefused() throws {
        guard let (ns, dir) = try Self.setUp("lock directory checks") else { return }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = ns.nftList()
        let run = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: run) }
        chmod(run, 0o777)
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw-old.json")], dir, ["NFTCTL_RUN_DIR": run])
        #expect(r.status == 1 && r.stderr.contains("refusing \(run)"), "\(r.stderr)")
        chmod(run, 0o700)
        var st = stat()
        try #require(stat("/run/netns/\(ns.name)", &st) == 0)
        let lockPath = "\(run)/netns-\(st.st_dev)-\(st.st_ino).lock"
        #expect(symlink("/tmp/nftctl-victim-\(getpid())", lockPath) == 0)
        let s = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw-old.json")], dir, ["NFTCTL_RUN_DIR": run])
        #expect(s.status == 1 && s.stderr.contains("symbolic link"), "\(s.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/nftctl-victim-\(getpid())"))
        #expect(ns.nftList() == before)
    }
}
