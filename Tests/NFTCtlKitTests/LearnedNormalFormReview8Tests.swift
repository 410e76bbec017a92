import Foundation
import NFTAnalysis
import Synchronization
import Testing

@testable import NFTCtlKit

/// Review of 3807711 and its parents (review8): what a listing prints as the live namespace
/// has it at the time of listing, beyond `iif`/`oif`.
@Suite(.serialized) struct LearnedNormalFormReview8Tests {
    /// As `LearnedNormalFormReviewTests.anInterfaceRenamedAfterTheCommitIsNotLearntAsTheRulesNormalForm`,
    /// with `meta sdif` (an interface index like `iif`: nft's `ifindex_type`) instead of `meta iif`.
    @Test(.needsRoot) func aSlaveInterfaceRenamedAfterTheCommitIsNotLearnt() throws {
        try LearnedNormalFormReviewTests.renamedAfterTheCommit(key: "sdif")
    }

    /// An interface renamed (and its name given to another) after a verified apply, with no
    /// commit since: the kernel's rule now matches the renamed interface and lists it by its
    /// new name, and `nft -f` of the file would bind the rule to the new holder of the name.
    /// The remembered listing and the up-to-date record are vouched for by the generation id,
    /// which a rename does not move: `diff` says nothing differs, `apply` says up to date.
    @Test(.needsRoot) func anInterfaceRenamedWithoutACommitIsNotTakenAsUpToDate() throws {
        guard let ns = TestNamespace.make("review8 iif rename after apply") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = ApplySafety.stateDir()
        defer { for d in [cache, state] { try? FileManager.default.removeItem(atPath: d) } }
        let file = try ApplySafety.write(LearnedNormalFormReviewTests.interfaceJSON("iif"), "review8-iif.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        try #require(ns.exec(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"]).status == 0)
        let first = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, ["NFTCTL_CACHE": cache])
        try #require(first.status == 0, "\(first.stderr)")
        try #require(ns.exec(["ip", "link", "set", "v0", "name", "v9"]).status == 0)
        try #require(ns.exec(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v2"]).status == 0)
        try #require(ns.nftList().contains("iif \"v9\""))

        let diff = ApplySafety.nftctl(["diff", "--netns", ns.name, file], state, ["NFTCTL_CACHE": cache])
        #expect(diff.status == 1, "diff says nothing differs although the kernel lists iif \"v9\": \(diff.stdout)")
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, ["NFTCTL_CACHE": cache])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("already up to date"), "\(again.stdout)")
        #expect(ns.nftList().contains("iif \"v0\""), "the kernel still matches the renamed interface: \(ns.nftList())")
    }

    /// `Concurrently.wait` consumed the semaphore's one signal: a second wait never returned.
    @Test func aSecondWaitReturnsTheSameValue() throws {
        let c = Concurrently { 42 }
        #expect(try c.wait() == 42)
        let second = DispatchSemaphore(value: 0)
        final class Box: Sendable { let value = Mutex<Int?>(nil) }
        let got = Box()
        Thread {
            let v = try? c.wait()
            got.value.withLock { $0 = v }
            second.signal()
        }.start()
        #expect(second.wait(timeout: .now() + 30) == .success, "a second wait never returns")
        #expect(got.value.withLock { $0 } == 42)
    }
}
