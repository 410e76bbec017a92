import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The `--confirm` safety net exists before the batch is sent: whatever happens to nftctl
/// after the commit (SIGKILL, SIGHUP, a failed verification, a state file it cannot write),
/// the namespace ends exactly as it was before, counters and run-time set elements included.
@Suite(.serialized) struct ConfirmSafetyKernelTests {
    func killedAfterTheCommit(_ signal: Int32) throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let (ns, before) = try ApplySafety.prepared("--confirm, signal \(signal) after the commit", dir) else { return }
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("rb-new.nft"), "--confirm", "2s"],
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "committed"])
        try #require(apply.waitUntilStopped(), "never reached the commit")
        #expect(ns.nftList().contains("policy drop"), "the new rules were not committed")
        kill(apply.pid, signal)
        if signal != SIGKILL { apply.resume() }  // a stopped process acts on SIGHUP only once continued
        _ = apply.finish()
        #expect(ApplySafety.waitForTimer(dir, ns), "the rollback timer never acted")
        #expect(ns.nftList() == before, "not restored byte for byte (counters, dynamic set elements)")
    }

    @Test(.needsRoot) func sigkillRightAfterTheCommitIsRolledBackExactly() throws { try killedAfterTheCommit(SIGKILL) }

    @Test(.needsRoot) func sighupRightAfterTheCommitIsRolledBackExactly() throws { try killedAfterTheCommit(SIGHUP) }

    /// Killed after arming but before sending: the timer finds nothing committed and leaves
    /// the ruleset (and its counters) alone.
    @Test(.needsRoot) func killedBeforeTheCommitChangesNothing() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let (ns, before) = try ApplySafety.prepared("--confirm, killed before the commit", dir) else { return }
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("rb-new.nft"), "--confirm", "1s"],
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "armed"])
        try #require(apply.waitUntilStopped())
        #expect(FileManager.default.fileExists(atPath: "\(dir)/netns-\(ns.name)/pending-confirm.json"), "not armed before the commit")
        kill(apply.pid, SIGKILL)
        _ = apply.finish()
        #expect(ApplySafety.waitForTimer(dir, ns))
        #expect(ns.nftList() == before)
    }

    /// Verification fails (here: another program changes the table between the commit and
    /// the re-listing): the apply rolls back at once and says so.
    @Test(.needsRoot) func failedVerificationRollsBackAtOnce() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let (ns, before) = try ApplySafety.prepared("--confirm, verification fails", dir) else { return }
        try ApplySafety.applyFailingVerification(ns, dir, ["--confirm", "60s"])
        #expect(ns.nftList() == before, "the new `policy drop` (or part of the apply) stayed")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/netns-\(ns.name)/pending-confirm.json"))
    }

    /// The state directory cannot be written after the commit (a directory where
    /// managed.json goes stands in for a full disk): rolled back at once, and said.
    @Test(.needsRoot) func stateWriteFailureAfterTheCommitRollsBackAtOnce() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let (ns, before) = try ApplySafety.prepared("--confirm, state not writable after the commit", dir) else { return }
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("rb-new.nft"), "--confirm", "60s"],
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "committed"])
        try #require(apply.waitUntilStopped())
        let managed = "\(dir)/netns-\(ns.name)/managed.json"
        try FileManager.default.removeItem(atPath: managed)
        try FileManager.default.createDirectory(atPath: managed, withIntermediateDirectories: false)
        apply.resume()
        let r = apply.finish()
        #expect(r.status == 1)
        #expect(r.stderr.contains("rolled back at once"), "\(r.stderr)")
        #expect(ns.nftList() == before)
    }

    /// A plain apply while a `--confirm` is pending would be undone by its timer: refused
    /// (exit 1, says how to go on); a second `--confirm` likewise, not as a usage error.
    @Test(.needsRoot) func applyWhileAConfirmIsPendingIsRefused() throws {
        guard let ns = TestNamespace.make("apply while --confirm pending") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw-old.json"), "--confirm", "5m"], dir)
        try #require(first.status == 0, "\(first.stderr)")
        let pendingListing = ns.nftList()
        for extra in [[], ["--confirm", "5m"]] {
            let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw.json")] + extra, dir)
            #expect(r.status == 1, "\(extra): \(r.stderr)")
            #expect(
                r.stderr.contains("nftctl confirm --netns \(ns.name)") && r.stderr.contains("nftctl rollback --netns \(ns.name)"),
                "\(r.stderr)")
            #expect(!r.stderr.contains("Usage:"))
            #expect(ns.nftList() == pendingListing)
        }
        #expect(ApplySafety.nftctl(["confirm", "--netns", ns.name], dir).status == 0)
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("fw.json")], dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ns.nftList().contains("ip saddr 192.0.2.66 drop"))
    }

    /// `nftctl rollback` gives back counters, elements packets added to dynamic sets (with
    /// their timeouts) and per-element counters, which 1.0.6's JSON input would zero.
    @Test(.needsRoot) func rollbackRestoresCountersAndRunTimeElements() throws {
        guard let ns = TestNamespace.make("rollback keeps counters and dynamic elements") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("elem-counters.nft")], dir)
        try #require(r.status == 0, "\(r.stderr)")
        ApplySafety.traffic(ns)
        let before = KernelApplyTests.stable(ns.nftList())
        try #require(before.contains("elements = { 127.0.0.1 counter packets 3 bytes 87 }"), "\(before)")
        let n = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("rb-new.nft")], dir)
        try #require(n.status == 0, "\(n.stderr)")
        let back = ApplySafety.nftctl(["rollback", "--netns", ns.name], dir)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(KernelApplyTests.stable(ns.nftList()) == before)
    }
}
