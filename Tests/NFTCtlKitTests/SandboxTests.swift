import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The sandbox: `nftctl __sandbox` re-executed under `unshare` in a fresh namespace.
/// Needs the nftctl binary built beside the tests (swift test builds it) or NFTCTL_EXECUTABLE.
@Suite struct SandboxTests {
    static var available: Bool {
        do { _ = try Sandbox.executable(); return true } catch {
            Issue.record("no nftctl binary for the sandbox: \(error)")
            return false
        }
    }

    static let nft = """
        table inet filter {
            set blocked { type ipv4_addr; flags interval; elements = { 192.0.2.0/24, 198.51.100.7 } }
            chain input {
                type filter hook input priority filter; policy drop;
                ct state established,related accept
                iifname "lo" accept
                ip saddr @blocked drop
                tcp dport { 22, 80, 443 } accept
            }
        }
        """

    static func rules(_ d: Document) -> [Rule] {
        d.entries.compactMap {
            if case .item(.rule(let r)) = $0 { return r }; return nil
        }
    }

    @Test func parsesNftTextIntoTheKernelsListing() throws {
        guard Self.available else { return }
        let listing = try Sandbox.loadAndList(text: Self.nft)
        #expect(Self.rules(listing).count == 4)
        let chain = listing.entries.compactMap {
            if case .item(.chain(let c)) = $0 { return c }; return nil
        }.first
        #expect(chain?.policy == "drop")
        #expect(chain?.prio == 0)  // "priority filter" comes back as a number
    }

