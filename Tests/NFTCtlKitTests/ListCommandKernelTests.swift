import Foundation
import Testing

@testable import NFTCtlKit

/// `nftctl list` prints what `nft list ruleset` prints: an empty ruleset is no output at all.
@Suite struct ListCommandKernelTests {
    @Test(.needsRoot) func anEmptyRulesetListsAsNothing() throws {
        guard let ns = TestNamespace.make("list of an empty ruleset") else { return }
        let listed = ApplySafety.nftctl(["list", "--netns", ns.name], ApplySafety.stateDir())
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.isEmpty && ns.nftList().isEmpty, "\(listed.stdout.debugDescription)")
    }
}
