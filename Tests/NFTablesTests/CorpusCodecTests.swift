import NFTTestSupport
import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// Every rule nft 1.0.6 accepted decodes to typed statements (no raw fallback) and
/// re-encodes to the same JSON.
@Test func corpusDecodesTypedAndRoundTrips() throws {
    let records = Corpus.accepted
    #expect(records.count > 5000, "corpus not found or incomplete: \(records.count) records")
    var typed = 0, raw = 0, equal = 0
    var failures: [String] = []
    for r in records {
        guard case .array(let stmts)? = r.listedJSON else { continue }
        let decoded = stmts.map(Statement.init(json:))
        if decoded.allSatisfy({ $0.unsupportedCount == 0 }) {
            typed += 1
        } else {
            raw += 1
            if failures.count < 10 { failures.append("\(r.id): \(r.rule)") }
        }
        if JSON.array(decoded.map(\.json)) == JSON.array(stmts) { equal += 1 }
    }
    print("corpus codec: \(records.count) accepted records, \(typed) typed, \(raw) with raw parts, \(equal) re-encode equal")
    for f in failures { print("  raw: \(f)") }
    #expect(raw == 0)
    #expect(equal == records.count)
}
