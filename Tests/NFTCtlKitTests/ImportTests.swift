import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// `nftctl import`: every rules/ example (from the JSON it compiles to, and from the live
/// ruleset after loading it into a namespace) and the .nft fixtures import to DSL source that
/// swiftc compiles and that evaluates back to the same ruleset.
@Suite(.serialized) struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    func check(_ o: ImportRoundTrip.Outcome, _ what: String) {
        #expect(o.differences.isEmpty, "\(what) does not round-trip:\n\(o.differences.joined(separator: "\n"))\n--- source:\n\(o.source)")
        #expect(o.notes.isEmpty, "\(what): \(o.notes)")
    }

    @Test(arguments: RulesLoaderTests.examples)
    func rulesExampleRoundTripsFromJSON(_ name: String) throws {
        let rules = try #require(RulesLoaderTests.rulesDir, "rules/ not found")
        let dir = try ImportRoundTrip.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let compiled = try RulesLoader.load("\(rules)/\(name).swift")
        let json = "\(dir)/\(name).json"
        try compiled.document.json.serialized(.pretty).write(toFile: json, atomically: true, encoding: .utf8)
        let state = try ImportSource.load(json)
        let o = try ImportRoundTrip.run(state, name: "imported_" + name.replacingOccurrences(of: "-", with: "_"), in: dir)
        check(o, "rules/\(name).swift (from its JSON)")
        #expect(o.rawStatements == 0, "the rules examples use only typed DSL: \(o.source)")
        if name == "haproxy-edge" { print("--- import of rules/haproxy-edge.swift's JSON:\n\(o.source)") }
    }

    @Test(.needsRoot, arguments: ["edge", "foreign"])
    func fixtureRoundTrips(_ name: String) throws {
        let dir = try ImportRoundTrip.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let state = try ImportSource.load("\(Self.fixtures)/\(name).nft")
        let o = try ImportRoundTrip.run(state, name: "fixture_\(name)", in: dir)
        check(o, "Fixtures/\(name).nft")
        if ProcessInfo.processInfo.environment["NFTCTL_IMPORT_SHOW"] != nil { print(o.source) }
    }

    /// The live path: the example loaded into a namespace, imported with `--live --netns`,
    /// compiled, and compared with the kernel's listing (handles, counter values and all).
    @Test(.needsRoot, arguments: RulesLoaderTests.examples)
    func liveRulesetRoundTrips(_ name: String) throws {
        let rules = try #require(RulesLoaderTests.rulesDir, "rules/ not found")
        guard let ns = TestNamespace.make("import --live of \(name)") else { return }
        let dir = try ImportRoundTrip.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let compiled = try RulesLoader.load("\(rules)/\(name).swift")
        let json = "\(dir)/\(name).json"
        try compiled.document.json.serialized().write(toFile: json, atomically: true, encoding: .utf8)
        let load = ns.exec(["nft", "-j", "-f", json])
        #expect(load.status == 0, "nft -j -f: \(load.stderr)")
        let live = try ImportSource.live(netns: ns.name)
        #expect(!live.tables.isEmpty)
        let o = try ImportRoundTrip.run(live, name: "live_" + name.replacingOccurrences(of: "-", with: "_"), in: dir)
        check(o, "the live ruleset of rules/\(name).swift")
    }

    /// A blocklist with timeouts and a big map (fail2ban's, CrowdSec's, kube-proxy's) import
    /// as arrays of at most `arrayPart` typed literals: in one untyped array, 2000 addresses
    /// with a timeout took the compiler 30 s and 8.5 GB, 23k more than 24 GB.
    @Test func aLargeTimedSetAndMapImportInPartsThatCompile() throws {
        let n = 1200
        let addresses = (0..<n).map { "10.\($0 / 250).\($0 % 250).1 timeout \($0 % 2 == 0 ? "4h" : "90s")" }
        let entries = (0..<n).map { "172.16.\($0 / 250).\($0 % 250) . \(1000 + $0) : \($0 % 2 == 0 ? "accept" : "drop")" }
        let text = """
            table ip big {
            \tset blocked {
            \t\ttype ipv4_addr
            \t\tflags timeout
            \t\telements = { \(addresses.joined(separator: ", ")) }
            \t}
            \tmap services {
            \t\ttype ipv4_addr . inet_service : verdict
            \t\telements = { \(entries.joined(separator: ", ")) }
            \t}
            \tchain input {
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr @blocked drop
            \t\tip daddr . tcp dport vmap @services
            \t}
            }

            """
        let dir = try ImportRoundTrip.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: "\(dir)/big.nft", atomically: true, encoding: .utf8)
        let o = try ImportRoundTrip.run(try ImportSource.load("\(dir)/big.nft"), name: "big_sets", in: dir)
        check(o, "a table with \(n) timed addresses and \(n) map entries")
        // Each array literal holds at most `arrayPart` elements, every timed address typed.
        var run = 0, longest = 0
        for line in o.source.split(separator: "\n") {
            if line.hasPrefix("let ") { run = 0 } else if line.hasPrefix("    ") { run += 1 }
            longest = max(longest, run)
        }
        #expect(longest <= TableEmitter.arrayPart && longest > 0, "\(longest)")
        #expect(o.source.contains("SetElementValue(Value(\"10.0.0.1\"), timeout: TimeSpan(milliseconds: 14400000))"))
        #expect(o.source.contains("].flatMap { $0 }"))
    }

    @Test func identifiersAreSwiftSafe() {
        var pool = IdentifierPool()
        #expect(pool.make("input", kind: "chain", qualifier: "filter") == "input")
        #expect(pool.make("input", kind: "chain", qualifier: "nat") == "natInput")
        #expect(pool.make("input", kind: "chain", qualifier: "nat") == "inputChain")
        #expect(pool.make("input", kind: "chain", qualifier: "nat") == "inputChain2")
        #expect(pool.make("ip", kind: "chain", qualifier: "") == "ipChain")
        #expect(pool.make("return", kind: "chain", qualifier: "") == "`return`")
        #expect(pool.make("ssh_in", kind: "chain", qualifier: "") == "sshIn")
        #expect(pool.make("9lives", kind: "set", qualifier: "") == "set9lives")
        #expect(pool.make("---", kind: "set", qualifier: "") == "setSet")
        #expect(pool.make("DOCKER-USER", kind: "chain", qualifier: "") == "dockerUser")
        #expect(SwiftLiteral.string("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u{1}""#)
    }
}
