import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A plain incremental apply (no `--confirm`) that fails leaves the kernel as it was: a
/// commit the kernel refuses part-way changes nothing (one transaction), and a failure
/// after the commit (verification) is rolled back at once, counters and run-time set
/// elements included.
@Suite(.serialized) struct IncrementalRollbackKernelTests {
    /// The kernel refuses the last command of the batch (the dynamic set is full with
    /// elements packets added): the policy change before it does not stay.
    @Test(.needsRoot) func aCommitRefusedPartWayChangesNothing() throws {
        guard let ns = TestNamespace.make("incremental apply: commit refused part-way") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("full-set-base.nft")], dir)
        try #require(base.status == 0, "\(base.stderr)")
        #expect(ns.exec(["nft", "add", "element", "ip", "r", "s", "{ 10.9.0.1, 10.9.0.2 }"]).status == 0)
        let before = ns.exec(["nft", "-a", "list", "ruleset"]).stdout
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, ApplySafety.fixture("full-set-new.nft")], dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("nothing was changed"), "\(r.stderr)")
        #expect(ns.exec(["nft", "-a", "list", "ruleset"]).stdout == before, "part of the refused batch stayed")
    }

    /// Verification fails (another program changes the table between the commit and the
    /// re-listing): without --confirm too, the apply rolls back at once and says so.
    @Test(.needsRoot) func aFailedVerificationIsRolledBackWithoutConfirm() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let (ns, before) = try ApplySafety.prepared("incremental apply: verification fails", dir) else { return }
        try ApplySafety.applyFailingVerification(ns, dir)
        #expect(ns.nftList() == before, "not restored byte for byte (counters, dynamic set elements)")
    }
}
