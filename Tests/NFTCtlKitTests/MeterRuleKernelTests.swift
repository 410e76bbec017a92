import Foundation
import Testing

@testable import NFTCtlKit

/// A rule with a meter cannot be replaced in place (its new meter set takes the old one's
/// name: "Device or resource busy"): a change to it goes as a deletion first and an
/// insertion at the same place, and the chain lists as `nft -f` of the new file makes it.
@Suite struct MeterRuleKernelTests {
    static func file(_ meter: String) -> String {
        "table inet t {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 1 accept\n"
            + "\t\t\(meter)\n\t\ttcp dport 2 accept\n\t}\n}\n"
    }

    @Test(.needsRoot) func aMeterRuleChangesInPlace() throws {
        guard let k = AgainstNft("meter rule change") else { return }
        let versions = [
            "meter flood size 128000 { ip saddr timeout 10s limit rate over 10/second } counter drop",
            "meter flood size 128000 { ip saddr timeout 10s limit rate over 20/second } counter drop comment \"x\""
        ].map(Self.file)
        for text in versions {
            let r = try k.apply(text)
            #expect(r.status == 0 && r.stdout.contains("verified"), "\(r.stdout)\(r.stderr)")
            try k.expectSameAsNft(text)
        }
        let again = try k.apply(versions[1])
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)")
    }
}
