import Foundation
import Testing

@testable import NFTCtlKit

/// An edited JSON file applied by sending only the rules that changed (`EntryPatch`,
/// `AppliedBase`). The kernel is the oracle: after every edit the namespace lists what
/// `nft -f` of the same version makes in a fresh namespace, the rules that did not change
/// keep their handles, and what the patch cannot vouch for (a jump, a chain emptied, a
/// commit by someone else) goes the ordinary way with the same result.
@Suite(.serialized) struct EntryPatchKernelTests {
    static let patched = "commit (own batch:"
    /// Said once the patch compared the file with the applied one; the ordinary load after.
    static let differs = "timing: patch: the file differs"
    static let loaded = "timing: load "

    /// Version `body` of the test table: the rules of chain `input` in the middle.
    static func text(_ input: [String], other: [String] = ["udp dport 123 accept"]) -> String {
        """
        table inet pt {
        \tset blocked {
        \t\ttype ipv4_addr
        \t\telements = { 10.9.9.9 }
        \t}
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \(input.map { "\t\t" + $0 }.joined(separator: "\n"))
        \t}
        \tchain other {
        \(other.map { "\t\t" + $0 }.joined(separator: "\n"))
        \t}
        }

        """
    }

    static let first = [
        "tcp dport 22 counter accept comment \"ssh\"", "ip saddr @blocked counter drop", "udp dport 53 counter accept",
        "jump other", "tcp dport 80 counter accept"
    ]

    struct Setup {
        let dir = ApplySafety.stateDir()
        let cache = ApplySafety.stateDir()
        let file: String
        let ns: TestNamespace
        init(_ ns: TestNamespace) throws {
            self.ns = ns
            file = try ApplySafety.write("", "patch.json")
        }
        /// Compiles `text` to the JSON file (always the same path, as a user edits a file).
        func write(_ text: String) throws {
            let nft = try ApplySafety.write(text, "patch.nft")
            defer { try? FileManager.default.removeItem(atPath: nft) }
            let compiled = ApplySafety.nftctl(["compile", nft, "-o", file], dir)
            try #require(compiled.status == 0, "\(compiled.stderr)")
        }
        func apply() -> Shell.Result {
            ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"])
        }
        func cleanUp() {
            for d in [dir, cache, file] { try? FileManager.default.removeItem(atPath: d) }
        }
        /// Each rule of the table (handle aside) with its handle, from `nft -a list`.
        func handles() -> [String: String] {
            var out: [String: String] = [:]
            for line in ns.exec(["nft", "-a", "list", "table", "inet", "pt"]).stdout.split(separator: "\n") {
                guard let r = line.range(of: " # handle ") else { continue }
                out[line[..<r.lowerBound].trimmingCharacters(in: .whitespaces)] = String(line[r.upperBound...])
            }
            return out
        }
    }

    /// What `nft -f` makes of `text` in a fresh namespace.
    static func oracle(_ text: String) throws -> String {
        let ns = try #require(TestNamespace.make("patch: nft -f oracle"))
        let r = ns.nftLoad(text)
        try #require(r.status == 0, "nft -f refuses the version: \(r.stderr)")
        return KernelApplyTests.stable(ns.nftList())
    }

