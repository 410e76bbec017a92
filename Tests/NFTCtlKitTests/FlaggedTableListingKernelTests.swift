import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A table with flags is listed chain by chain, set by set and object by object (1.0.6
/// prints a flagged table's flags from freed memory): each item once, none of another
/// table's; the object kinds 1.0.6 cannot list that way are refused before anything is
/// committed, not lost.
@Suite struct FlaggedTableListingKernelTests {
    @Test(.needsRoot) func eachItemOfAFlaggedTableIsListedOnce() throws {
        guard let ns = TestNamespace.make("flagged table listing") else { return }
        let text =
            "table inet t {\n\tflags dormant\n\tcounter c1 {\n\t}\n\tct helper h {\n\t\ttype \"ftp\" protocol tcp\n\t}\n"
            + "\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.1 }\n\t}\n"
            + "\tchain ch {\n\t\ttype filter hook input priority 0; policy accept;\n\t\tip saddr @s counter name \"c1\"\n\t\tct helper set \"h\"\n\t}\n"
            + "\tchain other {\n\t\taccept\n\t}\n}\n"
            + "table inet plain {\n\tchain ch {\n\t\tdrop\n\t}\n}\n"
        try #require(ns.nftLoad(text).status == 0)
        let listed = ApplySafety.nftctl(["list", "--netns", ns.name], ApplySafety.stateDir())
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(KernelApplyTests.stable(listed.stdout) == KernelApplyTests.stable(ns.nftList()))
    }

    @Test func objectsTheFlaggedListingCannotReadAreRefusedByValidation() throws {
        let doc = #"""
            {"nftables": [
            {"add": {"table": {"family": "inet", "name": "t", "flags": ["dormant"]}}},
            {"add": {"ct timeout": {"family": "inet", "table": "t", "name": "tt", "protocol": "tcp", "l3proto": "ip", "policy": {"established": 100}}}},
            {"add": {"counter": {"family": "inet", "table": "t", "name": "c1"}}}
            ]}
            """#
        let input = try InputLoader.loadJSON("flagged.json", text: doc)
        let errors = Validator.validate(input.state).filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.message.contains("cannot list a ct timeout of a table with flags") == true, "\(errors)")
        #expect(errors.first?.location?.line == 3, "\(errors)")
    }
}
