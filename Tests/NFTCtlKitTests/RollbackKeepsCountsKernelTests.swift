import Foundation
import Testing

@testable import NFTCtlKit

/// `nftctl rollback` puts back only what changed since the snapshot, as apply does: a rule
/// nobody changed keeps its handle and the packets it counted after the snapshot, while
/// the rule the apply added is gone and the one it removed is back.
@Suite(.serialized) struct RollbackKeepsCountsKernelTests {
    static let base = """
        table ip rb {
        \tchain out {
        \t\ttype filter hook output priority filter; policy accept;
        \t\tudp dport 9 counter
        \t\tudp dport 10 counter
        \t}
        }

        """

    /// `base` applied, `between` run, then `base` with the rule `old` changed into `new` applied.
    static func applyChange(
        _ ns: TestNamespace, _ dir: String, from old: String, to new: String, _ name: String, between: () throws -> Void = {}
    ) throws {
        let basePath = try ApplySafety.write(Self.base, "\(name)-base.nft")
        let newPath = try ApplySafety.write(Self.base.replacingOccurrences(of: "\t\t\(old)\n", with: "\t\t\(new)\n"), "\(name)-new.nft")
        defer { unlink(basePath); unlink(newPath) }
        try #require(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, basePath], dir).status == 0)
        try between()
        let a = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, newPath], dir)
        try #require(a.status == 0, "\(a.stderr)")
    }

    @Test(.needsRoot) func rollbackKeepsUnchangedRulesAndTheirCounts() throws {
        guard let ns = TestNamespace.make("rollback keeps counts") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.applyChange(ns, dir, from: "udp dport 10 counter", to: "udp dport 11 counter", "rb-keep")
        let handle = { () -> String? in
            ns.exec(["nft", "-a", "list", "chain", "ip", "rb", "out"]).stdout.split(separator: "\n")
                .first { $0.contains("udp dport 9 ") }?.components(separatedBy: "# handle ").last
        }
        let kept = try #require(handle())
        // Packets after the snapshot: counted by the rule nobody changed.
        ApplySafety.traffic(ns)
        #expect(ns.nftList().contains("udp dport 9 counter packets 3"), "\(ns.nftList())")
        let r = ApplySafety.nftctl(["rollback", "--netns", ns.name], dir)
        #expect(r.status == 0, "\(r.stderr)")
        let after = ns.nftList()
        #expect(after.contains("udp dport 10 counter") && !after.contains("udp dport 11"), "not rolled back: \(after)")
        #expect(after.contains("udp dport 9 counter packets 3"), "the counts since the snapshot were lost: \(after)")
        #expect(handle() == kept, "the unchanged rule was recreated")
    }

    /// A counting rule changed into one with an anonymous set goes as an insert and a
    /// delete, which the echo does not count: its counts come from a listing, and a
    /// rollback brings them back.
    @Test(.needsRoot) func rollbackBringsBackTheCountsOfARuleReplacedByAnInsert() throws {
        guard let ns = TestNamespace.make("rollback counts insert") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.applyChange(ns, dir, from: "udp dport 9 counter", to: "udp dport { 9, 19-20 } counter", "rb-insert") {
            ApplySafety.traffic(ns)
            try #require(ns.nftList().contains("udp dport 9 counter packets 3"), "\(ns.nftList())")
        }
        #expect(ns.nftList().contains("udp dport { 9, 19-20 } counter packets 0"), "\(ns.nftList())")
        let r = ApplySafety.nftctl(["rollback", "--netns", ns.name], dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ns.nftList().contains("udp dport 9 counter packets 3"), "the counts before the apply were lost: \(ns.nftList())")
    }
}
