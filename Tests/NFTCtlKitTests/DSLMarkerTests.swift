import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The DSL's markers (anonymous chains, non-verdicts in a verdict map) are resolved once,
/// where the rules program's output is read: the document holds nft text, not marker JSON.
@Suite struct DSLMarkerTests {
    /// A rules program's output with one rule of `expr` (statement JSON).
    func output(_ expr: [JSON]) -> [UInt8] {
        let rule: JSON = .object([
            "add": .object(["rule": .object(["family": .string("ip"), "table": .string("t"), "chain": .string("c"), "expr": .array(expr)])])
        ])
        let out: JSON = .object(["document": .object(["nftables": .array([rule])]), "locations": .array([.null])])
        return Array(out.serialized().utf8)
    }

    func statements(_ bytes: [UInt8]) throws -> [Statement] {
        let loaded = try RulesLoader.decodeOutput(bytes, path: "r.swift", byName: [:])
        guard case .command(let c)? = loaded.document.entries.first, case .rule(let r) = c.item else {
            Issue.record("no rule in \(loaded.document.entries)")
            return []
        }
        return r.statements
    }

    @Test func bothKindsAreResolvedWhenTheOutputIsRead() throws {
        let counter = Statement.counter(packets: nil, bytes: nil)
        let inner = DSLMarker.anonymousChain("goto", [([Statement.verdict(.accept)], nil)]).text
        let chain = DSLMarker.anonymousChain("jump", [([counter], nil), ([.text(inner)], "c")]).text
        let vmap = Statement.vmap(
            key: .payload(.field(protocol: "tcp", field: "dport")),
            data: .set([.list([.number(80), .string(DSLMarker.notAVerdict([counter]).text)])], single: false))
        let got = try statements(output([.string(chain), vmap.json]))
        #expect(got.first == .text("jump { counter; goto { accept; } comment \"c\"; }"), "\(got)")
        var strings: [String] = []
        got.last?.forEachExpression { if case .string(let s) = $0 { strings.append(s) } }
        #expect(strings == ["not a verdict: counter"], "\(got)")
    }

    /// Through the DSL itself: `80 => counter` reaches validation as its nft text, reported
    /// at the user's line, and `jump { … }` reaches the document as nft's text.
    @Test func aRulesFilesMarkersReachValidationAsText() throws {
        let dir = NSTemporaryDirectory() + "nftctl-marker-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o755)  // rules programs of root run as nobody
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/marker.swift"
        try """
        import NFTables
        let ruleset = Ruleset {
            table("t", family: .inet) {
                chain("c", hook: .input, priority: .filter, policy: .accept) {
                    rule(tcp.dport.vmap([22 => accept, 80 => counter]))
                    rule(tcp.dport == 443, jump { rule(counter, accept) })
                }
            }
        }

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let input = try InputLoader.load(path)
        let rules = input.state.tables.flatMap { $0.rules.map(\.value) }
        #expect(rules.last?.statements.last == .text("jump { counter accept; }"), "\(rules)")
        let errors = Validator.validate(input.state).filter { $0.severity == .error }
        #expect(
            errors.contains { $0.location?.line == 5 && $0.message.contains("not `counter`") }, "\(errors)")
    }

    /// Text that only starts like a marker (no JSON after the prefix) is left as it is.
    @Test func textThatIsNoMarkerStays() throws {
        #expect(DSLMarker.resolved("anonymous chain: jump") == "anonymous chain: jump")
        #expect(DSLMarker.resolved("not a verdict: counter") == "not a verdict: counter")
        #expect(DSLMarker("not a verdict: [") == nil)
    }
}
