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

    /// Text that only starts like a marker (no JSON after the prefix) is left as it is.
    @Test func textThatIsNoMarkerStays() throws {
        #expect(DSLMarker.resolved("anonymous chain: jump") == "anonymous chain: jump")
        #expect(DSLMarker.resolved("not a verdict: counter") == "not a verdict: counter")
        #expect(DSLMarker("not a verdict: [") == nil)
    }
}
