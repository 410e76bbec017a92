import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A verified apply made again from its record (`Replay`, `ReplayRecord`): the same JSON
/// file into a namespace without its tables. The kernel lists what the first apply made,
/// what it remembers plans the next change, and a record that is not the creation of its
/// own tables, a commit meanwhile or evidence that does not hold never get past the checks.
@Suite(.serialized) struct ReplayKernelTests {
    static let text = """
        table inet rp {
        \tcomment "replayed"
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\ttcp dport 22 counter accept comment "ssh"
        \t\tip saddr 10.0.0.0/8 drop
        \t\tjump other
        \t}
        \tchain other {
        \t\tudp dport 53 accept
        \t}
        }

        """
    static let replayed = "commit (replayed batch)"
    static let evidence = "verification (echo + declarations against the recorded apply)"
    /// Said once a record is read and taken, before anything is sent.
    static let checked = "replay: the table is absent"
    static let kept = "replay record drafted"

    /// A JSON rules file compiled from `text`, a state directory and a cache of its own.
    struct Setup {
        let dir = ApplySafety.stateDir()
        let cache = ApplySafety.stateDir()
        let file: String
        init(_ text: String = ReplayKernelTests.text, _ name: String = "replay") throws {
            let nft = try ApplySafety.write(text, "\(name).nft")
            file = nft.replacingOccurrences(of: ".nft", with: ".json")
            let compiled = ApplySafety.nftctl(["compile", nft, "-o", file], dir)
            try? FileManager.default.removeItem(atPath: nft)
            try #require(compiled.status == 0, "\(compiled.stderr)")
        }
        func apply(_ ns: TestNamespace, _ args: [String] = [], file: String? = nil) -> Shell.Result {
            ApplySafety.nftctl(
                ["apply", "--yes", "--netns", ns.name] + args + [file ?? self.file], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        func cleanUp() {
            for d in [dir, cache, file] { try? FileManager.default.removeItem(atPath: d) }
        }
        /// The one record kept (`ReplayRecord`).
        var record: String? {
            let d = cache + "/replay"
            return ((try? FileManager.default.contentsOfDirectory(atPath: d)) ?? []).first { $0.hasSuffix(".replay") }.map { d + "/" + $0 }
        }
        /// Rewrites the record's bytes, as someone with the cache's owner's rights could.
        func tamper(_ change: (inout [UInt8]) throws -> Void) throws {
            let path = try #require(record)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            try change(&bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    /// Where the record's header ends and its sections are (`ReplayRecord.save`).
    static func sections(_ bytes: [UInt8]) throws -> (start: Int, sizes: [Int]) {
        let newline = try #require(bytes.indices.filter { bytes[$0] == 0x0A }.dropFirst().first)
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[ReplayRecord.magic.count..<newline])) as? [String: Any])
        return (newline + 1, try #require(header["sizes"] as? [Int]))
    }

    /// A table or chain message of a record is only what `KernelBatch` encodes, each
    /// attribute once: the kernel takes the last of a repeated one, so a second table name
    /// would make the message about another program's table.
    @Test func aTableOrChainMessageIsOnlyWhatTheOwnBatchEncodes() {
        typealias M = NetfilterNetlink.Message
        func body(_ build: (inout M) -> Void) -> ArraySlice<UInt8> {
            var m = M(family: 1)
            build(&m)
            return ([1, 0, 0, 0] + m.bytes)[...]
        }
        var chain = Chain(family: "inet", table: "rp", name: "input", type: "filter", hook: "input", prio: 0, policy: "drop")
        chain.comment = "c"
        let plain = body { m in _ = m.chain(chain) }
        #expect(ReplayRecord.isChain(plain))
        // A second NFTA_CHAIN_TABLE naming another table.
        #expect(
            !ReplayRecord.isChain(
                body { m in
                    _ = m.chain(chain)
                    _ = m.string(1, "victim")
                }))
        // A handle (an existing chain's), a device in the hook, a policy that is not a verdict.
        #expect(
            !ReplayRecord.isChain(
                body { m in
                    _ = m.chain(chain)
                    m.u32(2, 7)
                }))
        #expect(
            !ReplayRecord.isChain(
                body { m in
                    _ = m.string(1, "rp")
                    _ = m.string(3, "input")
                    var hook = M(family: 1)
                    hook.u32(1, 1)
                    hook.u32(2, 0)
                    _ = hook.string(3, "eth0")
                    m.attribute(4 | 0x8000, hook.bytes)
                }))
        #expect(
            !ReplayRecord.isChain(
                body { m in
                    _ = m.string(1, "rp")
                    _ = m.string(3, "input")
                    m.u32(5, 7)
                }))
        // Bytes past the last attribute.
        #expect(!ReplayRecord.isChain(plain + [0, 0, 0, 0, 9]))
        #expect(ReplayRecord.isTable(body { m in _ = m.table("rp", flags: 1, comment: "x") }))
        #expect(
            !ReplayRecord.isTable(
                body { m in
                    _ = m.table("rp", flags: 0, comment: nil)
                    _ = m.string(1, "victim")
                }))
        // Flags other than dormant (owner, persist).
        #expect(!ReplayRecord.isTable(body { m in _ = m.table("rp", flags: 2, comment: nil) }))
    }

    @Test(.needsRoot) func theSameFileIntoANamespaceWithoutItsTablesIsReplayed() throws {
        guard let ns = TestNamespace.make("replay"), let other = TestNamespace.make("replay, another namespace"),
            let byNft = TestNamespace.make("replay, nft -f")
        else { return }
        let s = try Setup()
        defer { s.cleanUp() }
        let first = s.apply(ns)
        #expect(first.status == 0 && first.stderr.contains(Self.kept), "\(first.stderr)")
        let listed = ns.nftList()
        // The kernel as the oracle: what nft -f makes of the same text.
        let nft = try ApplySafety.write(Self.text, "replay-by-nft.nft")
        defer { try? FileManager.default.removeItem(atPath: nft) }
        #expect(byNft.exec(["nft", "-f", nft]).status == 0)
        #expect(byNft.nftList() == listed)

        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains(Self.replayed) && second.stderr.contains(Self.evidence), "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(ns.nftList() == listed)
        // The record does not depend on the namespace.
        let third = s.apply(other)
        #expect(third.status == 0 && third.stderr.contains(Self.replayed), "\(third.stderr)")
        #expect(other.nftList() == listed)

        // What the replay remembered plans the next change: one rule changed, the others
        // keep their handles and counters.
        let handles = ns.exec(["nft", "-a", "list", "chain", "inet", "rp", "input"]).stdout
        let changedText = Self.text.replacingOccurrences(of: "udp dport 53", with: "udp dport 54")
        let changed = try Setup(changedText, "replay-changed")
        defer { changed.cleanUp() }
        let change = s.apply(ns, file: changed.file)
        #expect(change.status == 0 && change.stderr.contains("live listing (remembered)"), "\(change.stderr)")
        #expect(change.stdout.contains("1 to change") || change.stdout.contains("1 to add"), "\(change.stdout)")
        let after = ns.nftList()
        #expect(after.contains("udp dport 54 accept") && !after.contains("udp dport 53"), "\(after)")
        #expect(ns.exec(["nft", "-a", "list", "chain", "inet", "rp", "input"]).stdout == handles)
        let again = s.apply(ns, file: changed.file)
        #expect(again.status == 0 && again.stdout.contains("already up to date"), "\(again.stdout)\(again.stderr)")
    }

    /// Only the absence of every table is replayed: with `--replace` over the table, the
    /// ordinary apply runs.
    @Test(.needsRoot) func aTableThatExistsIsNotReplayed() throws {
        guard let ns = TestNamespace.make("replay, table present") else { return }
        let s = try Setup()
        defer { s.cleanUp() }
        #expect(s.apply(ns, ["--replace"]).status == 0)
        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        let replay = s.apply(ns, ["--replace"])
        #expect(replay.status == 0 && replay.stderr.contains(Self.replayed), "\(replay.stderr)")
        let listed = ns.nftList()
        let over = s.apply(ns, ["--replace"])
        #expect(over.status == 0 && !over.stderr.contains(Self.replayed), "\(over.stderr)")
        #expect(ns.nftList() == listed)
    }

    /// A record whose batch would do anything but create its own tables (a table deleted,
    /// a table not its own) is not sent: the ordinary apply runs, the foreign table stays.
    @Test(.needsRoot) func aRecordThatDoesMoreThanMakeItsOwnTablesIsNotSent() throws {
        guard let ns = TestNamespace.make("replay, tampered record") else { return }
        let s = try Setup()
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        let listed = ns.nftList()
        #expect(ns.exec(["nft", "add", "table", "inet", "zz"]).status == 0)
        // The first message made a DELTABLE.
        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        try s.tamper { bytes in
            let (start, _) = try Self.sections(bytes)
            #expect(bytes[start + 4] == 0 && bytes[start + 5] == 10)  // NFT_MSG_NEWTABLE
            bytes[start + 4] = 2
        }
        let first = s.apply(ns)
        #expect(first.status == 0 && !first.stderr.contains(Self.replayed), "\(first.stderr)")
        // Read and refused: the replay never got as far as looking for the tables.
        #expect(!first.stderr.contains(Self.checked), "\(first.stderr)")
        // The header names another table than the batch makes.
        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        try s.tamper { bytes in
            let (start, _) = try Self.sections(bytes)
            let name = Array(#""name":"rp""#.utf8)
            let at = try #require((0..<start - name.count).first { bytes[$0..<$0 + name.count].elementsEqual(name) })
            bytes[at + 8] = UInt8(ascii: "q")
            bytes[at + 9] = UInt8(ascii: "q")
        }
        let second = s.apply(ns)
        #expect(second.status == 0 && !second.stderr.contains(Self.replayed), "\(second.stderr)")
        #expect(!second.stderr.contains(Self.checked), "\(second.stderr)")
        let final = ns.nftList()
        #expect(final.contains("table inet zz") && final.contains("table inet rp"), "\(final)")
        #expect(final.replacingOccurrences(of: "table inet zz {\n}\n", with: "") == listed, "\(final)")
    }

    /// A table of the same name made by another program after the replay found none: the
    /// plan is stale, nothing is sent, the other program's table stands.
    @Test(.needsRoot) func aCommitMeanwhileMakesTheReplayStale() throws {
        guard let ns = TestNamespace.make("replay, stale") else { return }
        let s = try Setup()
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        let replay = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, s.file],
            environment: ["NFTCTL_STATE_DIR": s.dir, "NFTCTL_CACHE": s.cache, "NFTCTL_TIMING": "1", "NFTCTL_TEST_STOP_AT": "listed"])
        try #require(replay.waitUntilStopped(), "the replay did not reach its check")
        #expect(ns.exec(["nft", "add", "table", "inet", "rp", "{ comment \"theirs\"; }"]).status == 0)
        let before = ns.nftList()
        replay.resume()
        let r = replay.finish()
        #expect(r.stderr.contains("replay: the table is absent"), "\(r.stderr)")
        #expect(r.status != 0 && r.stderr.contains("the ruleset changed while the plan was being made"), "\(r.stderr)")
        #expect(ns.nftList() == before)
    }

    /// Evidence that does not hold (here the recorded declarations, edited): the file is
    /// loaded and the apply verified as any other, which finds the kernel as declared.
    @Test(.needsRoot) func whenTheEvidenceDoesNotHoldTheApplyIsVerifiedAsAnyOther() throws {
        guard let ns = TestNamespace.make("replay, evidence") else { return }
        let s = try Setup()
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        let listed = ns.nftList()
        #expect(ns.exec(["nft", "delete", "table", "inet", "rp"]).status == 0)
        try s.tamper { bytes in
            let (start, sizes) = try Self.sections(bytes)
            let declarations = start + sizes[0]..<start + sizes[0] + sizes[1]
            let word = Array("replayed".utf8)
            let at = try #require(declarations.first { bytes[$0..<$0 + word.count].elementsEqual(word) })
            bytes[at] = UInt8(ascii: "R")
        }
        let r = s.apply(ns)
        #expect(r.status == 0 && r.stderr.contains(Self.replayed), "\(r.stderr)")
        #expect(r.stderr.contains("the replay's evidence did not hold"), "\(r.stderr)")
        #expect(ns.nftList() == listed)
        let again = s.apply(ns)
        #expect(again.status == 0 && again.stdout.contains("already up to date"), "\(again.stdout)\(again.stderr)")
    }
}
