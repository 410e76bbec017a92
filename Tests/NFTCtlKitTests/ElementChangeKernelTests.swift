import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Elements added to and deleted from a blocklist are verified without listing the set
/// (`EchoedListing`, `Verify.Source.elements`): the listing before the commit with the batch's
/// elements taken out and put in, the generation id, and the kernel's count of the set's
/// elements. The kernel is the oracle: the namespace lists as `nft -f` of each version makes
/// a fresh one, and what nftctl remembers plans nothing against the next apply.
@Suite(.serialized) struct ElementChangeKernelTests {
    static let byCounts = "verification (generation id + element counts + plan)"

    /// A hash set of `count` addresses and `extra`, a verdict map, an interval set.
    static func file(count: Int, extra: [String] = [], dropFirst: Bool = false, port: Int = 22, nets: String = "10.9.0.0/16")
        -> String
    {
        let addresses = (dropFirst ? 1 : 0)..<count
        let list = (addresses.map { "10.1.\($0 / 250).\($0 % 250 + 1)" } + extra).joined(separator: ", ")
        return """
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
    }

    /// `nft list table` of `text` loaded by nft into a fresh namespace.
    static func oracle(_ text: String) throws -> String {
        let fresh = try #require(TestNamespace.make("element change oracle"))
        try #require(fresh.nftLoad(text).status == 0)
        return fresh.exec(["nft", "list", "table", "inet", "block"]).stdout
    }

    @Test(.needsRoot) func addedAndDeletedElementsAreCountedNotListed() throws {
        guard let ns = TestNamespace.make("element change") else { return }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir()
        defer { for d in [dir, cache] { try? FileManager.default.removeItem(atPath: d) } }
        func apply(_ text: String, _ name: String) throws -> Shell.Result {
            let path = try ApplySafety.write(text, name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            return ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, path], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        let first = try apply(Self.file(count: 3000), "elements-0.nft")
        try #require(first.status == 0, "\(first.stderr)")
        // Two addresses in, one out, and a map element's verdict changed.
        let second = Self.file(count: 3000, extra: ["192.0.2.1", "192.0.2.2"], dropFirst: true, port: 23)
        let changed = try apply(second, "elements-1.nft")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains(Self.byCounts), "\(changed.stderr)")
        #expect(ns.exec(["nft", "list", "table", "inet", "block"]).stdout == (try Self.oracle(second)))
        // What was remembered is the kernel's: the same file again plans nothing.
        let again = try apply(second, "elements-1b.nft")
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
        // An interval set's elements can merge and split in the kernel: listed instead.
        let third = Self.file(count: 3000, extra: ["192.0.2.1", "192.0.2.2"], dropFirst: true, port: 23, nets: "10.9.0.0/16, 10.10.0.0/16")
        let intervals = try apply(third, "elements-2.nft")
        #expect(intervals.status == 0, "\(intervals.stderr)")
        #expect(!intervals.stderr.contains(Self.byCounts), "\(intervals.stderr)")
        #expect(ns.exec(["nft", "list", "table", "inet", "block"]).stdout == (try Self.oracle(third)))
    }

    /// The derivation itself: the set's elements with the batch's taken out and put in, and
    /// the count the kernel must show; refused for an interval set, an element with a
    /// timeout, and an element deleted that the listing does not hold.
    @Test func theDerivationCountsAndRefusesWhatItCannotFollow() throws {
        func set(_ name: String, _ flags: String = "") -> String {
            #"{"set": {"family": "inet", "table": "t", "name": "\#(name)", "type": "ipv4_addr", "#
                + flags + #""elem": ["10.0.0.1", "10.0.0.2", "10.0.0.3"]}}"#
        }
        let before = try Document.parse(
            #"{"nftables": [{"table": {"family": "inet", "name": "t"}}, "# + set("plain") + ", "
                + set("ranges", #""flags": ["interval"], "#) + "]}")
        func element(_ verb: String, _ name: String, _ elems: String) -> String {
            #"{"\#(verb)": {"element": {"family": "inet", "table": "t", "name": "\#(name)", "elem": [\#(elems)]}}}"#
        }
        let batch = try ApplyPipelineTests.batch(
            element("delete", "plain", #""10.0.0.2""#), element("add", "plain", #""10.0.0.9", "10.0.0.8""#))
        #expect(EchoedListing.applies(to: batch) && !EchoedListing.needsEcho(batch))
        let derived = try #require(EchoedListing.derive(before: before, batch: batch, echo: nil))
        #expect(derived.counts.map(\.count) == [4])
        let plain = derived.document.items.compactMap { i -> NamedSet? in
            if case .set(let s) = i, s.name == "plain" { return s }
            return nil
        }
        #expect(plain.first?.elements.map { $0.json.serialized() } == [#""10.0.0.1""#, #""10.0.0.3""#, #""10.0.0.9""#, #""10.0.0.8""#])
        #expect(derived.origins.contains(nil))
        for refused in [
            element("add", "ranges", #""10.0.0.9""#),
            element("add", "plain", #"{"elem": {"val": "10.0.0.9", "timeout": 5}}"#),
            element("delete", "plain", #""10.0.0.7""#)
        ] {
            #expect(EchoedListing.derive(before: before, batch: try ApplyPipelineTests.batch(refused), echo: nil) == nil, "\(refused)")
        }
    }
}
