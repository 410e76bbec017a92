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

    /// A ct helper in a table named `helpers` whose comment and flags JSON would lose: the
    /// helper goes inside a block of its table, and the table keeps its flags. Flagged
    /// tables are listed object by object (1.0.6 prints their flags from freed memory), with
    /// JSON commands, which name any table (`list ct helper inet helpers …` is a syntax error).
    @Test(.needsRoot) func aCtHelperInATableNamedHelpersKeepsTheTablesCommentAndFlags() throws {
        guard let k = AgainstNft("ct helper in helpers") else { return }
        let text =
            "table inet helpers {\n\tflags dormant\n\tcomment \"ct helpers for ftp\"\n"
            + "\tct helper ftp-standard {\n\t\ttype \"ftp\" protocol tcp\n\t\tl3proto inet\n\t}\n"
            + "\tchain pre {\n\t\ttype filter hook prerouting priority filter; policy accept;\n"
            + "\t\ttcp dport 21 ct helper set \"ftp-standard\"\n\t}\n}\n"
            + "table ip chains {\n\tflags dormant\n\tchain sets {\n\t\tcounter\n\t}\n}\n"
        try k.expectAppliesAsNft(text)
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
        // With the table's declaration in the batch, inside a block that repeats it.
        let block = try Document.parse(
            #"{"nftables": [{"add": {"table": {"family": "inet", "name": "helpers", "flags": ["dormant"], "comment": "c"}}}, "#
                + #"{"add": {"ct helper": {"family": "inet", "table": "helpers", "name": "h1", "type": "ftp", "protocol": "tcp"}}}]}"#
        )
        let lines = try TextBatch.render(block).text.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix("table inet helpers { flags dormant; comment \"c\"; ct helper h1 { type \"ftp\" protocol tcp") == true)
        // An object named like the keyword cannot be written in a block either.
        let named = try Document.parse(
            #"{"nftables": [{"add": {"table": {"family": "inet", "name": "helpers"}}}, "#
                + #"{"add": {"ct helper": {"family": "inet", "table": "helpers", "name": "helpers", "type": "ftp", "protocol": "tcp"}}}]}"#
        )
        #expect(throws: TextBatch.Unsafe.self) { _ = try TextBatch.render(named) }
    }
}
