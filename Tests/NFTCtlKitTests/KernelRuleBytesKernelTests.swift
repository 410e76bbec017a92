import Foundation
import Testing

@testable import NFTCtlKit

/// Verification from the rules' kernel bytes (`KernelRuleBytes`): learnt after a verifying
/// listing, used by the next apply in place of listing every rule, and never trusted over
/// what the kernel holds.
@Suite(.serialized) struct KernelRuleBytesKernelTests {
    static let table = """
        table inet dg {
        \tset allowed {
        \t\ttype ipv4_addr
        \t\telements = { 10.0.0.1 }
        \t}
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\tip saddr @allowed counter accept
        \t\ttcp dport 22 counter accept comment "ssh"
        \t\tmeta l4proto icmp accept
        \t}
        \tchain other {
        \t\tip daddr 10.9.9.9 drop
        \t}
        }

        """
    static let listed = "verification (re-list + plan)"
    static let known = "verification (declarations + rule bytes + plan)"
    static let learnt = "kernel bytes learnt"

    /// A state directory, a cache and the rules file, removed by `cleanUp`.
    struct Setup {
        let dir = ApplySafety.stateDir()
        let cache = ApplySafety.stateDir()
        let file: String
        init(_ text: String, _ name: String) throws { file = try ApplySafety.write(text, name) }
        func apply(_ ns: TestNamespace, _ extra: [String: String] = [:]) -> Shell.Result {
            ApplySafety.nftctl(
                ["apply", "--yes", "--netns", ns.name, file], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"].merging(extra) { $1 })
        }
        func cleanUp() {
            for d in [dir, cache, file] { try? FileManager.default.removeItem(atPath: d) }
        }
        /// The cache's records files (`NormalFormRecords`).
        var records: [String] {
            let normal = cache + "/normal"
            return ((try? FileManager.default.contentsOfDirectory(atPath: normal)) ?? []).filter { $0.hasSuffix(".records") }
                .map { normal + "/" + $0 }
        }
    }

    @Test(.needsRoot) func aTableSeenOnceIsVerifiedFromItsRulesBytesThen() throws {
        guard let ns = TestNamespace.make("kernel bytes") else { return }
        let s = try Setup(Self.table, "digests.nft")
        defer { s.cleanUp() }
        let first = s.apply(ns)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains(Self.listed) && first.stderr.contains(Self.learnt), "\(first.stderr)")
        // Another program deletes the table: everything is made again, and checked by their bytes.
        #expect(ns.exec(["nft", "delete", "table", "inet", "dg"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains(Self.known), "\(second.stderr)")
        #expect(!second.stderr.contains(Self.learnt), "\(second.stderr)")
        let list = ns.nftList()
        #expect(list.contains("tcp dport 22 counter packets 0 bytes 0 accept comment \"ssh\""), "\(list)")
        #expect(list.contains("ip daddr 10.9.9.9 drop"), "\(list)")
        // The listing it remembered is the kernel's: the same file again is up to date.
        let third = s.apply(ns)
        #expect(third.status == 0 && third.stdout.contains("already up to date"), "\(third.stdout)\(third.stderr)")
    }

    /// A rule with an anonymous set has bytes that name the set as this load named it: it
    /// is kept as "says nothing" (not dumped again each time) and its table is listed.
    @Test(.needsRoot) func aRuleWithAnAnonymousSetIsListedNotKnownByItsBytes() throws {
        guard let ns = TestNamespace.make("kernel bytes, anonymous set") else { return }
        let text = Self.table.replacingOccurrences(of: "meta l4proto icmp accept", with: "tcp dport { 80, 443 } accept")
        let s = try Setup(text, "digests-anonymous.nft")
        defer { s.cleanUp() }
        let first = s.apply(ns)
        #expect(first.status == 0 && first.stderr.contains(Self.learnt), "\(first.stderr)")
        let kept = s.records.map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined()
        #expect(kept.contains(#" 3 "-""#), "no record of a rule whose bytes say nothing: \(kept)")
        #expect(ns.exec(["nft", "delete", "table", "inet", "dg"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains(Self.listed), "\(second.stderr)")
        #expect(!second.stderr.contains(Self.learnt), "dumped again for nothing: \(second.stderr)")
        #expect(ns.nftList().contains("tcp dport { 80, 443 } accept"))
    }

