import Foundation
import Testing

@testable import NFTCtlKit

/// Review of d1c5d19 (`LearnedNormalForm`): what the kernel lists of a new table after the
/// commit depends on the namespace it lives in, not only on the batch and the kernel.
/// `iif "v0"` holds v0's index; the listing prints whatever name that index has at the
/// moment it is listed. A scratch namespace is independent of that; the live one is not.
@Suite(.serialized) struct LearnedNormalFormReviewTests {
    /// Table inet ifr whose one rule matches `meta KEY "v0"` (an interface by its index).
    static func interfaceJSON(_ key: String) -> String {
        #"""
        {"nftables": [
        {"add": {"table": {"family": "inet", "name": "ifr"}}},
        {"add": {"chain": {"family": "inet", "table": "ifr", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
        {"add": {"rule": {"family": "inet", "table": "ifr", "chain": "input", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "\#(key)"}}, "right": "v0"}}, {"accept": null}]}}}
        ]}
        """#
    }

    /// v0 renamed between the commit and the verifying listing (a udev rename at boot, a
    /// container runtime): the old path reported the mismatch and rolled back; the learnt
    /// path verifies, and keeps `iif "v9"` as the normal form of `iif "v0"` in the cache, so
    /// that every later apply of the same file where v0 keeps its name fails verification
    /// and is rolled back.
    @Test(.needsRoot) func anInterfaceRenamedAfterTheCommitIsNotLearntAsTheRulesNormalForm() throws {
        try Self.renamedAfterTheCommit(key: "iif")
    }

    /// Applies `interfaceJSON(key)`, renames v0 to v9 right after the commit, then applies the
    /// same file where v0 keeps its name.
    static func renamedAfterTheCommit(key: String) throws {
        guard let ns = TestNamespace.make("learnt \(key) rename"), let later = TestNamespace.make("learnt \(key) later") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = ApplySafety.stateDir(), state2 = ApplySafety.stateDir()
        defer { for d in [cache, state, state2] { try? FileManager.default.removeItem(atPath: d) } }
        let file = try ApplySafety.write(Self.interfaceJSON(key), "learnt-\(key).json")
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
        // The kernel lists `KEY "v9"`, the file says `KEY "v0"`: not "verified" (the scratch
        // path says "does not hold what was asked" and rolls back).
        #expect(
            ns.nftList().contains("\(key) \"v9\"") == false || r.status != 0,
            "verified although the kernel lists \(key) \"v9\": \(r.stdout)")

        // The same file in another namespace where v0 keeps its name: must apply and verify.
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", later.name, file], state2, ["NFTCTL_CACHE": cache])
        #expect(again.status == 0, "a later apply fails on the learnt record: \(again.stderr)")
    }

    /// A set the kernel refuses (more elements than its size). Through the scratch namespace
    /// the refusal names the file and line (`KernelCheck.locate`); at the real commit of a new
    /// table it names line 3 of nftctl's own text batch ("batch:3") and not the file.
    static let refusedJSON = #"""
        {"nftables": [
        {"add": {"table": {"family": "ip", "name": "t3"}}},
        {"add": {"set": {"family": "ip", "table": "t3", "name": "s", "type": "ipv4_addr", "size": 1, "elem": ["1.1.1.1", "2.2.2.2"]}}},
        {"add": {"chain": {"family": "ip", "table": "t3", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}
        ]}
        """#

    @Test(.needsRoot) func aKernelRefusalOfANewTableNamesTheFileAndLine() throws {
        guard let ns = TestNamespace.make("learnt refusal") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = ApplySafety.stateDir()
        defer { for d in [cache, state] { try? FileManager.default.removeItem(atPath: d) } }
        let file = try ApplySafety.write(Self.refusedJSON, "learnt-refused.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, ["NFTCTL_CACHE": cache])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(file):3:"), "\(r.stderr)")
        #expect(!ns.nftList().contains("t3"))
    }

    /// What is remembered of a learnt table is what the scratch namespace gives: no handles
    /// of the live table (the scratch records hold none).
    @Test(.needsRoot) func aLearntDeclarationsRecordHoldsNoLiveHandles() throws {
        guard let ns = TestNamespace.make("learnt handles") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = ApplySafety.stateDir()
        defer { for d in [cache, state] { try? FileManager.default.removeItem(atPath: d) } }
        let file = try ApplySafety.write(#"{"nftables": ["# + Pipeline.tableJSON("t", ports: [22, 80]) + "]}", "learnt-handles.json")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        try #require(r.status == 0, "\(r.stderr)")
        try #require(r.stderr.contains("normal forms learnt"), "\(r.stderr)")
        let dir = cache + "/normal"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".records") }
        try #require(!files.isEmpty)
        for f in files {
            let text = try String(contentsOfFile: dir + "/" + f, encoding: .utf8)
            #expect(!text.contains("\"handle\""), "\(text)")
        }
    }

    typealias Pipeline = ApplyPipelineTests
}
