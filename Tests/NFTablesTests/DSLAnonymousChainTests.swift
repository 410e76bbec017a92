import NFTAnalysis
import Testing

@testable import NFTables

@Suite struct DSLAnonymousChainTests {
    /// A text statement with its marker resolved (as the tool does when it reads the output).
    func resolved(_ s: Statement) -> Statement {
        if case .text(let t) = s { return .text(DSLMarker.resolved(t)) }
        return s
    }

    /// `jump { … }` / `goto { … }` build nft's anonymous chain, one rule per `rule(…)`:
    /// the DSL leaves a marker, which the printer turns into nft's text, nesting included.
    @Test func anonymousChainsAreWrittenAsNftDoes() {
        let j = jump {
            rule(counter); rule(tcp.dport == 22, accept)
        }
        #expect(j.statements.map(resolved) == [.text("jump { counter; tcp dport 22 accept; }")])
        let g = goto { rule(counter, drop) }
        #expect(g.statements.map(resolved) == [.text("goto { counter drop; }")])
        let nested = jump { rule(tcp.dport == 22, goto { rule(accept) }) }
        #expect(nested.statements.map(resolved) == [.text("jump { tcp dport 22 goto { accept; }; }")])
    }

    /// Text that is no marker stays as it is; a marker survives its JSON round trip.
    @Test func markersRoundTrip() throws {
        #expect(resolved(.text("jump { accept; }")) == .text("jump { accept; }"))
        guard case .text(let t)? = (jump { rule(counter, comment: "c") }).statements.first else { Issue.record("no text"); return }
        let parsed = try #require(DSLMarker(t)?.chain)
        #expect(parsed.verdict == "jump" && parsed.rules.count == 1 && parsed.rules[0].comment == "c")
    }
}
