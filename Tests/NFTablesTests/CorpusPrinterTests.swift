import NFTTestSupport
import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// Every rule nft 1.0.6 accepted, printed from its JSON listing, reads exactly like the
/// text nft listed for it. The corpus was listed with numeric protocols and stateless
/// output, so the printer runs with the same options.
struct CorpusPrinterTests {
    @Test func corpusPrinterMatchesNftListing() throws {
        let records = Corpus.accepted
        #expect(records.count > 5000, "corpus not found or incomplete: \(records.count) records")
        var equal = 0, total = 0
        var mismatches: [String] = []
        for r in records {
            guard case .array(let stmts)? = r.listedJSON, let listed = r.listed else { continue }
            total += 1
            let context = PrintContext(family: r.family, numericProtocol: true, stateless: true)
            let printed = stmts.map { Statement(json: $0).nftText(context: context) }.joined(separator: " ")
            if printed == listed {
                equal += 1
            } else if mismatches.count < 40 {
                mismatches.append("\(r.id)\n    nft:     \(listed)\n    printed: \(printed)")
            }
        }
        print("corpus printer: \(equal) / \(total) printer-equal")
        for m in mismatches { print("  mismatch \(m)") }
        // All 5373 accepted records printed equal when this floor was set.
        #expect(equal >= 5373, "printer-equal fell to \(equal) of \(total)")
    }
}
