import Foundation
import NFTAnalysis
import Synchronization
import Testing

@testable import NFTCtlKit

/// Review of 3807711 and its parents (review8): what a listing prints as the live namespace
/// has it at the time of listing, beyond `iif`/`oif`.
@Suite(.serialized) struct LearnedNormalFormReview8Tests {
    typealias Pipeline = ApplyPipelineTests

    static func table(_ statement: String) throws -> TableContents {
        let json =
            #"{"add": {"table": {"family": "inet", "name": "t"}}}, {"add": {"chain": {"family": "inet", "table": "t", "name": "input"}}}, "#
            + #"{"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [\#(statement), {"accept": null}]}}}"#
        return try Pipeline.input(json).state.tables[0]
    }

    /// `meta sdif` is an interface index like `iif` (nft's `ifindex_type`): the listing
    /// prints the name the index has when it is listed.
    @Test func aSlaveInterfaceByIndexDependsOnTheNamespace() throws {
        let sdif = try Self.table(#"{"match": {"op": "==", "left": {"meta": {"key": "sdif"}}, "right": "v0"}}"#)
        #expect(LearnedNormalForm.dependsOnTheNamespace(sdif))
    }

    static func json(_ key: String) -> String {
        #"""
        {"nftables": [
        {"add": {"table": {"family": "inet", "name": "ifr"}}},
        {"add": {"chain": {"family": "inet", "table": "ifr", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
        {"add": {"rule": {"family": "inet", "table": "ifr", "chain": "input", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "\#(key)"}}, "right": "v0"}}, {"accept": null}]}}}
        ]}
        """#
    }

    /// As `LearnedNormalFormReviewTests.anInterfaceRenamedAfterTheCommitIsNotLearntAsTheRulesNormalForm`,
    /// with `meta sdif` instead of `meta iif`.
    @Test(.needsRoot) func aSlaveInterfaceRenamedAfterTheCommitIsNotLearnt() throws {
        guard let ns = TestNamespace.make("review8 sdif rename"), let later = TestNamespace.make("review8 sdif later") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = ApplySafety.stateDir(), state2 = ApplySafety.stateDir()
        defer { for d in [cache, state, state2] { try? FileManager.default.removeItem(atPath: d) } }
        let file = try ApplySafety.write(Self.json("sdif"), "review8-sdif.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        for n in [ns, later] {
            try #require(n.exec(["ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1"]).status == 0)
        }
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, file],
            environment: ["NFTCTL_STATE_DIR": state, "NFTCTL_CACHE": cache, "NFTCTL_TEST_STOP_AT": "committed"])
        try #require(apply.waitUntilStopped(), "never reached the commit")
        #expect(ns.exec(["ip", "link", "set", "v0", "name", "v9"]).status == 0)
        apply.resume()
        let r = apply.finish()
        #expect(
            ns.nftList().contains("sdif \"v9\"") == false || r.status != 0, "verified although the kernel lists sdif \"v9\": \(r.stdout)")
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", later.name, file], state2, ["NFTCTL_CACHE": cache])
        #expect(again.status == 0, "a later apply fails on the learnt record: \(again.stderr)")
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
        let file = try ApplySafety.write(Self.json("iif"), "review8-iif.json")
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

    /// `Concurrently.wait` consumes the semaphore's one signal: a second wait (a second
    /// `Prefetched.holding`, e.g. a dry run then the real run with the same prefetch) never
    /// returns.
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
