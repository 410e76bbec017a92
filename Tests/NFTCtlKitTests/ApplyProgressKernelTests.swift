import Foundation
import Testing

/// A large apply says what it is doing, one line a slow phase, when progress is on (a
/// terminal, or NFTCTL_PROGRESS=1); a small one, or one with progress off, says nothing.
@Suite(.serialized) struct ApplyProgressKernelTests {
    @Test(.needsRoot) func aLargeApplySaysItsPhasesAndASmallOneDoesNot() throws {
        guard let ns = TestNamespace.make("apply progress") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let large = try ApplySafety.write(ApplySafety.bigRuleset("tcp", count: 2500), "progress-large.nft")
        let small = try ApplySafety.write(
            ApplySafety.bigRuleset("udp", count: 10).replacingOccurrences(of: "table ip t", with: "table ip s"),
            "progress-small.nft")
        defer { unlink(large); unlink(small) }
        let a = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, large], dir, ["NFTCTL_PROGRESS": "1"])
        try #require(a.status == 0, "\(a.stderr)")
        for phase in ["checking 2500 rules", "committing", "verifying what the kernel now holds"] {
            #expect(a.stderr.contains("nftctl: \(phase)"), "no '\(phase)' line: \(a.stderr)")
        }
        let b = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, small], dir, ["NFTCTL_PROGRESS": "1"])
        #expect(b.status == 0 && !b.stderr.contains("committing"), "\(b.stderr)")
        let changed = try ApplySafety.write(ApplySafety.bigRuleset("tcp", count: 2501), "progress-large2.nft")
        defer { unlink(changed) }
        let c = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, changed], dir, ["NFTCTL_PROGRESS": "0"])
        #expect(c.status == 0 && !c.stderr.contains("committing"), "\(c.stderr)")
    }
}
