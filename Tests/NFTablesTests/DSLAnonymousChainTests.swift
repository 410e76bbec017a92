import Testing
@testable import NFTables

@Suite struct DSLAnonymousChainTests {
    /// `jump { … }` / `goto { … }` build nft's anonymous chain, one rule per `rule(…)`.
    @Test func anonymousChainsAreWrittenAsNftDoes() {
        let j = jump { rule(counter); rule(tcp.dport == 22, accept) }
        #expect(j.statements == [.text("jump { counter; tcp dport 22 accept; }")])
        let g = goto { rule(counter, drop) }
        #expect(g.statements == [.text("goto { counter drop; }")])
    }
}
