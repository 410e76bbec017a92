import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The kernel is the oracle: what nftctl applies is compared with what `nft` itself lists,
/// in namespaces these tests create. Needs root (CI runs as root); says so loudly otherwise.
@Suite(.serialized) struct KernelApplyTests {
    static let fixtures = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// Element expiry counts down between two listings; everything else must be identical.
    static func stable(_ listing: String) -> String {
        listing.replacingOccurrences(of: #" expires [0-9dhms]+"#, with: "", options: .regularExpression)
    }

    static func nftctl(_ args: [String]) -> Shell.Result { Shell.run([Shell.nftctl] + args) }

    @Test(.needsRoot) func nftFileAppliesLikeNftItself() throws {
        guard let viaNft = TestNamespace.make("nft -f vs nftctl apply of an .nft file"),
            let viaCtl = TestNamespace.make("nft -f vs nftctl apply of an .nft file")
        else { return }
        let text = try String(contentsOfFile: Self.fixture("edge.nft"), encoding: .utf8)
        #expect(viaNft.nftLoad(text).status == 0)
        let r = Self.nftctl(["apply", "--netns", viaCtl.name, Self.fixture("edge.nft")])
        #expect(r.status == 0, "apply failed: \(r.stderr)")
        #expect(r.stdout.contains("verified"))
        let expected = Self.stable(viaNft.nftList()), actual = Self.stable(viaCtl.nftList())
        #expect(!expected.isEmpty)
        #expect(actual == expected)
    }

    @Test(.needsRoot) func compiledJSONAppliesLikeNftItself() throws {
        guard let viaNft = TestNamespace.make("compile to JSON, apply, compare"),
            let viaCtl = TestNamespace.make("compile to JSON, apply, compare")
        else { return }
        let text = try String(contentsOfFile: Self.fixture("edge.nft"), encoding: .utf8)
        #expect(viaNft.nftLoad(text).status == 0)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-edge.json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let c = Self.nftctl(["compile", Self.fixture("edge.nft"), "-o", out])
        try #require(c.status == 0, "compile failed: \(c.stderr)")
        // One command a line (`JSONStyle.lines`): a diff of two compiled files shows each
        // changed command as one changed line.
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == #"{"nftables": ["# && lines.last == "]}", "\(lines.prefix(3))")
        let commands = lines.dropFirst().dropLast().map { $0.hasSuffix(",") ? String($0.dropLast()) : $0 }
        #expect(commands.count > 10 && commands.allSatisfy { (try? JSON.parse($0))?.objectValue?.count == 1 })
        let a = Self.nftctl(["apply", "--netns", viaCtl.name, out])
        #expect(a.status == 0, "apply failed: \(a.stderr)")
        #expect(Self.stable(viaCtl.nftList()) == Self.stable(viaNft.nftList()))
        // And the listing through nftctl's model equals the compiled intent.
        let listed = Self.nftctl(["list", "--netns", viaCtl.name, "--format", "json"])
        #expect(listed.status == 0)
        let relisted = try InputLoader.loadJSON("listed.json", text: listed.stdout)
        let compiled = try InputLoader.loadJSON(out)
        let diff = ListingComparison.differences(
            expected: compiled.state.listingItems, actual: relisted.state.listingItems,
            tables: compiled.state.keys)
        // Kernel normal forms (e.g. anonymous-set order) may differ from the .nft text only
        // where the kernel rewrote them; re-applying the listing must be a fixed point.
        #expect(
            diff.isEmpty
                || diff.allSatisfy {
                    if case .rule = $0.item { return true }; return false
                })
    }

    @Test(.needsRoot) func applyIsRepeatableAndReplacesOnlyDeclaredTables() throws {
        guard let ns = TestNamespace.make("ownership: foreign tables byte-identical") else { return }
        let foreign = try String(contentsOfFile: Self.fixture("foreign.nft"), encoding: .utf8)
        #expect(ns.nftLoad(foreign).status == 0)
        let before = ns.nftList()
        for _ in 0..<3 {
            let r = Self.nftctl(["apply", "--netns", ns.name, Self.fixture("edge.nft")])
            #expect(r.status == 0, "apply failed: \(r.stderr)")
        }
        let after = ns.nftList()
        for table in ["table ip docker_like", "table ip kube_proxy_like", "table inet f2b-table"] {
            #expect(Self.section(table, of: after) == Self.section(table, of: before), "\(table) changed")
            #expect(Self.section(table, of: before) != nil)
        }
    }

