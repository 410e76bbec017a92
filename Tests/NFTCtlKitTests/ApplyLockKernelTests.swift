import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// One writer at a time per network namespace: two applies never mix their rulesets, the
/// second waits for the first or gives up with nothing changed and says who holds the
/// lock; a writer that is not nftctl is still caught by the generation id.
@Suite(.serialized) struct ApplyLockKernelTests {
    /// The listing `nft` itself gives for an nft-syntax file loaded alone: the oracle for
    /// "exactly one of them".
    static func reference(_ file: String) throws -> String {
        let ns = try #require(TestNamespace.make("reference listing"))
        let r = ns.nftLoad(try String(contentsOfFile: file, encoding: .utf8))
        #expect(r.status == 0, "\(r.stderr)")
        return ns.nftList()
    }

    @Test(.needsRoot) func concurrentAppliesNeverMixTheirRulesets() throws {
        guard let ns = TestNamespace.make("two concurrent applies") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ApplySafety.fixture("cc-base.json")
        let a = try ApplySafety.write(ApplySafety.bigRuleset("tcp", count: 3000), "cc-A.nft")
        let b = try ApplySafety.write(ApplySafety.bigRuleset("udp", count: 3000), "cc-B.nft")
        let refA = try Self.reference(a), refB = try Self.reference(b)
        #expect(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, base], dir).status == 0)
        let baseListing = ns.nftList()

        let pa = try BackgroundNftctl(["apply", "--yes", "--netns", ns.name, a], environment: ["NFTCTL_STATE_DIR": dir])
        let pb = try BackgroundNftctl(["apply", "--yes", "--netns", ns.name, b], environment: ["NFTCTL_STATE_DIR": dir])
        let ra = pa.finish(), rb = pb.finish()
        let final = ns.nftList()
        #expect(final == refA || final == refB, "the final ruleset is neither A's nor B's (a mix?)")
        #expect(final != baseListing)
        for (r, other) in [(ra, refB), (rb, refA)] {
            #expect(r.status == 0 || r.status == 1, "\(r.stderr)")
            // A loser gave up with nothing changed: the winner's ruleset stands.
            if r.status == 1 {
                #expect(r.stderr.contains("another nftctl is changing"), "\(r.stderr)")
                #expect(final == other)
            }
        }
        #expect(ra.status == 0 || rb.status == 0)
    }

    /// Deterministic: the first apply is stopped while it holds the lock (after its listing).
    @Test(.needsRoot) func secondApplyGivesUpNamingTheHolderOrAppliesAfterTheFirst() throws {
        guard let ns = TestNamespace.make("apply while another holds the lock") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("cc-base.json")], dir).status == 0)
        let baseListing = ns.nftList()
        let first = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("cs-A.json")],
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "listed"])
        try #require(first.waitUntilStopped(), "the first apply did not reach its listing")

        let gaveUp = ApplySafety.nftctl(["apply", "--yes", "--wait", "0.5", "--netns", ns.name, ApplySafety.fixture("cs-B.json")], dir)
        #expect(gaveUp.status == 1)
        #expect(gaveUp.stderr.contains("pid \(first.pid)"), "does not say who holds the lock: \(gaveUp.stderr)")
        #expect(gaveUp.stderr.contains("Nothing was changed"))
        #expect(ns.nftList() == baseListing, "the apply that gave up changed the ruleset")
        // rollback and confirm wait for the same lock.
        let rollback = ApplySafety.nftctl(["rollback", "--wait", "0.2", "--netns", ns.name], dir)
        #expect(rollback.status == 1 && rollback.stderr.contains("pid \(first.pid)"), "\(rollback.stderr)")

        let second = try BackgroundNftctl(
            ["apply", "--yes", "--wait", "120", "--netns", ns.name, ApplySafety.fixture("cs-B.json")],
            environment: ["NFTCTL_STATE_DIR": dir])
        first.resume()
        let r1 = first.finish(), r2 = second.finish()
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(r2.status == 0, "\(r2.stderr)")
        // The second waited for the first and applied after it: its rules are what stands.
        let final = ns.nftList()
        #expect(final.contains("udp dport 53 drop") && !final.contains("tcp dport 22 drop"), "\(final)")
    }

    /// `interpose.py`: a writer that is not nftctl (and so takes no lock) commits between the
    /// listing and the commit: the apply is refused, nothing of it is committed.
    @Test(.needsRoot) func foreignWriterBetweenPlanAndCommitIsRefused() throws {
        guard let ns = TestNamespace.make("foreign writer between plan and commit") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("cc-base.json")], dir).status == 0)
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("cs-A.json")],
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "listed"])
        try #require(apply.waitUntilStopped())
        #expect(ns.exec(["nft", "add", "table", "ip", "foreign"]).status == 0)
        let withForeign = ns.nftList()
        apply.resume()
        let r = apply.finish()
        #expect(r.status == 1)
        #expect(r.stderr.contains("another program wrote to it"), "\(r.stderr)")
        #expect(ns.nftList() == withForeign, "something of the refused apply was committed")
    }

    @Test(.needsRoot) func lockNamesItsHolderAndIsKeyedByTheNamespaceNotTheName() throws {
        guard let ns = TestNamespace.make("namespace lock") else { return }
        let held = try NamespaceLock.acquire(netns: ns.name, wait: 0, what: "apply")
        #expect(throws: NamespaceLock.Busy.self) { _ = try NamespaceLock.acquire(netns: ns.name, wait: 0.1, what: "apply") }
        do {
            _ = try NamespaceLock.acquire(netns: ns.name, wait: 0.1, what: "apply")
        } catch let busy as NamespaceLock.Busy {
            #expect(busy.holder.contains("pid \(getpid())"))
        }
        // The same namespace under a second name is the same firewall, so the same lock.
        let alias = "\(ns.name)-alias"
        try #require(Shell.run(["touch", "/run/netns/\(alias)"]).status == 0)
        defer { _ = Shell.run(["umount", "/run/netns/\(alias)"]); unlink("/run/netns/\(alias)") }
        try #require(Shell.run(["mount", "--bind", "/run/netns/\(ns.name)", "/run/netns/\(alias)"]).status == 0)
        #expect(throws: NamespaceLock.Busy.self) { _ = try NamespaceLock.acquire(netns: alias, wait: 0.1, what: "apply") }
        held.release()
        let again = try NamespaceLock.acquire(netns: alias, wait: 0, what: "apply")
        again.release()
    }
}
