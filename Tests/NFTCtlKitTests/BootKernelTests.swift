import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The boot path: what a successful apply saves, `nftctl restore` into a namespace made anew
/// (a reboot, as far as nftables can tell), and the refusals when the saved ruleset is
/// missing or damaged. Through the CLI, as the boot service runs it.
@Suite(.serialized) struct BootKernelTests {
    static func run(_ args: [String], _ dir: String) -> Shell.Result {
        Shell.run([Shell.nftctl] + args, environment: ["NFTCTL_STATE_DIR": dir])
    }

    /// Deletes the namespace and makes an empty one under the same name: the kernel's view
    /// of a reboot (the state directory, like /var/lib, survives).
    static func reboot(_ ns: TestNamespace) throws {
        try #require(Shell.run(["ip", "netns", "del", ns.name]).status == 0)
        try #require(Shell.run(["ip", "netns", "add", ns.name]).status == 0)
        #expect(ns.nftList().isEmpty, "the new namespace is not empty")
    }

    static func savedFile(_ dir: String, _ ns: TestNamespace) -> String { "\(dir)/netns-\(ns.name)/ruleset.json" }

    @Test(.needsRoot) func restoreAfterARebootGivesTheSameListing() throws {
        guard let ns = TestNamespace.make("restore into a fresh namespace") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two applies of two files: the saved ruleset holds both tables.
        let a = Self.run(["apply", "--yes", "--netns", ns.name, KernelApplyTests.fixture("edge.nft")], dir)
        try #require(a.status == 0, "\(a.stderr)")
        let second = try PlanKernelTests.input(
            "table ip boot2 {\n\tchain out {\n\t\ttype filter hook output priority 0; policy accept;\n\t\tip daddr 192.0.2.1 drop\n\t}\n}\n",
            "boot2")
        let b = Self.run(["apply", "--yes", "--netns", ns.name, second.path], dir)
        try #require(b.status == 0, "\(b.stderr)")
        let before = KernelApplyTests.stable(ns.nftList())
        #expect(before.contains("table inet edge") && before.contains("table ip boot2"))

        try Self.reboot(ns)
        let r = Self.run(["restore", "--netns", ns.name], dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("restored"))
        #expect(KernelApplyTests.stable(ns.nftList()) == before, "the restored ruleset lists differently")

        // A second restore has nothing to do and changes nothing.
        let again = Self.run(["restore", "--netns", ns.name], dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("nothing to do"))
    }

    @Test(.needsRoot) func missingOrCorruptSavedRulesetIsAnErrorAndChangesNothing() throws {
        guard let ns = TestNamespace.make("restore with a missing or corrupt saved ruleset") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ns.nftLoad(try PlanKernelTests.fixtureText("foreign.nft")).status == 0)
        let before = ns.nftList()

        let missing = Self.run(["restore", "--netns", ns.name], dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no saved ruleset at \(Self.savedFile(dir, ns))"), "\(missing.stderr)")
        #expect(ns.nftList() == before)

        try FileManager.default.createDirectory(
            atPath: "\(dir)/netns-\(ns.name)", withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let file = Self.savedFile(dir, ns)
        let damaged = [
            // Cut off mid-way (a full disk, a crash of something other than nftctl).
            #"{"nftables": [{"add": {"table": {"family": "inet", "name": "x"}}}, {"add": {"chain": {"#,
            // Valid JSON, not a batch the kernel takes.
            #"{"nftables": [{"add": {"rule": {"family": "ip", "table": "docker_like", "chain": "DOCKER", "expr": [{"bogus": 1}]}}}]}"#
        ]
        for text in damaged {
            try text.write(toFile: file, atomically: false, encoding: .utf8)
            chmod(file, 0o600)
            let r = Self.run(["restore", "--netns", ns.name], dir)
            #expect(r.status == 1, "\(r.stdout)")
            #expect(r.stderr.contains(file), "the error does not name the file: \(r.stderr)")
            #expect(ns.nftList() == before, "a refused restore changed the ruleset")
        }
        // Not followed through a symbolic link (the state directory's rule).
        unlink(file)
        let planted = dir + "/planted.json"
        try #"{"nftables": [{"add": {"table": {"family": "inet", "name": "planted"}}}]}"#.write(
            toFile: planted, atomically: false, encoding: .utf8)
        symlink(planted, file)
        let link = Self.run(["restore", "--netns", ns.name], dir)
        #expect(link.status == 1)
        #expect(link.stderr.contains("symbolic link"), "\(link.stderr)")
        #expect(ns.nftList() == before)
    }