    /// The text of one `table ... { ... }` block of a listing.
    static func section(_ header: String, of listing: String) -> String? {
        guard let start = listing.range(of: header + " {\n") else { return nil }
        let rest = listing[start.lowerBound...]
        guard let end = rest.range(of: "\n}\n") else { return String(rest) }
        return String(rest[..<end.upperBound])
    }

    @Test(.needsRoot) func aRefusedBatchChangesNothing() throws {
        guard let ns = TestNamespace.make("atomicity: failing last command") else { return }
        let foreign = try String(contentsOfFile: Self.fixture("foreign.nft"), encoding: .utf8)
        #expect(ns.nftLoad(foreign).status == 0)
        #expect(Self.nftctl(["apply", "--netns", ns.name, Self.fixture("edge.nft")]).status == 0)
        let before = Self.stable(ns.nftList())
        // A batch whose last command the kernel refuses (a rule in a chain that does not exist
        // by then: the chain is deleted earlier in the same batch).
        let backend = try LibNFTablesBackend(netns: ns.name)
        let bad = try Document.parse(
            """
            {"nftables": [
              {"add": {"table": {"family": "inet", "name": "edge"}}},
              {"delete": {"table": {"family": "inet", "name": "edge"}}},
              {"add": {"table": {"family": "inet", "name": "edge"}}},
              {"add": {"rule": {"family": "inet", "table": "edge", "chain": "gone", "expr": [{"accept": null}]}}}
            ]}
            """)
        #expect(throws: (any Error).self) { try backend.apply(bad, dryRun: false) }
        #expect(Self.stable(ns.nftList()) == before)
    }

    @Test(.needsRoot) func killingApplyLeavesOldOrNewNeverAMix() throws {
        guard let ns = TestNamespace.make("atomicity: SIGKILL during apply") else { return }
        // A big ruleset so that the apply takes a while.
        var text = "table inet big {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
        for i in 0..<3000 { text += "\t\ttcp dport \(10000 + i) ip saddr 10.\(i / 250).\(i % 250).1 counter accept\n" }
        text += "\t}\n}\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-big.nft").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let foreign = try String(contentsOfFile: Self.fixture("foreign.nft"), encoding: .utf8)
        #expect(ns.nftLoad(foreign).status == 0)
        let old = ns.nftList()
        let viaNft = TestNamespace.make("reference for the kill test")!
        #expect(viaNft.nftLoad(foreign + "\n" + text).status == 0)
        let new = viaNft.nftList()
        // How long a whole apply takes here, so the kills land before, during and after the commit.
        _ = ns.exec(["nft", "delete", "table", "inet", "big"])
        let start = Date()
        #expect(Self.nftctl(["apply", "--netns", ns.name, path]).status == 0)
        let duration = Date().timeIntervalSince(start)
        #expect(ns.nftList() == new)
        var outcomes: [String: Int] = [:]
        let attempts = 12
        for attempt in 0..<attempts {
            // Start from the old state each time.
            _ = ns.exec(["nft", "delete", "table", "inet", "big"])
            #expect(ns.nftList() == old)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Shell.nftctl)
            p.arguments = ["apply", "--netns", ns.name, path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(duration * 1.2 * Double(attempt) / Double(attempts - 1) * 1_000_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let now = ns.nftList()
            if now == old {
                outcomes["old", default: 0] += 1
            } else if now == new {
                outcomes["new", default: 0] += 1
            } else {
                outcomes["mix", default: 0] += 1
            }
        }
        print("kill test outcomes (apply takes \(Int(duration * 1000)) ms): \(outcomes)")
        #expect(outcomes["mix"] == nil)
    }
}
