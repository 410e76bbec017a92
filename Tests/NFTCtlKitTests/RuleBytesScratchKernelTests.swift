import Foundation
import Testing

@testable import NFTCtlKit

/// An edited file into a namespace without its table: the few rules whose kernel bytes are
/// not kept yet are made before the commit in a private namespace (`RuleBytesScratch`), so
/// the table goes in nftctl's own batch; the kernel lists what `nft -f` makes of the file.
@Suite(.serialized) struct RuleBytesScratchKernelTests {
    /// A table of `RuleBytesScratch.minimumRules` rules; `edited` changes one in the middle.
    static func text(edited: String? = nil) -> String {
        let n = RuleBytesScratch.minimumRules
        var out = "table inet ed {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n"
        for i in 0..<n {
            if i == n / 2, let edited {
                out += "\t\t\(edited)\n"
            } else {
                out += "\t\tip saddr 10.\(i / 250).\(i % 250).1 tcp dport \(1024 + i) counter accept\n"
            }
        }
        return out + "\t}\n}\n"
    }

    static let made = "kernel bytes of the new rules made (private namespace)"

    @Test(.needsRoot) func anEditedRuleIsMadeBeforehandAndTheTableGoesInTheOwnBatch() throws {
        guard let first = TestNamespace.make("rule bytes scratch, the first apply"), let ns = TestNamespace.make("rule bytes scratch"),
            let oracle = TestNamespace.make("rule bytes scratch, nft -f")
        else { return }
        let s = try ReplayKernelTests.Setup(Self.text(), "scratch-base")
        defer { s.cleanUp() }
        // The cache learns the file's rules in another namespace: in that one, the edit would
        // be the record of the file applied there, patched (`PatchedReplayKernelTests`).
        #expect(s.apply(first).status == 0)

        let editedText = Self.text(edited: "tcp dport 9 meta mark set 0x2a counter drop comment \"edited\"")
        let edited = try ReplayKernelTests.Setup(editedText, "scratch-edited")
        defer { edited.cleanUp() }
        let r = s.apply(ns, file: edited.file)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains(Self.made) && r.stderr.contains(KernelBatchTests.own), "\(r.stderr)")
        let nft = try ApplySafety.write(editedText, "scratch-edited-by-nft.nft")
        defer { try? FileManager.default.removeItem(atPath: nft) }
        #expect(oracle.exec(["nft", "-f", nft]).status == 0)
        #expect(ns.nftList() == oracle.nftList())
        // The made bytes were kept once the echo showed them: the next time, no scratch.
        #expect(ns.exec(["nft", "delete", "table", "inet", "ed"]).status == 0)
        let again = s.apply(ns, ["--replace"], file: edited.file)
        #expect(again.status == 0 && !again.stderr.contains(Self.made), "\(again.stderr)")
        #expect(again.stderr.contains(KernelBatchTests.own) || again.stderr.contains(ReplayKernelTests.replayed), "\(again.stderr)")
        #expect(ns.nftList() == oracle.nftList())
    }

    /// A rule whose bytes hold what libnftables looks up on the host (an interface's index)
    /// gets none: the table goes through libnftables, and the kernel still lists the file.
    @Test(.needsRoot) func aRuleOfTheHostIsNotMadeBeforehand() throws {
        guard let ns = TestNamespace.make("rule bytes scratch, iif"), let oracle = TestNamespace.make("rule bytes scratch, iif, nft -f")
        else { return }
        let s = try ReplayKernelTests.Setup(Self.text(), "scratch-iif-base")
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        #expect(ns.exec(["nft", "delete", "table", "inet", "ed"]).status == 0)
        let editedText = Self.text(edited: "iif \"lo\" accept")
        let edited = try ReplayKernelTests.Setup(editedText, "scratch-iif")
        defer { edited.cleanUp() }
        let r = s.apply(ns, file: edited.file)
        #expect(r.status == 0 && !r.stderr.contains(KernelBatchTests.own) && !r.stderr.contains(Self.made), "\(r.stderr)")
        let nft = try ApplySafety.write(editedText, "scratch-iif-by-nft.nft")
        defer { try? FileManager.default.removeItem(atPath: nft) }
        #expect(oracle.exec(["nft", "-f", nft]).status == 0)
        #expect(ns.nftList() == oracle.nftList())
    }
}
