import NFTAnalysis
import Testing

@testable import NFTables

@Suite struct DSLAnonymousChainTests {
    /// `jump { … }` / `goto { … }` build nft's anonymous chain, one rule per `rule(…)`:
    /// the DSL leaves a marker, which the printer turns into nft's text, nesting included.
    @Test func anonymousChainsAreWrittenAsNftDoes() {
        let j = jump {
            rule(counter); rule(tcp.dport == 22, accept)
        }
        #expect(j.statements.map(AnonymousChain.resolved) == [.text("jump { counter; tcp dport 22 accept; }")])
        let g = goto { rule(counter, drop) }
        #expect(g.statements.map(AnonymousChain.resolved) == [.text("goto { counter drop; }")])
        let nested = jump { rule(tcp.dport == 22, goto { rule(accept) }) }
        #expect(nested.statements.map(AnonymousChain.resolved) == [.text("jump { tcp dport 22 goto { accept; }; }")])
    }

    /// Text that is no marker stays as it is; a marker survives its JSON round trip.
    @Test func markersRoundTrip() throws {
        #expect(AnonymousChain.resolved(.text("jump { accept; }")) == .text("jump { accept; }"))
        guard case .text(let t)? = (jump { rule(counter, comment: "c") }).statements.first else { Issue.record("no text"); return }
        let parsed = try #require(AnonymousChain.parse(t))
        #expect(parsed.verdict == "jump" && parsed.rules.count == 1 && parsed.rules[0].comment == "c")
    }
}
