import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Elements added to and deleted from a blocklist are verified without listing the set
/// (`EchoedListing`, `Verify.Source.elements`): the listing before the commit with the batch's
/// elements taken out and put in, the generation id, and the kernel's count of the set's
/// elements (or, where they went in nftctl's own batch, its success: `ownElements`). The kernel is the oracle: the namespace lists as `nft -f` of each version makes
/// a fresh one, and what nftctl remembers plans nothing against the next apply.
@Suite(.serialized) struct ElementChangeKernelTests {
    static let byKeys = "verification (generation id + element keys + plan)"
    static let byOwnBatch = "verification (generation id + own element batch + plan)"
    static let ownElements = "commit (own element batch)"

    /// Table `a` with rules for `ports`, and table `block`: a hash set of `count` addresses
    /// and `extra`, a verdict map, an interval set; in the order `blockFirst` says.
    static func file(
        count: Int, extra: [String] = [], dropFirst: Bool = false, port: Int = 22, nets: String = "10.9.0.0/16",
        ports: [Int] = [1, 2, 3], blockFirst: Bool = false
    ) -> String {
        let addresses = (dropFirst ? 1 : 0)..<count
        let list = (addresses.map { "10.1.\($0 / 250).\($0 % 250 + 1)" } + extra).joined(separator: ", ")
        let block = """
            table inet block {
            \tset bad { type ipv4_addr; elements = { \(list) }; }
            \tmap ports { type inet_service : verdict; elements = { \(port) : accept, 80 : drop }; }
            \tset nets { type ipv4_addr; flags interval; elements = { \(nets) }; }
            \tchain input {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr @bad counter drop
            \t\tip saddr @nets accept
            \t\ttcp dport vmap @ports
            \t}
            }

            """
        let a = "table inet a {\n\tchain c {\n" + ports.map { "\t\ttcp dport \($0) accept\n" }.joined() + "\t}\n}\n"
        return blockFirst ? block + a : a + block
    }

    /// The tables of `text` as nft lists them, loaded by nft into a fresh namespace.
    static func oracle(_ text: String) throws -> String {
        let fresh = try #require(TestNamespace.make("element change oracle"))
        try #require(fresh.nftLoad(text).status == 0)
        return tables(fresh)
    }

    /// Each table's listing, in one order (the kernel lists tables in the order they were made).
    static func tables(_ ns: TestNamespace) -> String {
        ["a", "block"].map { ns.exec(["nft", "list", "table", "inet", $0]).stdout }.joined()
    }