    static func withoutCounts(_ s: String) -> String {
        s.replacingOccurrences(of: #"packets [0-9]+ bytes [0-9]+"#, with: "", options: .regularExpression)
    }

    @Test(.needsRoot) func editsGoAsTheChangedRulesAloneAndListAsNftMakesThem() throws {
        guard let ns = TestNamespace.make("patch") else { return }
        let s = try Setup(ns)
        defer { s.cleanUp() }
        try s.write(Self.text(Self.first))
        let a = s.apply()
        try #require(a.status == 0, "\(a.stderr)")

        // Each version: (rules of input, rules of other, what it must go as).
        let versions: [([String], [String], String?)] = [
            // One rule changed in the middle: one deleted, one added beside the rule before it.
            (
                Self.first.replacing(["udp dport 53 counter accept"], with: ["udp dport 5353 counter accept"]), ["udp dport 123 accept"],
                "1 rules deleted, 1 added"
            ),
            // Two rules added.
            (
                [
                    "tcp dport 22 counter accept comment \"ssh\"", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 accept", "tcp dport 8443 accept", "jump other", "tcp dport 80 counter accept"
                ], ["udp dport 123 accept"],
                "0 rules deleted, 2 added"
            ),
            // The chain's first rule deleted, and a new first one: put in before the rule after it.
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 accept", "tcp dport 8443 accept", "jump other", "tcp dport 80 counter accept"
                ], ["udp dport 123 accept"],
                "1 rules deleted, 1 added"
            ),
            // The only rule of a chain: nothing to put the new one beside, the ordinary apply.
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 accept", "tcp dport 8443 accept", "jump other", "tcp dport 80 counter accept"
                ], ["udp dport 124 accept"],
                nil
            ),
            // A jump added changes the jump graph: the ordinary apply.
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 jump other", "tcp dport 8443 accept", "jump other", "tcp dport 80 counter accept"
                ], ["udp dport 124 accept"],
                nil
            ),
            // A rule deleted, none added.
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 jump other", "jump other", "tcp dport 80 counter accept"
                ], ["udp dport 124 accept"],
                "1 rules deleted, 0 added"
            ),
            // A rule appended at the end of the chain (the kernel gives the last rule no position).
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 jump other", "jump other", "tcp dport 80 counter accept", "tcp dport 81 accept"
                ], ["udp dport 124 accept"],
                "0 rules deleted, 1 added"
            ),
            // The last rule changed.
            (
                [
                    "tcp dport 2222 counter accept", "ip saddr @blocked counter drop", "udp dport 5353 counter accept",
                    "tcp dport 443 jump other", "jump other", "tcp dport 80 counter accept", "tcp dport 82 accept"
                ], ["udp dport 124 accept"],
                "1 rules deleted, 1 added"
            )
        ]
        for (input, other, how) in versions {
            let text = Self.text(input, other: other)
            let before = s.handles()
            try #require(before.count >= 6, "no handles read: \(before)")
            try s.write(text)
            let r = s.apply()
            try #require(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("verified"), "\(r.stdout)")
            if let how {
                #expect(r.stderr.contains(Self.patched + " " + how + ")"), "not sent as the changed rules alone: \(r.stderr)")
                // Every rule that is still there kept its handle (so its counters).
                let after = s.handles()
                let kept = after.keys.filter { before[$0] != nil }
                #expect(kept.count >= 4, "too few rules kept to compare: \(after)")
                for rule in kept { #expect(before[rule] == after[rule], "\(rule): handle \(before[rule]!) became \(after[rule]!)") }
            } else {
                #expect(!r.stderr.contains(Self.patched), "sent as a patch, which it must not be: \(r.stderr)")
            }
            #expect(
                Self.withoutCounts(KernelApplyTests.stable(ns.nftList())) == Self.withoutCounts(try Self.oracle(text)),
                "the kernel holds something else than nft -f makes of the version")
            let again = s.apply()
            #expect(again.stdout.contains("nothing to do"), "a second apply: \(again.stdout)\(again.stderr)")
        }
    }

    @Test(.needsRoot) func aWrongRuleIsRefusedWithItsLineAndNothingChanges() throws {
        guard let ns = TestNamespace.make("patch, wrong rule") else { return }
        let s = try Setup(ns)
        defer { s.cleanUp() }
        try s.write(Self.text(Self.first))
        try #require(s.apply().status == 0)
        let listed = ns.nftList()
        // A set nobody declared: compiled as written, refused by the validator.
        // `compile` refuses such a rule: the JSON is made by hand from the good one.
        let good = try String(contentsOfFile: s.file, encoding: .utf8)
        let edited = good.replacingOccurrences(
            of: #"{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}"#,
            with: #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@nope"}}"#)
        try #require(edited != good, "the compiled rule is not spelt as the test expects: \(good)")
        try edited.write(toFile: s.file, atomically: true, encoding: .utf8)
        let line = try #require(edited.components(separatedBy: "\n").firstIndex { $0.contains("@nope") }) + 1
        let r = s.apply()
        #expect(r.status != 0, "\(r.stdout)")
        #expect(
            r.stderr.contains("nope") && r.stderr.contains("\(s.file):\(line)"),
            "the error does not name the set and line \(line): \(r.stderr)")
        // Refused by the patch itself, which read no more of the file than the edited rule.
        #expect(r.stderr.contains(Self.differs) && !r.stderr.contains(Self.loaded), "\(r.stderr)")
        #expect(ns.nftList() == listed, "the ruleset changed")
    }

    @Test(.needsRoot) func whatOthersCommitAndARollbackAreSeen() throws {
        guard let ns = TestNamespace.make("patch, others") else { return }
        let s = try Setup(ns)
        defer { s.cleanUp() }
        try s.write(Self.text(Self.first))
        try #require(s.apply().status == 0)

        // Only the bytes between entries: nothing to send, nothing committed.
        let compiled = try String(contentsOfFile: s.file, encoding: .utf8)
        // Between two rule entries, once.
        let gap = try #require(compiled.range(of: "},\n{\"add\": {\"rule\""))
        let spaced = compiled.replacingCharacters(in: gap, with: "},\n\n  {\"add\": {\"rule\"")
        try #require(spaced != compiled)
        try spaced.write(toFile: s.file, atomically: true, encoding: .utf8)
        let listed = ns.nftList()
        let quiet = s.apply()
        #expect(quiet.status == 0 && quiet.stdout.contains("nothing to do"), "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stderr.contains(Self.differs) && !quiet.stderr.contains(Self.loaded), "\(quiet.stderr)")
        #expect(ns.nftList() == listed)
        // The base now is the spaced file: an edit of it goes as a patch.
        try spaced.replacingOccurrences(of: "\"right\": 80}", with: "\"right\": 8080}").write(
            toFile: s.file, atomically: true, encoding: .utf8)
        let afterSpace = s.apply()
        #expect(afterSpace.stderr.contains(Self.patched), "\(afterSpace.stderr)")
        try spaced.write(toFile: s.file, atomically: true, encoding: .utf8)
        try #require(s.apply().status == 0)

        // Someone else commits: the base no longer holds, the ordinary apply plans against the kernel.
        #expect(ns.exec(["nft", "add", "rule", "inet", "pt", "input", "tcp", "dport", "9", "drop"]).status == 0)
        let edited = Self.first.replacing(["udp dport 53 counter accept"], with: ["udp dport 9 counter accept"])
        try s.write(Self.text(edited))
        let r = s.apply()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains(Self.patched), "a patch after someone else's commit: \(r.stderr)")
        #expect(Self.withoutCounts(KernelApplyTests.stable(ns.nftList())) == Self.withoutCounts(try Self.oracle(Self.text(edited))))

        // A patch, then `nftctl rollback`: the version before it is back, with the counts the
        // rule the patch deleted had then (the kernel's echo of the deletion).
        ApplySafety.traffic(ns)
        try #require(ns.nftList().contains("udp dport 9 counter packets 3 "), "the traffic did not reach the rule: \(ns.nftList())")
        let before = Self.withoutCounts(ns.nftList())
        let next = edited.replacing(["udp dport 9 counter accept"], with: ["udp dport 10 counter accept"])
        try s.write(Self.text(next))
        let p = s.apply()
        #expect(p.stderr.contains(Self.patched), "\(p.stderr)")
        let back = ApplySafety.nftctl(["rollback", "--netns", ns.name], s.dir, ["NFTCTL_CACHE": s.cache])
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        #expect(Self.withoutCounts(ns.nftList()) == before, "the rollback did not put back the version before the patch")
        #expect(ns.nftList().contains("udp dport 9 counter packets 3 "), "the rule's counts are lost: \(ns.nftList())")
    }
}

