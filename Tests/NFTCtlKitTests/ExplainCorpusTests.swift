import Foundation
import NFTAnalysis
import NFTTestSupport
import Testing

@testable import NFTCtlKit

/// Every rule nft 1.0.6 accepts in the upstream tests/py corpus explains with no
/// unexplained part, in the context of its table family and chain.
@Suite struct ExplainCorpusTests {
    @Test func corpusHasNoUnknownPart() throws {
        let records = Corpus.accepted
        #expect(records.count > 5000, "corpus not found or incomplete: \(records.count) records")
        var explained = 0, total = 0
        var failures: [String] = []
        for r in records {
            guard case .array(let stmts)? = r.listedJSON else { continue }
            total += 1
            let table = ExplainCorpus.table(for: r, statements: stmts.map(Statement.init(json:)))
            let rule = table.rules[0]
            let e = Explainer.explain(rule: rule.value, in: table)
            let unknown = e.steps.filter { $0.text.isEmpty || $0.text.contains("unknown") }
            if e.gaps.isEmpty && unknown.isEmpty && e.steps.count == stmts.count {
                explained += 1
            } else if failures.count < 20 {
                failures.append("\(r.id): \(r.listed ?? r.rule): \(e.gaps + unknown.map(\.nft))")
            }
        }
        print("explained \(explained)/\(total)")
        for f in failures { print("  unexplained: \(f)") }
        #expect(total == records.count)
        #expect(explained == total)
    }

    /// The rules/ examples (compiled by swiftc) explain completely, with their chain context.
    @Test(arguments: RulesLoaderTests.examples)
    func rulesExampleExplains(_ name: String) throws {
        let dir = try #require(RulesLoaderTests.rulesDir, "rules/ not found")
        let input = try InputLoader.load("\(dir)/\(name).swift")
        let e = try Explainer.explain(input.state)
        #expect(e.gaps.isEmpty, "\(e.gaps)")
        let rules = e.tables.flatMap { $0.chains.flatMap(\.rules) }
        #expect(!rules.isEmpty)
        #expect(rules.allSatisfy { $0.location?.hasPrefix("\(dir)/\(name).swift:") == true })
        if name == "router" {
            let text = e.text
            #expect(text.contains("  chain ssh_in: regular chain, reached by jump from input rule 4 (verdict map key 22)"))
            #expect(
                text.contains(
                    "      then masquerade: rewrite the source address to the address of the interface the packet leaves through; the whole connection is translated, and forgotten when the interface goes down"
                ))
            #expect(text.contains("    policy drop: a packet that reaches the end of this chain without a verdict is dropped"))
        }
    }
}

enum ExplainCorpus {
    /// A table of the record's family holding its chain (from `chain_def`) and the rule.
    static func table(for r: Corpus.Record, statements: [Statement]) -> TableContents {
        var t = TableContents(table: Located(Table(family: r.family, name: "t")))
        var chain = Chain(family: r.family, table: "t", name: "c")
        if let def = r.chainDef {
            let w = def.split(separator: " ").map(String.init)
            func after(_ k: String) -> String? { w.firstIndex(of: k).flatMap { $0 + 1 < w.count ? w[$0 + 1] : nil } }
            chain.type = after("type")
            chain.hook = after("hook")
            chain.prio = after("priority").flatMap { Int64($0.trimmingCharacters(in: .punctuationCharacters)) } ?? 0
        }
        t.chains = [Located(chain)]
        t.rules = [Located(Rule(family: r.family, table: "t", chain: "c", expr: statements))]
        return t
    }
}