    @Test func aRefusalCarriesLibnftablesTextAndStage() throws {
        guard Self.available else { return }
        do {
            _ = try Sandbox.loadAndList(text: "add rule inet nope input accept")
            Issue.record("accepted a rule in a missing table")
        } catch let e as SandboxError {
            #expect(e.stage == .setup(0))
            #expect(e.message.contains("No such file or directory"))
        }
        // A dry-run check on top of a setup: refused, then accepted.
        let setup: [SandboxRequest.Input] = [.text(Self.nft)]
        let bad = try Document.parse(
            #"{"nftables": [{"add": {"rule": {"family": "inet", "table": "filter", "chain": "absent", "expr": [{"accept": null}]}}}]}"#)
        func dryRun(_ batch: Document) throws {
            try Sandbox.run(SandboxRequest(setup: setup, check: .json(batch), dryRun: true, list: false))
        }
        #expect(throws: SandboxError.self) { try dryRun(bad) }
        let good = try Document.parse(
            #"{"nftables": [{"add": {"rule": {"family": "inet", "table": "filter", "chain": "input", "expr": [{"accept": null}]}}}]}"#)
        try dryRun(good)
    }

    /// > 300 KiB of JSON, in listing order (a verdict map before the chains it jumps to, as
    /// nft dumps it), with a big set: loaded through the user-namespace path, where
    /// libnftables 1.0.6 refuses batches over ~208 KiB, so the loader must split and order it.
    /// `forceUserNamespace` false: the default (a user namespace only when not root).
    @Test(arguments: [true, false]) func loadsABigJSONBatch(forceUserNamespace: Bool) throws {
        guard Self.available else { return }
        let (batch, size, ruleCount) = Self.bigBatch()
        #expect(size > 300 * 1024)
        let listing = try Sandbox.run(
            SandboxRequest(setup: [.json(batch)], list: true),
            userNamespace: forceUserNamespace ? true : nil)
        let listed = try #require(listing)
        #expect(Self.rules(listed).count == ruleCount)
        let big = listed.entries.compactMap {
            if case .item(.set(let s)) = $0, s.name == "many" { return s }; return nil
        }.first
        #expect(big?.elements.count == 20_000)
        let map = listed.entries.compactMap {
            if case .item(.set(let s)) = $0, s.name == "dispatch" { return s }; return nil
        }.first
        #expect(map?.elements.count == 50)
    }

    static func bigBatch() -> (Document, Int, Int) {
        var e: [Document.Entry] = []
        func add(_ i: RulesetItem) { e.append(.command(Command(.add, i))) }
        add(.table(Table(family: "inet", name: "big")))
        // The map comes first, as in a listing: it jumps to chains defined later.
        add(
            .set(
                NamedSet(
                    isMap: true, family: "inet", table: "big", name: "dispatch", type: .named("inet_service"),
                    map: .named("verdict"),
                    elem: .list((0..<50).map { i in .list([.number(Int64(1000 + i)), .verdict(.jump("c\(i)"))]) }))))
        add(
            .set(
                NamedSet(
                    family: "inet", table: "big", name: "many", type: .named("ipv4_addr"),
                    elem: .list((0..<20_000).map { i in .string("10.\(i / 65536).\((i / 256) % 256).\(i % 256)") }))))
        add(.chain(Chain(family: "inet", table: "big", name: "input", type: "filter", hook: "input", prio: 0, policy: "accept")))
        var rules = 0
        for c in 0..<50 {
            add(.chain(Chain(family: "inet", table: "big", name: "c\(c)")))
        }
        add(
            .rule(
                Rule(
                    family: "inet", table: "big", chain: "input",
                    expr: [
                        .vmap(key: .payload(.field(protocol: "tcp", field: "dport")), data: .string("@dispatch"))
                    ])))
        rules += 1
        for c in 0..<50 {
            for p in 0..<40 {
                add(
                    .rule(
                        Rule(
                            family: "inet", table: "big", chain: "c\(c)",
                            expr: [
                                .match(left: .payload(.field(protocol: "tcp", field: "sport")), op: .eq, right: .number(Int64(2000 + p))),
                                .match(left: .payload(.field(protocol: "ip", field: "saddr")), op: .eq, right: .string("@many")),
                                .counter(packets: nil, bytes: nil),
                                .verdict(.accept)
                            ])))
                rules += 1
            }
        }
        let doc = Document(e)
        return (doc, doc.json.serialized().utf8.count, rules)
    }

    @Test func orderingPutsDefinitionsBeforeUsers() throws {
        let (batch, _, _) = Self.bigBatch()
        let ordered = ScratchLoader.ordered(batch.entries)
        func phase(_ entry: Document.Entry) -> Int {
            guard case .command(let c) = entry else { return -1 }
            switch c.item {
            case .table: return 0
            case .chain: return 1
            case .set: return 2
            case .element: return 3
            case .rule: return 4
            default: return -1
            }
        }
        let phases = ordered.map(phase)
        #expect(phases == phases.sorted())
        #expect(phases.filter { $0 == 3 }.count > 1)  // the 20k-element set went out in pieces
        for piece in ScratchLoader.pieces(ordered) where piece.count > 1 {
            #expect(Document(piece).json.serialized().utf8.count <= ScratchLoader.pieceBudget + 64)
        }
        // A batch that deletes keeps its own order.
        let mixed = try Document.parse(
            """
            {"nftables": [{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"accept": null}]}}},
                          {"delete": {"table": {"family": "ip", "name": "t"}}}, {"add": {"table": {"family": "ip", "name": "t"}}}]}
            """)
        #expect(ScratchLoader.ordered(mixed.entries) == mixed.entries)
    }

    @Test func theChildRefusesToRunOutsideAFreshNamespace() throws {
        guard Self.available else { return }
        // Run directly, in this (the host's) namespace: it must refuse and touch nothing.
        let exe = try Sandbox.executable()
        let r = Shell.run([exe, "__sandbox"], stdin: #"{"setup": [{"text": "add table ip nftctl_must_not_exist"}], "list": true}"#)
        #expect(r.stdout.contains("refusing to run"))
        #expect(Shell.run(["nft", "list", "table", "ip", "nftctl_must_not_exist"]).status != 0)
        // Even with the variable set to something else, our own namespace is not "fresh".
        let mine = try #require(SystemCall.inode("/proc/self/ns/net"))
        let r2 = Shell.run(
            [exe, "__sandbox"], stdin: #"{"setup": [], "list": true}"#,
            environment: [Sandbox.parentNetnsVariable: String(mine)])
        #expect(r2.stdout.contains("refusing to run"))
    }
}