extension EntryPatchKernelTests {
    /// What the whole file would refuse is refused, and what it would keep is kept, whatever
    /// the bytes outside the differing entries say.
    @Test(.needsRoot) func whatTheWholeFileRefusesOrKeepsIsRefusedOrKept() throws {
        guard let ns = TestNamespace.make("patch, refused or kept") else { return }
        let s = try Setup(ns)
        defer { s.cleanUp() }
        try s.write(Self.text(Self.first))
        try #require(s.apply().status == 0)
        let good = try String(contentsOfFile: s.file, encoding: .utf8)
        let listed = ns.nftList()

        // A comma taken out between two entries: not JSON, refused, not "up to date".
        let lines = good.components(separatedBy: "\n")
        let rule = try #require(lines.firstIndex { $0.contains("\"dport\"}}, \"right\": 53}") })
        var broken = lines
        broken[rule].removeLast()  // its comma
        try broken.joined(separator: "\n").write(toFile: s.file, atomically: true, encoding: .utf8)
        let r = s.apply()
        #expect(r.status != 0 && r.stderr.contains("invalid JSON"), "a file without a comma between entries: \(r.stdout)\(r.stderr)")
        #expect(ns.nftList() == listed)

        // A new rule before its chain is declared: refused as the whole file is.
        var early = lines
        let chainLine = try #require(lines.firstIndex { $0.contains("\"chain\": {") && $0.contains("\"name\": \"other\"") })
        let otherRule = try #require(lines.firstIndex { $0.contains("\"rule\": {") && $0.contains("\"chain\": \"other\"") })
        early.insert(lines[otherRule], at: chainLine)
        try early.joined(separator: "\n").write(toFile: s.file, atomically: true, encoding: .utf8)
        let e = s.apply()
        #expect(e.status != 0, "a rule before its chain: \(e.stdout)\(e.stderr)")
        #expect(!e.stderr.contains(Self.patched), "\(e.stderr)")
        #expect(ns.nftList() == listed)

        // Two rules changed around one that stays: it keeps its handle (its counters).
        try good.write(toFile: s.file, atomically: true, encoding: .utf8)
        try #require(s.apply().stdout.contains("nothing to do"))
        func handle(_ rule: String) throws -> String { try #require(s.handles()[rule], "no \(rule) in \(s.handles())") }
        let blocked = "ip saddr @blocked counter packets 0 bytes 0 drop", dns = "udp dport 53 counter packets 0 bytes 0 accept"
        let kept = try handle(blocked)
        let around = Self.first.replacing(
            ["tcp dport 22 counter accept comment \"ssh\""], with: ["tcp dport 23 counter accept comment \"ssh\""]
        )
        .replacing(["udp dport 53 counter accept"], with: ["udp dport 54 counter accept"])
        try s.write(Self.text(around))
        let k = s.apply()
        #expect(k.status == 0, "\(k.stderr)")
        #expect(try handle(blocked) == kept, "the rule between the changed ones lost its handle: \(k.stderr)")
        #expect(
            Self.withoutCounts(KernelApplyTests.stable(ns.nftList())) == Self.withoutCounts(try Self.oracle(Self.text(around))))

        // A rule spelt anew (its keys in another order): the same rule, kept, nothing to do.
        try s.write(Self.text(Self.first))
        try #require(s.apply().status == 0)
        let dnsHandle = try handle(dns)
        let compiled = try String(contentsOfFile: s.file, encoding: .utf8)
        let respelt = compiled.replacingOccurrences(
            of: #"{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}"#,
            with: #"{"match": {"left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53, "op": "=="}}"#)
        try #require(respelt != compiled)
        try respelt.write(toFile: s.file, atomically: true, encoding: .utf8)
        let same = s.apply()
        #expect(same.status == 0 && same.stdout.contains("nothing to do"), "\(same.stdout)\(same.stderr)")
        #expect(try handle(dns) == dnsHandle, "a rule spelt anew lost its handle: \(same.stderr)")
    }
}
