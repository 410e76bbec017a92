import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The remembered listing's rules serialised while the kernel commits (`RuleEntriesTemplate`):
/// the bytes are those of the listing serialised after the commit, or none at all.
struct RuleEntriesTemplateTests {
    @Test func theTemplatedListingIsTheListingSerialised() throws {
        let text = """
            table inet tp {
            \tchain input {
            \t\ttype filter hook input priority filter; policy accept;
            \t\ttcp dport 22 counter accept comment "ssh: handle 22"
            \t\tjump other
            \t}
            \tchain other {
            \t\tudp dport 53 counter accept
            \t}
            }

            """
        // A file of its own: suites run side by side.
        let (state, desired) = try KernelBatchTests.state(text, file: "rule-entries-template.nft")
        let key = try #require(state.keys.first)
        let template = try #require(RuleEntriesTemplate(desired: desired, tables: [key]))
        // The listing as `KernelRuleBytes.listing` gives it: declarations, then each rule with
        // its handle and counters at zero, in the table's order.
        let table = try #require(desired.state.table(key))
        var entries: [Document.Entry] = [.item(.table(table.table.value))] + table.chains.map { .item(.chain($0.value)) }
        for (i, r) in table.rules.enumerated() {
            var rule = KernelRuleBytes.zeroed(r.value)
            rule.handle = Int64(100 + i * 7)
            entries.append(.item(.rule(rule)))
        }
        let listing = Document(entries)
        #expect(template.bytes(of: listing) == listing.json.serializedBytes(.compact))
        // A rule that is not the template's (a counter that has counted): not templated.
        var counted = entries
        if case .item(.rule(var r)) = counted[counted.count - 1] {
            r.expr = r.statements.map { if case .counter = $0 { return .counter(packets: 1, bytes: 60) } else { return $0 } }
            counted[counted.count - 1] = .item(.rule(r))
        }
        #expect(template.bytes(of: Document(counted)) == nil)
        // A rule left out.
        #expect(template.bytes(of: Document(Array(entries.dropLast()))) == nil)
    }
}