    @Test(.needsRoot) func addedAndDeletedElementsAreReadInTheKernelsDumpNotListed() throws {
        guard let ns = TestNamespace.make("element change") else { return }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir()
        defer { for d in [dir, cache] { try? FileManager.default.removeItem(atPath: d) } }
        func apply(_ text: String, _ name: String) throws -> Shell.Result {
            let path = try ApplySafety.write(text, name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, path], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        func listed() -> String { Self.tables(ns) }
        let first = try apply(Self.file(count: 3000), "elements-0.nft")
        try #require(first.status == 0, "\(first.stderr)")
        // Two addresses in, one out; the file now declares table block first (the kernel
        // lists table a first), and table a loses two rules.
        let second = Self.file(count: 3000, extra: ["192.0.2.1", "192.0.2.2"], dropFirst: true, ports: [3], blockFirst: true)
        let changed = try apply(second, "elements-1.nft")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains(Self.byKeys), "\(changed.stderr)")
        #expect(listed() == (try Self.oracle(second)))
        // The next apply plans from what this one remembered: a further change is right too.
        let third = Self.file(count: 3000, extra: ["192.0.2.1"], dropFirst: true, ports: [3], blockFirst: true)
        let again = try apply(third, "elements-2.nft")
        #expect(again.status == 0 && again.stderr.contains(Self.byOwnBatch), "\(again.stderr)")
        #expect(again.stderr.contains(Self.ownElements), "elements alone go in nftctl's own batch: \(again.stderr)")
        #expect(listed() == (try Self.oracle(third)))
        // A map's element and an interval set's are listed instead: the data of a map's
        // element is not in its key, and intervals merge and split in the kernel.
        for (k, text) in [
            Self.file(count: 3000, extra: ["192.0.2.1"], dropFirst: true, port: 23, ports: [3], blockFirst: true),
            Self.file(
                count: 3000, extra: ["192.0.2.1"], dropFirst: true, port: 23, nets: "10.9.0.0/16, 10.10.0.0/16", ports: [3],
                blockFirst: true)
        ].enumerated() {
            let result = try apply(text, "elements-\(3 + k).nft")
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains(Self.byKeys) && !result.stderr.contains(Self.byOwnBatch), "\(result.stderr)")
            #expect(listed() == (try Self.oracle(text)))
        }
    }

    /// Element changes alone in sets of IPv4 and IPv6 addresses and of ports go in nftctl's
    /// own batch (`KernelBatch.elements`), thousands at a time across several messages; an
    /// element with a comment goes through libnftables, which writes comments. Each version
    /// lists as `nft -f` makes it.
    @Test(.needsRoot) func elementsAloneGoInTheOwnBatch() throws {
        guard let ns = TestNamespace.make("own element batch") else { return }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir()
        defer { for d in [dir, cache] { try? FileManager.default.removeItem(atPath: d) } }
        let tables = ["ip6 six", "inet mixed"]
        func file(v4: Range<Int>, v6: [String], ports: [Int], comment: Bool = false) -> String {
            let four = v4.map { "10.2.\($0 / 250).\($0 % 250 + 1)" }.joined(separator: ", ")
            let note = comment ? #" comment "new""# : ""
            return "table ip6 six {\n\tset v6 { type ipv6_addr; elements = { \(v6.joined(separator: ", ")) }; }\n"
                + "\tchain c { ip6 saddr @v6 drop; }\n}\n"
                + "table inet mixed {\n\tset v4 { type ipv4_addr; elements = { \(four)\(note) }; }\n"
                + "\tset p { type inet_service; elements = { \(ports.map(String.init).joined(separator: ", ")) }; }\n"
                + "\tchain c { ip saddr @v4 tcp dport @p drop; }\n}\n"
        }
        func apply(_ text: String, _ name: String) throws -> Shell.Result {
            let path = try ApplySafety.write(text, name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, path], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        func list(_ n: TestNamespace) -> String {
            tables.map { n.exec(["nft", "list", "table"] + $0.split(separator: " ").map(String.init)).stdout }.joined()
        }
        let versions = [
            file(v4: 0..<3000, v6: ["2001:db8::1", "2001:db8::2"], ports: [22, 80]),
            // 2500 addresses out (three messages), one in per set, a port out.
            file(v4: 2500..<3001, v6: ["2001:db8::1", "2001:db8::2", "2001:db8::3"], ports: [22, 443]),
            // The one with a comment goes through libnftables.
            file(v4: 2500..<3001, v6: ["2001:db8::3"], ports: [443], comment: true)
        ]
        for (k, text) in versions.enumerated() {
            let r = try apply(text, "own-elements-\(k).nft")
            #expect(r.status == 0, "\(r.stderr)")
            if k == 1 { #expect(r.stderr.contains(Self.ownElements) && r.stderr.contains(Self.byOwnBatch), "\(r.stderr)") }
            if k == 2 { #expect(!r.stderr.contains(Self.ownElements), "\(r.stderr)") }
            let fresh = try #require(TestNamespace.make("own element batch oracle"))
            try #require(fresh.nftLoad(text).status == 0)
            #expect(list(ns) == list(fresh), "version \(k)")
        }
        let again = try apply(versions[2], "own-elements-again.nft")
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
    }

    /// The derivation itself: the set's elements with the batch's taken out and put in, and
    /// what the kernel's dump must show; refused for an interval set, an element with a
    /// timeout, an element deleted that the listing does not hold, and a set a rule writes to.
    @Test func theDerivationSaysWhatTheDumpMustHoldAndRefusesWhatItCannotFollow() throws {
        func set(_ name: String, _ flags: String = "") -> String {
            #"{"set": {"family": "inet", "table": "t", "name": "\#(name)", "type": "ipv4_addr", "#
                + flags + #""elem": ["10.0.0.1", "10.0.0.2", "10.0.0.3"]}}"#
        }
        let table = #"{"table": {"family": "inet", "name": "t"}}"#
        let before = try Document.parse(
            #"{"nftables": ["# + [table, set("plain"), set("ranges", #""flags": ["interval"], "#)].joined(separator: ", ") + "]}")
        func element(_ verb: String, _ name: String, _ elems: String) -> String {
            #"{"\#(verb)": {"element": {"family": "inet", "table": "t", "name": "\#(name)", "elem": [\#(elems)]}}}"#
        }
        let batch = try ApplyPipelineTests.batch(
            element("delete", "plain", #""10.0.0.2""#), element("add", "plain", #""10.0.0.9", "10.0.0.8""#))
        #expect(EchoedListing.applies(to: batch) && !EchoedListing.needsEcho(batch))
        let derived = try #require(EchoedListing.derive(before: before, batch: batch, echo: nil))
        let changed = try #require(derived.sets.first)
        #expect(derived.sets.count == 1 && changed.count == 4)
        #expect(changed.added == [[10, 0, 0, 9], [10, 0, 0, 8]] && changed.deleted == [[10, 0, 0, 2]])
        let plain = derived.document.items.compactMap { i -> NamedSet? in
            if case .set(let s) = i, s.name == "plain" { return s }
            return nil
        }
        #expect(plain.first?.elements.map { $0.json.serialized() } == [#""10.0.0.1""#, #""10.0.0.3""#, #""10.0.0.9""#, #""10.0.0.8""#])
        #expect(derived.origins.contains(nil))
        // The dump must hold exactly that: the same count with another key, or with the
        // deleted key still there, is not it.
        let held: [[UInt8]] = [[10, 0, 0, 1], [10, 0, 0, 3], [10, 0, 0, 9], [10, 0, 0, 8]]
        #expect(changed.matches(held))
        #expect(!changed.matches([[10, 0, 0, 1], [10, 0, 0, 3], [10, 0, 0, 9], [10, 0, 0, 7]]))
        #expect(!changed.matches([[10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 9], [10, 0, 0, 8]]))
        #expect(!changed.matches(held + [[10, 0, 0, 4]]))
        for refused in [
            element("add", "ranges", #""10.0.0.9""#),
            element("add", "plain", #"{"elem": {"val": "10.0.0.9", "timeout": 5}}"#),
            element("delete", "plain", #""10.0.0.7""#)
        ] {
            #expect(EchoedListing.derive(before: before, batch: try ApplyPipelineTests.batch(refused), echo: nil) == nil, "\(refused)")
        }
        // A rule of the table that adds to a set: the packet path changes it between commits.
        let writer =
            #"{"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 4, "expr": [{"set": {"op": "add", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@plain"}}]}}"#
        let written = try Document.parse(#"{"nftables": ["# + [table, set("plain"), writer].joined(separator: ", ") + "]}")
        #expect(EchoedListing.derive(before: written, batch: batch, echo: nil) == nil)
    }

    /// The own element batch settles a set without a dump (`Verify.Source.ownElements`)
    /// because the kernel refuses it whole when it adds a key the set holds (NLM_F_EXCL) or
    /// deletes one it lacks: each refusal leaves the ruleset as it was, at the same generation.
    @Test(.needsRoot) func theOwnElementBatchIsRefusedForAKeyAlreadyThereOrNotThere() throws {
        guard let ns = TestNamespace.make("own element batch refusals") else { return }
        try #require(ns.nftLoad("table inet t {\n\tset s { type ipv4_addr; elements = { 10.0.0.1 }; }\n}\n").status == 0)
        let before = ns.nftList()
        let backend = try LibNFTablesBackend(netns: ns.name)
        let listing = try backend.list()
        let sets = listing.items.compactMap { i -> NamedSet? in
            if case .set(let s) = i { return s }
            return nil
        }
        func element(_ verb: String, _ address: String) -> String {
            #"{"\#(verb)": {"element": {"family": "inet", "table": "t", "name": "s", "elem": ["\#(address)"]}}}"#
        }
        for (entries, errno) in [
            ([element("add", "10.0.0.2"), element("add", "10.0.0.1")], EEXIST),
            ([element("add", "10.0.0.2"), element("delete", "10.0.0.3")], ENOENT)
        ] {
            let batch = try #require(
                KernelBatch.elements(try ApplyPipelineTests.batch(entries[0], entries[1]), sets: sets, live: RulesetState(), locations: []))
            if let r = try KernelBatchTests.refusal(of: batch, backend) { #expect(!r.stale && r.errno == errno, "\(r)") }
            #expect(ns.nftList() == before)
        }
        // The same batch without the offending key goes in.
        let fine = try #require(
            KernelBatch.elements(
                try ApplyPipelineTests.batch(element("add", "10.0.0.2"), element("delete", "10.0.0.1")), sets: sets, live: RulesetState(),
                locations: []))
        #expect(try backend.commit(fine, generation: try backend.generationID()) != nil)
        #expect(ns.nftList().contains("elements = { 10.0.0.2 }"), "\(ns.nftList())")
    }

    /// A remembered listing that is not the kernel's (here: one address taken out of it by
    /// hand) makes the own element batch add a key the set holds: the kernel refuses it, the
    /// change goes through libnftables (whose `add element` takes a key already there), and
    /// the kernel is read rather than the set derived from that listing.
    @Test(.needsRoot) func aRefusedElementBatchFallsBackAndTheKernelIsRead() throws {
        guard let ns = TestNamespace.make("own element batch fallback") else { return }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir()
        defer { for d in [dir, cache] { try? FileManager.default.removeItem(atPath: d) } }
        func file(_ last: Int) -> String {
            let list = (1...last).map { "10.2.0.\($0)" }.joined(separator: ", ")
            return "table inet t {\n\tset s { type ipv4_addr; elements = { \(list) }; }\n\tchain c { ip saddr @s drop; }\n}\n"
        }
        func apply(_ text: String, _ name: String) throws -> Shell.Result {
            let path = try ApplySafety.write(text, name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, path], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        let first = try apply(file(3), "fallback-0.nft")
        try #require(first.status == 0, "\(first.stderr)")
        // The remembered listing loses 10.2.0.2, which the kernel still holds.
        let listing = StateStore(root: dir, netns: ns.name).lastListingFile
        let text = try String(contentsOf: listing, encoding: .utf8)
        let taken = text.replacingOccurrences(of: #""10\.2\.0\.2",\s*|,\s*"10\.2\.0\.2""#, with: "", options: .regularExpression)
        try #require(taken != text && !taken.contains("10.2.0.2"))
        try Data(taken.utf8).write(to: listing)

        let r = try apply(file(4), "fallback-1.nft")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("own element batch refused"), "\(r.stderr)")
        // Read in the kernel (listed, or its dump), not derived from the listing the plan came from.
        #expect(!r.stderr.contains(Self.byOwnBatch) && !r.stderr.contains(Self.byKeys), "\(r.stderr)")
        #expect(
            r.stderr.contains("verification (re-list + plan)") || r.stderr.contains("verification (declarations + rule bytes + plan)"),
            "\(r.stderr)")
        let fresh = try #require(TestNamespace.make("own element batch fallback oracle"))
        try #require(fresh.nftLoad(file(4)).status == 0)
        #expect(ns.nftList() == fresh.nftList())
        // What is remembered now is the kernel's: the same file again has nothing to do.
        let again = try apply(file(4), "fallback-2.nft")
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
    }
}