    @Test(.needsRoot) func confirmKeepsTheSavedRulesetUntilConfirmedAndRollbackRevertsIt() throws {
        guard let ns = TestNamespace.make("saved ruleset with --confirm") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try PlanKernelTests.input("table inet conf {\n\tchain c {\n\t\ttcp dport 1 accept comment \"first\"\n\t}\n}\n", "conf1")
        let changed = try PlanKernelTests.input(
            "table inet conf {\n\tchain c {\n\t\ttcp dport 2 accept comment \"second\"\n\t}\n}\n", "conf2")
        try #require(Self.run(["apply", "--yes", "--netns", ns.name, first.path], dir).status == 0)
        func saved() -> String { (try? String(contentsOfFile: Self.savedFile(dir, ns), encoding: .utf8)) ?? "" }
        #expect(saved().contains("\"first\""))

        // Unconfirmed: the saved ruleset is still the first, so a reboot now restores it.
        try #require(Self.run(["apply", "--yes", "--netns", ns.name, changed.path, "--confirm", "60s"], dir).status == 0)
        #expect(saved().contains("\"first\"") && !saved().contains("\"second\""))
        let status = Self.run(["status", "--netns", ns.name], dir)
        #expect(status.stdout.contains("pending confirmation: rollback to snapshot"), "\(status.stdout)")
        let c = Self.run(["confirm", "--netns", ns.name], dir)
        #expect(c.status == 0, "\(c.stderr)")
        #expect(saved().contains("\"second\"") && !saved().contains("\"first\""))

        // Rolled back instead: the saved ruleset goes back with the kernel.
        let third = try PlanKernelTests.input("table inet conf {\n\tchain c {\n\t\ttcp dport 3 accept comment \"third\"\n\t}\n}\n", "conf3")
        try #require(Self.run(["apply", "--yes", "--netns", ns.name, third.path, "--confirm", "60s"], dir).status == 0)
        let r = Self.run(["rollback", "--netns", ns.name], dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/netns-\(ns.name)/ruleset.staged.json"))
        try Self.reboot(ns)
        #expect(Self.run(["restore", "--netns", ns.name], dir).status == 0)
        #expect(ns.nftList().contains("tcp dport 2 accept comment \"second\""), "\(ns.nftList())")
    }

    @Test(.needsRoot) func pruneAndReplacingATableUpdateTheSavedRuleset() throws {
        guard let ns = TestNamespace.make("saved ruleset after --prune") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let both = try PlanKernelTests.input(
            "table inet one {\n\tchain c {\n\t}\n}\ntable inet two {\n\tchain c {\n\t}\n}\n", "saved-prune1")
        try #require(Self.run(["apply", "--yes", "--netns", ns.name, both.path], dir).status == 0)
        let one = try PlanKernelTests.input("table inet one {\n\tchain d {\n\t}\n}\n", "saved-prune2")
        try #require(Self.run(["apply", "--yes", "--prune", "--netns", ns.name, one.path], dir).status == 0)
        let expected = ns.nftList()
        #expect(!expected.contains("table inet two") && expected.contains("chain d"))
        try Self.reboot(ns)
        let r = Self.run(["restore", "--netns", ns.name], dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ns.nftList() == expected, "the pruned table came back, or the replaced one kept its old chain")
    }

    @Test(.needsRoot) func statusShowsTheLastApplyAndExitsOneOnDrift() throws {
        guard let ns = TestNamespace.make("nftctl status") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let nothing = Self.run(["status", "--netns", ns.name], dir)
        #expect(nothing.status == 0, "\(nothing.stderr)")
        #expect(nothing.stdout.contains("last apply: none recorded"))

        let edge = KernelApplyTests.fixture("edge.nft")
        try #require(Self.run(["apply", "--yes", "--netns", ns.name, edge], dir).status == 0)
        let clean = Self.run(["status", "--netns", ns.name], dir)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.contains("managed tables: inet edge, ip nat"), "\(clean.stdout)")
        #expect(clean.stdout.contains("from \(edge)"))
        #expect(clean.stdout.contains("drift: none"))

        #expect(ns.exec(["nft", "add", "rule", "inet", "edge", "input", "tcp", "dport", "8081", "accept"]).status == 0)
        let drifted = Self.run(["status", "--netns", ns.name], dir)
        #expect(drifted.status == 1)
        #expect(drifted.stdout.contains("- tcp dport 8081 accept"), "\(drifted.stdout)")
        let json = Self.run(["status", "--netns", ns.name, "--format", "json"], dir)
        #expect(json.status == 1)
        let j = try JSON.parse(json.stdout)
        #expect(j["drift"] == .bool(true))
        #expect(j["lastApply"]?["file"]?.stringValue == edge)
        #expect(j["managedTables"]?.arrayValue?.count == 2)
        #expect(j["pendingConfirmation"] == .null)
    }
}
