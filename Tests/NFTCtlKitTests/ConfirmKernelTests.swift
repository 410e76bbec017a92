import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// `apply --confirm`: rolled back by a detached timer unless confirmed, also when the
/// process that applied is killed; `rollback` restores the exact previous state.
@Suite(.serialized) struct ConfirmKernelTests {
    static func env(_ dir: String) -> [String: String] { ["NFTCTL_STATE_DIR": dir] }

    @Test(.needsRoot) func unconfirmedApplyIsRolledBackEvenIfTheApplyingProcessIsKilled() throws {
        guard let ns = TestNamespace.make("--confirm rollback after kill") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ns.nftLoad(try PlanKernelTests.fixtureText("foreign.nft")).status == 0)
        let first = Shell.run(
            [Shell.nftctl, "apply", "--yes", "--netns", ns.name, KernelApplyTests.fixture("edge.nft")],
            environment: Self.env(dir))
        try #require(first.status == 0, "\(first.stderr)")
        // Counters with values, to check the rollback restores them exactly.
        _ = ns.exec(["nft", "reset", "counters"])
        let before = KernelApplyTests.stable(ns.nftList())
        let changed = try PlanKernelTests.input(
            try PlanKernelTests.fixtureText("edge.nft")
                .replacingOccurrences(of: "udp dport { 53, 123 } accept", with: "udp dport 53 accept"), "confirm")
        // Stopped right after its commit, then killed: the timer armed before the commit acts.
        let p = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, changed.path, "--confirm", "2s"],
            environment: Self.env(dir).merging(["NFTCTL_TEST_STOP_AT": "committed"]) { $1 })
        try #require(p.waitUntilStopped())
        let pending = URL(fileURLWithPath: dir).appendingPathComponent("netns-\(ns.name)/pending-confirm.json").path
        kill(p.pid, SIGKILL)
        _ = p.finish()
        #expect(ns.nftList().contains("udp dport 53 accept"), "the change was not applied")
        sleep(4)
        #expect(!FileManager.default.fileExists(atPath: pending) || ApplySafety.waitForTimer(dir, ns))
        #expect(KernelApplyTests.stable(ns.nftList()) == before, "not rolled back to the exact previous state")
        #expect(!FileManager.default.fileExists(atPath: pending))
    }

    @Test(.needsRoot) func confirmedApplyStays() throws {
        guard let ns = TestNamespace.make("--confirm then confirm") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let changed = try PlanKernelTests.input(try PlanKernelTests.fixtureText("edge.nft"), "confirm2")
        let a = Shell.run([Shell.nftctl, "apply", "--yes", "--netns", ns.name, changed.path, "--confirm", "2s"], environment: Self.env(dir))
        #expect(a.status == 0, "\(a.stderr)")
        let c = Shell.run([Shell.nftctl, "confirm", "--netns", ns.name], environment: Self.env(dir))
        #expect(c.status == 0, "\(c.stderr)")
        sleep(3)
        #expect(ns.nftList().contains("table inet edge"))
        // And an explicit rollback restores the state before that apply: no edge table.
        let r = Shell.run([Shell.nftctl, "rollback", "--netns", ns.name], environment: Self.env(dir))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!ns.nftList().contains("table inet edge"))
        // It says which apply it undid: the one that committed when the snapshot was taken.
        #expect(
            r.stdout.range(
                of: #", taken at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by the apply that committed then"#, options: .regularExpression)
                != nil, "\(r.stdout)")
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: dir + "/netns-\(ns.name)/snapshots")
        for s in snapshots {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/netns-\(ns.name)/snapshots/" + s)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test(.needsRoot) func pruneDeletesAManagedTableThatDisappearedAndNothingElse() throws {
        guard let ns = TestNamespace.make("--prune") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ns.nftLoad(try PlanKernelTests.fixtureText("foreign.nft")).status == 0)
        let foreignBefore = ns.nftList()
        let both = try PlanKernelTests.input("table inet one {\n\tchain c {\n\t}\n}\ntable inet two {\n\tchain c {\n\t}\n}\n", "prune1")
        #expect(Shell.run([Shell.nftctl, "apply", "--yes", "--netns", ns.name, both.path], environment: Self.env(dir)).status == 0)
        let onlyOne = try PlanKernelTests.input("table inet one {\n\tchain c {\n\t}\n}\n", "prune2")
        #expect(Shell.run([Shell.nftctl, "apply", "--yes", "--netns", ns.name, onlyOne.path], environment: Self.env(dir)).status == 0)
        #expect(ns.nftList().contains("table inet two"), "without --prune nothing is deleted")
        let p = Shell.run([Shell.nftctl, "apply", "--yes", "--prune", "--netns", ns.name, onlyOne.path], environment: Self.env(dir))
        #expect(p.status == 0, "\(p.stderr)")
        let after = ns.nftList()
        #expect(!after.contains("table inet two"))
        #expect(after.contains("table inet one"))
        for table in ["table ip docker_like", "table ip kube_proxy_like", "table inet f2b-table"] {
            #expect(KernelApplyTests.section(table, of: after) == KernelApplyTests.section(table, of: foreignBefore))
        }
    }
}