    /// Kept bytes that are not what the kernel holds (here: each rule's are another rule's)
    /// are never believed: the table is listed, found as declared, and the bytes are learnt
    /// again.
    @Test(.needsRoot) func wrongBytesMakeItListAndLearnThemAgain() throws {
        guard let ns = TestNamespace.make("kernel bytes, wrong ones") else { return }
        let s = try Setup(Self.table, "digests-wrong.nft")
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        var replaced = 0
        for path in s.records {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            // A record of kernel bytes: `KEY LENGTH "BASE64"`; each gets the next one's value.
            let parts = lines.map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
            let kept = parts.indices.filter { parts[$0].count == 3 && parts[$0][2].hasPrefix("\"") && parts[$0][2] != "\"-\"" }
            var out = lines.map(String.init)
            for (n, i) in kept.enumerated() {
                let other = parts[kept[(n + 1) % kept.count]]
                out[i] = "\(parts[i][0]) \(other[1]) \(other[2])"
                replaced += 1
            }
            try out.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(replaced == 4, "expected the bytes of each rule")
        #expect(ns.exec(["nft", "delete", "table", "inet", "dg"]).status == 0)
        let second = s.apply(ns)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains(Self.listed) && second.stderr.contains(Self.learnt), "\(second.stderr)")
        #expect(ns.exec(["nft", "delete", "table", "inet", "dg"]).status == 0)
        let third = s.apply(ns)
        #expect(third.status == 0 && third.stderr.contains(Self.known), "\(third.stderr)")
    }

    /// What another program does between the commit and the verification, each a change
    /// the bytes alone would not show: a copy of one of our rules (every rule's bytes the
    /// kernel shows is a known one, one rule more), the same rules in another order, an
    /// element in a declared set, a chain, a set and a counter object nobody declared.
    static let interference: [(String, String)] = [
        ("a copy of a rule", "add rule inet dg other ip daddr 10.9.9.9 drop"),
        (
            "the same rules in another order",
            "flush chain inet dg input\nadd rule inet dg input meta l4proto icmp accept\n"
                + "add rule inet dg input ip saddr @allowed counter accept\n"
                + "add rule inet dg input tcp dport 22 counter accept comment \"ssh\""
        ),
        ("an element", "add element inet dg allowed { 10.0.0.2 }"),
        ("a chain", "add chain inet dg extra"),
        ("a set", "add set inet dg extra { type ipv4_addr; }"),
        ("a counter object", "add counter inet dg extra")
    ]

    /// The apply reads the rules' bytes, does not take them for the kernel, fails, says so, and
    /// is rolled back at once.
    @Test(.needsRoot, arguments: interference.indices)
    func whatAnotherProgramChangesAfterTheCommitIsCaught(_ i: Int) throws {
        let (what, script) = Self.interference[i]
        guard let ns = TestNamespace.make("kernel bytes, \(what) after the commit") else { return }
        let s = try Setup(Self.table, "digests-interference-\(i).nft")
        defer { s.cleanUp() }
        #expect(s.apply(ns).status == 0)
        #expect(ns.exec(["nft", "delete", "table", "inet", "dg"]).status == 0)
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, s.file],
            environment: [
                "NFTCTL_STATE_DIR": s.dir, "NFTCTL_CACHE": s.cache, "NFTCTL_TEST_STOP_AT": "committed", "NFTCTL_TIMING": "1"
            ])
        try #require(apply.waitUntilStopped(), "never reached the commit")
        let changed = ns.exec(["nft", "-f", "-"], stdin: script + "\n")
        #expect(changed.status == 0, "\(what): \(changed.stderr)")
        apply.resume()
        let r = apply.finish()
        #expect(r.status == 1, "\(what): \(r.stderr)")
        #expect(r.stderr.contains("rule bytes read, not conclusive"), "\(what): the bytes were not read: \(r.stderr)")
        #expect(r.stderr.contains("does not hold what was"), "\(what): \(r.stderr)")
        #expect(r.stderr.contains("rolled back at once"), "\(what): \(r.stderr)")
        #expect(!ns.nftList().contains("table inet dg"), "\(what): the rolled-back apply left its table")
    }
}
