import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Names nft reads as keywords in some commands (`counters` after `list`, `helpers` after
/// `ct`) load with `nft -f` in a table block: nftctl lists such tables whole and sends
/// them as JSON, and never writes the command nft would refuse.
@Suite struct KeywordNamesKernelTests {
    @Test(.needsRoot) func tablesNamedLikeListKeywordsApplyAndList() throws {
        guard let k = AgainstNft("keyword names") else { return }
        let text =
            "table ip counters {\n\tchain c { counter; }\n}\ntable inet sets {\n\tset s { type ipv4_addr; elements = { 10.0.0.1 } }\n\tchain c { ip saddr @s drop; }\n}\n"
            + "table inet t {\n\tchain counters {\n\t\ttcp dport 22 accept comment \"ssh\"\n\t}\n\tchain c {\n\t\tjump counters\n\t}\n}\n"
        let a = try k.apply(text)
        #expect(a.status == 0 && a.stdout.contains("verified"), "\(a.stdout)\(a.stderr)")
        try k.expectSameAsNft(text)
        let again = try k.apply(text)
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
        let diff = k.nftctl(["diff", "--netns", k.ns.name, k.path])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
    }

    @Test func noCommandNamesAKeywordWhereNftReadsOne() throws {
        #expect(!TextBatch.isListableName("counters") && !TextBatch.isListableName("sets") && TextBatch.isListableName("filter"))
        // Written in other commands as they are: a chain named `counters` goes as text.
        #expect(TextBatch.isSafeName("counters"))
        #expect(TextBatch.isListableName("state") && !TextBatch.isListableName("state", kind: .ctHelper))
        let helper = try Document.parse(
            #"{"nftables": [{"add": {"ct helper": {"family": "inet", "table": "helpers", "name": "h1", "type": "ftp", "protocol": "tcp"}}}]}"#
        )
        #expect(throws: TextBatch.Unsafe.self) { _ = try TextBatch.render(helper) }
        let plain = try Document.parse(
            #"{"nftables": [{"add": {"ct helper": {"family": "inet", "table": "t", "name": "h1", "type": "ftp", "protocol": "tcp"}}}]}"#)
        #expect(try TextBatch.render(plain).text.contains("ct helper inet t h1"))
    }
}
