import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// An edited JSON file applied where its table does not exist, made from the record of the
/// file applied last (`PatchedReplay`). The kernel must hold what `nft -f` makes of the
/// edited text, the plan must read as the ordinary apply's of that file, and the new record
/// must replay the edited file next time; an edit it cannot carry, or a new rule that is
/// wrong, leaves it before anything is sent.
@Suite(.serialized) struct PatchedReplayKernelTests {
    static let patched = "patched from the file applied last"

    /// A table of `n` rules in `input` (one of them counted) and two in `other`, with `edit`
    /// applied to the lines of `input` (each a rule's text).
    static func text(_ n: Int = 16, edit: (inout [String]) -> Void = { _ in }) -> String {
        var rules = (0..<n).map { i in i == 5 ? "tcp dport \(2000 + i) counter accept" : "tcp dport \(2000 + i) accept" }
        edit(&rules)
        return """
            table inet pr {
            \tchain input {
            \t\ttype filter hook input priority filter; policy accept;
            \(rules.map { "\t\t" + $0 }.joined(separator: "\n"))
            \t}
            \tchain other {
            \t\tudp dport 53 accept
            \t\tudp dport 123 accept
            \t}
            }

            """
    }

    /// The file compiled from `text`, written over `path` (as an edit in place would).
    static func compile(_ text: String, to path: String, _ dir: String) throws {
        let nft = try ApplySafety.write(text, "patched-source.nft")
        defer { try? FileManager.default.removeItem(atPath: nft) }
        let r = ApplySafety.nftctl(["compile", nft, "-o", path], dir)
        try #require(r.status == 0, "\(r.stderr)")
    }

    /// Applies `base`, deletes its table, then applies `edited` at the same path: returns the
    /// apply's result, with the kernel compared with `nft -f` of `edited` and the plan with
    /// the ordinary apply's of it (another state directory and cache, another namespace).
    func check(_ name: String, base: String, edited: String, patches: Bool = true) throws -> Shell.Result? {
        guard let ns = TestNamespace.make("patched replay, \(name)"), let ordinary = TestNamespace.make("patched replay, ordinary"),
            let byNft = TestNamespace.make("patched replay, nft -f")
        else { return nil }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir(), dir2 = ApplySafety.stateDir(), cache2 = ApplySafety.stateDir()
        let file = dir + "-rules.json"
        defer { for d in [dir, cache, dir2, cache2, file] { try? FileManager.default.removeItem(atPath: d) } }
        func apply(_ ns: TestNamespace, _ dir: String, _ cache: String) -> Shell.Result {
            ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        try Self.compile(base, to: file, dir)
        let first = apply(ns, dir, cache)
        try #require(first.status == 0, "\(first.stderr)")
        #expect(ns.exec(["nft", "delete", "table", "inet", "pr"]).status == 0)
        try Self.compile(edited, to: file, dir)
        let r = apply(ns, dir, cache)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(Self.patched) == patches, "\(r.stderr)")
        let nft = try ApplySafety.write(edited, "patched-by-nft.nft")
        defer { try? FileManager.default.removeItem(atPath: nft) }
        #expect(byNft.exec(["nft", "-f", nft]).status == 0)
        #expect(ns.nftList() == byNft.nftList())
        let whole = apply(ordinary, dir2, cache2)
        #expect(whole.status == 0 && !whole.stderr.contains(Self.patched), "\(whole.stderr)")
        #expect(r.stdout == whole.stdout)
        // What it remembered is the kernel's: nothing to do; and its record replays the edited file.
        let again = apply(ns, dir, cache)
        #expect(again.status == 0 && again.stdout.contains("already up to date"), "\(again.stdout)\(again.stderr)")
        #expect(ns.exec(["nft", "delete", "table", "inet", "pr"]).status == 0)
        let replay = apply(ns, dir, cache)
        #expect(replay.status == 0 && replay.stdout == whole.stdout, "\(replay.stderr)")
        #expect(replay.stderr.contains(ReplayKernelTests.replayed) && !replay.stderr.contains(Self.patched), "\(replay.stderr)")
        #expect(ns.nftList() == byNft.nftList())
        return r
    }

    @Test(.needsRoot) func aRuleChangedInsertedOrDeletedIsTheRecordPatched() throws {
        let base = Self.text()
        // One rule changed (the counted one), one inserted, one deleted, two for one, at the chain's top.
        let edits: [(String, (inout [String]) -> Void)] = [
            ("changed", { $0[5] = "tcp dport 9 counter drop" }),
            ("inserted", { $0.insert("udp dport 7 accept", at: 8) }),
            ("deleted", { $0.remove(at: 8) }),
            ("two for one", { $0.replaceSubrange(3..<4, with: ["ip saddr 10.0.0.1 drop", "ip saddr 10.0.0.2 drop"]) }),
            ("at the top", { $0.insert("meta l4proto icmp accept", at: 0) }),
            ("the first deleted", { $0.removeFirst() })
        ]
        for (name, edit) in edits {
            let r = try check(name, base: base, edited: Self.text(edit: edit))
            if let r { #expect(r.stderr.contains(ReplayKernelTests.evidence), "\(name): \(r.stderr)") }
        }
    }

    /// A rule that jumps changes the chains' graph, which the record's validation covered:
    /// the ordinary apply runs, with the same outcome.
    @Test(.needsRoot) func anEditItCannotCarryRunsWhole() throws {
        _ = try check("a jump", base: Self.text(), edited: Self.text { $0[8] = "tcp dport 8 jump other" }, patches: false)
    }

    /// A new rule the validator refuses is named with its file and line; nothing is committed.
    @Test(.needsRoot) func aWrongNewRuleIsNamedAndNothingIsSent() throws {
        guard let ns = TestNamespace.make("patched replay, wrong rule") else { return }
        let dir = ApplySafety.stateDir(), cache = ApplySafety.stateDir()
        let file = dir + "-rules.json"
        defer { for d in [dir, cache, file] { try? FileManager.default.removeItem(atPath: d) } }
        try Self.compile(Self.text(), to: file, dir)
        let env = ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"]
        try #require(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, env).status == 0)
        #expect(ns.exec(["nft", "delete", "table", "inet", "pr"]).status == 0)
        // The edited file's rule 9 (line 12 of the compiled file) masquerades in a filter chain.
        var json = try String(contentsOfFile: file, encoding: .utf8)
        var lines = json.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = try #require(lines.firstIndex { $0.contains("2006") })
        lines[line] = lines[line].replacingOccurrences(of: #"{"accept": null}"#, with: #"{"masquerade": null}"#)
        json = lines.joined(separator: "\n")
        try json.write(toFile: file, atomically: true, encoding: .utf8)
        let r = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, env)
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(file):\(line + 1)"), "\(r.stderr)")
        #expect(!ns.nftList().contains("table inet pr"))
    }
}
