import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Review 9 (9d00c93 saved-ruleset copy, 21dc08e warmed libnftables cache): reproductions.
@Suite struct Review9Tests {
    static func write(_ text: String, _ dir: String, _ name: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The warm-up's `add rule … index 0` leaves NFT_CACHE_UPDATE in libnftables' cache
    /// flags; the commit that reuses the cache then runs rule_cache_update for every rule,
    /// and for the rules of an anonymous chain (no chain name) 1.0.6 calls
    /// chain_cache_find(NULL): nftctl dies of SIGSEGV. Without the warm-up (nothing
    /// remembered) the same change applies. Fails on 21dc08e (status 139).
    @Test(.needsRoot) func anAnonymousChainAppendedAfterAWarmUpIsApplied() throws {
        guard let ns = TestNamespace.make("warm-up, anonymous chain") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = "table inet t {\n  chain c {\n    type filter hook input priority 0; policy accept;\n    tcp dport 22 accept\n"
        let one = try Self.write(head + "  }\n}\n", dir, "one.nft")
        let two = try Self.write(head + "    tcp dport 80 jump { counter; accept; }\n  }\n}\n", dir, "two.nft")
        let first = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, one], dir)
        try #require(first.status == 0, "\(first.stderr)")
        let second = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, two], dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(ns.nftList().contains("jump"))
    }

    /// libnftables 1.0.6 crashes on a batch that places a rule by position and adds a rule
    /// with an anonymous chain (review 9, finding 2): the planner replaces that table whole
    /// instead (no positions), and the namespace lists as `nft -f` makes it. A batch that
    /// still holds both (across tables) is refused by the transport before it is sent.
    @Test(.needsRoot) func aPositionedRuleBesideAnAnonymousChainReplacesTheTable() throws {
        guard let k = AgainstNft("positioned rule, anonymous chain") else { return }
        let head = "table inet t {\n  chain c {\n    type filter hook input priority 0; policy accept;\n    tcp dport 22 accept\n"
        let one = head + "    tcp dport 80 accept\n  }\n}\n"
        let two = head + "    tcp dport 443 accept\n    tcp dport 80 accept\n    tcp dport 8080 jump { counter; accept; }\n  }\n}\n"
        let first = try k.apply(one)
        try #require(first.status == 0, "\(first.stderr)")
        let second = try k.apply(two)
        #expect(second.status == 0 && second.stdout.contains("replaced whole"), "\(second.stdout)\(second.stderr)")
        try k.expectSameAsNft(two)
        let batch = try Document.parse(
            #"{"nftables": [{"insert": {"rule": {"family": "inet", "table": "a", "chain": "c", "handle": 4, "expr": [{"accept": null}]}}}, "#
                + #"{"add": {"rule": {"family": "inet", "table": "b", "chain": "c", "expr": ["jump { counter; accept; }"]}}}]}"#)
        #expect(AnonymousChainPlacement.refusal(batch, locations: []) != nil)
    }

    /// The copy an apply wrote beside ruleset.json is removed before its publication, as
    /// `removeAbandoned` in an nftctl of another PID namespace sharing the state directory
    /// does (the copy's pid names no process there: kill(pid, 0) says ESRCH). The apply has
    /// committed; `recordApply` then warns and leaves the OLD saved ruleset for the boot
    /// service, though the file applied is still there as read and the slow path would have
    /// saved it. Fails on 9d00c93.
    @Test func aCopyRemovedBeforeItsPublicationStillSavesTheFileApplied() throws {
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(root: dir, netns: "lost-copy")
        let (old, _) = try SavedRulesetTests.file(dir, "old.json", "a", [22])
        #expect(store.recordApply(old, pruned: [], generation: 1, confirming: nil).isEmpty)
        let (a, aBytes) = try SavedRulesetTests.file(dir, "a.json", "a", [22, 80])
        let copy = store.prepareCopy(aBytes, digest: try #require(a.sourceDigest))
        // Once written in full, removed as another process's `removeAbandoned` would.
        let prefix = ".ruleset.json.\(getpid())."
        var removed = false
        for _ in 0..<500 where !removed {
            for name in try FileManager.default.contentsOfDirectory(atPath: store.directory.path) where name.hasPrefix(prefix) {
                let path = store.directory.path + "/" + name
                if (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == aBytes.count {
                    removed = unlink(path) == 0
                }
            }
            if !removed { usleep(10_000) }
        }
        try #require(removed)
        let warnings = store.recordApply(a, pruned: [], generation: 2, confirming: nil, copy: copy)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(try [UInt8](#require(FileManager.default.contents(atPath: store.rulesetFile.path))) == aBytes)
    }

    /// Checked sound: after a warm-up, a rule-only change whose rules use anonymous sets, a
    /// named set and a verdict map (decoded from the echo with libnftables' reused cache) is
    /// remembered as the kernel lists it.
    @Test(.needsRoot) func aWarmedChangeWithSetsIsRememberedAsTheKernelListsIt() throws {
        guard let ns = TestNamespace.make("warm-up, sets in the echo") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let backend = try LibNFTablesBackend(netns: ns.name)
        let store = StateStore(root: dir, netns: ns.name)
        func file(_ extra: String, _ name: String) throws -> LoadedInput {
            let text = """
                table inet w {
                  set blocked { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
                  chain other { accept; }
                  chain input {
                    type filter hook input priority 0; policy accept;
                    tcp dport 22 accept
                \(extra)    tcp dport 80 accept
                  }
                }

                """
            return try InputLoader.load(try Self.write(text, dir, name))
        }
        _ = try ApplyOperation.run(try file("", "a.nft"), backend: backend, store: store, netns: ns.name)
        let changed = """
                ip saddr @blocked drop
                tcp dport { 1, 2, 3 } counter accept
                ip daddr { 10.1.0.0/16, 10.3.0.0/16 } drop
                tcp dport vmap { 5 : jump other, 6 : drop }

            """
        let generation = try backend.generationID()
        #expect(store.remembersListing(generation: generation, netns: ns.name))
        backend.warmCache()
        let report = try ApplyOperation.run(file(changed, "b.nft"), backend: backend, store: store, netns: ns.name)
        #expect(report.applied)
        #expect(try backend.generationID() == generation &+ 1)
        let listed = try backend.list(table: "inet", name: "w")
        let remembered = try #require(
            store.rememberedListing(generation: try backend.generationID(), netns: ns.name, covering: [TableKey(family: "inet", name: "w")])
        )
        #expect(ApplyPipelineTests.rules(remembered.document) == ApplyPipelineTests.rules(listed))
        #expect(ApplyPipelineTests.rules(listed).count == 7)
    }
}
