import Foundation
import NFTAnalysis
import NFTModel
import Testing

@testable import NFTCtlKit

/// nftctl's own commit of whole tables (`KernelBatch`): what it takes on and what it leaves
/// to libnftables, on hand-built states; and in a namespace, that the kernel then holds
/// what libnftables would have made, that a stale plan is refused whole and that a refusal
/// names the rule.
@Suite(.serialized) struct KernelBatchTests {
    /// `ip saddr 10.0.0.1 accept`'s bytes would do as well: any attribute list that starts
    /// with NFTA_RULE_EXPRESSIONS is taken as a rule's bytes.
    static let accept = KernelRulesTests.attribute(4, KernelRulesTests.accept, nested: true)

    /// The kernel's refusal of `batch` at the generation it is at (nil, and an issue recorded,
    /// when it took the batch); the generation id must not have moved.
    static func refusal(
        of batch: KernelBatch, _ backend: LibNFTablesBackend, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws -> KernelBatch.Refusal? {
        let generation = try backend.generationID()
        defer { #expect((try? backend.generationID()) == generation, sourceLocation: sourceLocation) }
        do {
            _ = try backend.commit(batch, generation: generation)
            Issue.record("the kernel took the batch", sourceLocation: sourceLocation)
            return nil
        } catch let r as KernelBatch.Refusal {
            return r
        }
    }

    static func state(_ text: String, file: String = "kernel-batch.nft") throws -> (RulesetState, DesiredState) {
        let path = try ApplySafety.write(text, file)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = try InputLoader.load(path).state
        var desired = DesiredState(state: state, written: Dictionary(uniqueKeysWithValues: state.tables.map { ($0.key, WrittenTable($0)) }))
        for t in state.tables { desired.kernelRuleBytes[t.key] = KeptRuleBytes(t.rules.map { _ in accept }) }
        return (state, desired)
    }

    static let plain = """
        table inet kb {
        \tcomment "edge"
        \tchain input {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tcomment "in"
        \t\ttcp dport 22 accept
        \t\tjump more
        \t}
        \tchain more {
        \t\tudp dport 53 accept
        \t}
        }

        """

    @Test func aPlainTableIsOneMessagePerTableChainAndRule() throws {
        let (state, desired) = try Self.state(Self.plain)
        let batch = try #require(KernelBatch.build([(state.tables[0], false)], desired: desired))
        #expect(batch.count == 1 + 2 + 3 && batch.rules == 3)
        // The framing walks whole; the first message asks for the echo, the last for an ack.
        var offset = 0, flags: [UInt16] = []
        while offset < batch.messages.count {
            let length = Int(NetfilterNetlink.u32(batch.messages[...], offset))
            flags.append(NetfilterNetlink.u16(batch.messages[...], offset + 6))
            offset += (length + 3) & ~3
        }
        #expect(offset == batch.messages.count && flags.count == batch.count)
        #expect(flags.first! & KernelBatch.echo != 0 && flags.last! & KernelBatch.ack != 0)
        // Cleared first: `add table` and `delete table` before it.
        let cleared = try #require(KernelBatch.build([(state.tables[0], true)], desired: desired))
        #expect(cleared.count == batch.count + 2)
        #expect(batch.what(batch.count - 1).1?.line == 10)
    }

    @Test func whatItDoesNotEncodeGoesThroughLibnftables() throws {
        let refused = [
            "table inet kb {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\tchain c {\n\t\tip saddr @s accept\n\t}\n}\n",
            "table netdev kb {\n\tchain c {\n\t\ttype filter hook ingress device \"lo\" priority 0;\n\t\taccept\n\t}\n}\n",
            "table inet kb {\n\tchain c {\n\t\tcounter packets 5 bytes 300 accept\n\t}\n}\n"
        ]
        for text in refused {
            let (state, desired) = try Self.state(text)
            #expect(KernelBatch.build([(try #require(state.tables.first), false)], desired: desired) == nil, "\(text)")
        }
        // A table flag other than dormant (an owner table is the process's: nft's own exit
        // deletes it, so one is made here).
        var (owned, ownedDesired) = try Self.state(Self.plain)
        owned.tables[0].table.value.flags = FlagList(["owner"])
        #expect(KernelBatch.build([(owned.tables[0], false)], desired: ownedDesired) == nil)
        owned.tables[0].table.value.flags = FlagList(["dormant"])
        ownedDesired.kernelRuleBytes[owned.tables[0].key] = KeptRuleBytes(owned.tables[0].rules.map { _ in Self.accept })
        #expect(KernelBatch.build([(owned.tables[0], false)], desired: ownedDesired) != nil)
        // A rule whose bytes are not known, or are not a rule's.
        let (state, desired) = try Self.state(Self.plain)
        for bytes in [nil, [UInt8](repeating: 0, count: 8), KernelRulesTests.attribute(7, [0, 1, 0])] as [[UInt8]?] {
            var d = desired
            var all: [[UInt8]?] = state.tables[0].rules.map { _ in Self.accept }
            all[1] = bytes
            d.kernelRuleBytes[state.tables[0].key] = KeptRuleBytes(all)
            #expect(KernelBatch.build([(state.tables[0], false)], desired: d) == nil)
        }
    }

    /// The rules' bytes, read from the kernel after `nft -f` of `text`.
    static func kernelBytes(_ ns: TestNamespace, _ text: String, table: String) throws -> [[UInt8]] {
        #expect(ns.nftLoad(text).status == 0)
        let backend = try LibNFTablesBackend(netns: ns.name)
        let contents = try #require(try backend.contents(family: "inet", table: table))
        return contents.rules.map(\.bytes)
    }

    @Test(.needsRoot) func theKernelHoldsWhatLibnftablesWouldHaveMadeAndEchoesIt() throws {
        guard let ns = TestNamespace.make("own batch") else { return }
        let text = Self.plain
        let bytes = try Self.kernelBytes(ns, text, table: "kb")
        let byNft = ns.nftList()
        #expect(ns.exec(["nft", "delete", "table", "inet", "kb"]).status == 0)
        var (state, desired) = try Self.state(text)
        desired.kernelRuleBytes[state.tables[0].key] = KeptRuleBytes(bytes)
        let batch = try #require(KernelBatch.build([(state.tables[0], true)], desired: desired))
        let backend = try LibNFTablesBackend(netns: ns.name)
        let generation = try backend.generationID()
        // Someone committed since: refused whole, nothing made.
        #expect(throws: KernelBatch.Refusal.self) {
            do { _ = try backend.commit(batch, generation: generation &- 1) } catch let r as KernelBatch.Refusal {
                #expect(r.stale, "\(r)")
                throw r
            }
        }
        #expect(try backend.generationID() == generation)
        #expect(!ns.nftList().contains("kb"))
        let echo = try #require(try backend.commit(batch, generation: generation))
        #expect(echo.generation == generation &+ 1)
        #expect(echo.contents[state.tables[0].key]?.rules.map(\.bytes) == bytes)
        #expect(ns.nftList() == byNft)
    }

    @Test(.needsRoot) func aRefusedBatchNamesTheRuleAndChangesNothing() throws {
        guard let ns = TestNamespace.make("own batch refused") else { return }
        // A jump to a chain the batch does not make.
        let bytes = try Self.kernelBytes(ns, "table inet src {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t}\n}\n", table: "src")
        var (state, desired) = try Self.state("table inet kb {\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t}\n}\n")
        state.tables[0].chains.removeAll { $0.value.name == "b" }
        desired.kernelRuleBytes[state.tables[0].key] = KeptRuleBytes(bytes)
        let batch = try #require(KernelBatch.build([(state.tables[0], false)], desired: desired))
        let backend = try LibNFTablesBackend(netns: ns.name)
        if let r = try Self.refusal(of: batch, backend) {
            #expect(!r.stale && r.errno == ENOENT, "\(r)")
            #expect(r.what == "a rule of chain inet kb a" && r.location?.line == 3, "\(r)")
        }
        #expect(!ns.nftList().contains("table inet kb"))
    }

    /// The whole path: a table applied once (listed, its rules' bytes learnt), deleted by
    /// another program, applied again in nftctl's own batch and verified from its echo;
    /// then replaced whole while present. The kernel lists the same ruleset each time.
    @Test(.needsRoot) func anApplyOfAKnownTableGoesInTheOwnBatch() throws {
        guard let ns = TestNamespace.make("own batch, apply") else { return }
        let s = try KernelRuleBytesKernelTests.Setup(Self.plain, "own-batch.nft")
        defer { s.cleanUp() }
        let first = s.apply(ns)
        #expect(first.status == 0 && !first.stderr.contains(Self.own), "\(first.stderr)")
        let listed = ns.nftList()
        #expect(ns.exec(["nft", "delete", "table", "inet", "kb"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains(Self.own) && second.stderr.contains(Self.ownEcho), "\(second.stderr)")
        #expect(ns.nftList() == listed)
        let third = ApplySafety.nftctl(
            ["apply", "--yes", "--replace", "--netns", ns.name, s.file], s.dir, ["NFTCTL_CACHE": s.cache, "NFTCTL_TIMING": "1"])
        #expect(third.status == 0 && third.stderr.contains(Self.own), "\(third.stderr)")
        #expect(ns.nftList() == listed)
        // The table went whole though nothing in it changed: the plan says so (counters restart).
        #expect(
            third.stdout.contains("table inet kb  (replaced whole, atomically: --replace")
                && third.stdout.contains("nothing in it changes"), "\(third.stdout)")
        // What it remembered is the kernel's: the same file again is up to date.
        let fourth = s.apply(ns)
        #expect(fourth.status == 0 && fourth.stdout.contains("already up to date"), "\(fourth.stdout)\(fourth.stderr)")
    }

    static let own = "commit (own batch)"
    static let ownEcho = "verification (declarations + own echo + plan)"

    /// A rule whose bytes hold what libnftables looked up on the host (here an interface's
    /// index) is never sent as kept bytes: its table goes through libnftables again, which
    /// looks it up anew.
    @Test(.needsRoot) func aRuleThatHoldsAnInterfaceIndexIsMadeAnewEachTime() throws {
        guard let ns = TestNamespace.make("own batch, interface index") else { return }
        let text = "table inet kb {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tiif \"lo\" accept\n\t}\n}\n"
        let s = try KernelRuleBytesKernelTests.Setup(text, "own-batch-iif.nft")
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        let listed = ns.nftList()
        #expect(ns.exec(["nft", "delete", "table", "inet", "kb"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0 && !second.stderr.contains(Self.own), "\(second.stderr)")
        #expect(ns.nftList() == listed)
    }
}
