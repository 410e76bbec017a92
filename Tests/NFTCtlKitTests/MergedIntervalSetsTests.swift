import Foundation
import NFTAnalysis
import NFTModel
import Testing

@testable import NFTCtlKit

/// A one-element anonymous interval set as nft lists it is given back with its element
/// twice, which nft merges into the same set (the kernel test, through nft itself, is the
/// realworld fixture `merged-anonymous-intervals.nft`).
@Suite struct MergedIntervalSetsTests {
    typealias E = NFTModel.Expression
    static let left = E.payload(.field(protocol: "tcp", field: "dport"))

    static func rule(_ right: E) -> Rule {
        Rule(family: "inet", table: "t", chain: "c", expr: [.match(left: left, op: .ne, right: right), .verdict(.accept)])
    }

    /// A one-element set of an interval (bare or as an element with a comment) is given its
    /// element twice; nothing else changes.
    @Test func onlyOneElementIntervalSetsOfMatchesAreDoubled() {
        let elem = E.elem(SetElement(val: .prefix(addr: .number(0), len: 28), comment: "marks"))
        for one in [E.range(.number(1), .number(9)), .prefix(addr: .string("10.0.0.0"), len: 23), .range(.string("cs1"), .number(15)), elem]
        {
            #expect(MergedIntervalSets.split(Self.rule(.set([one], single: false))) == Self.rule(.set([one, one], single: false)))
        }
        for r in [
            Self.rule(.set([.range(.number(1), .number(4)), .range(.number(6), .number(9))], single: false)),
            Self.rule(.set([.number(22)], single: false)), Self.rule(.set([.range(.number(1), .number(9))], single: true)),
            Self.rule(.range(.number(1), .number(9))), Self.rule(.string("@named"))
        ] {
            #expect(MergedIntervalSets.split(r) == r)
        }
    }

    /// What libnftables 1.0.6 cannot replace without aborting (`PlanBatch.goesAsInsert`): a
    /// rule with an anonymous set (or map) holding an interval or a wildcard, or an anonymous
    /// chain holding a set; a set of plain values is replaced in place.
    @Test func replacingARuleWithAnIntervalSetIsAnInsertAndADelete() {
        func aborts(_ r: Rule) -> Bool { PlanBatch.holdsIntervalSet(r, wildcards: true) }
        #expect(!aborts(Self.rule(.set([.number(22), .number(80)], single: false))))
        #expect(!PlanBatch.holdsIntervalSet(Self.rule(.set([.string("eth*"), .string("lo")], single: false)), wildcards: false))
        #expect(aborts(Self.rule(.set([.range(.number(1), .number(9)), .number(22)], single: false))))
        #expect(aborts(Self.rule(.set([.prefix(addr: .string("10.0.0.0"), len: 8)], single: false))))
        #expect(
            aborts(
                Self.rule(.map(key: Self.left, data: .set([.list([.range(.number(1), .number(9)), .string("x")])], single: false)))))
        #expect(aborts(Self.rule(.set([.string("eth*"), .string("lo")], single: false))))
        func chain(_ text: String) -> Rule { Rule(family: "inet", table: "t", chain: "c", expr: [.text(text)]) }
        #expect(aborts(chain("jump { ip saddr { 10.0.0.0/8, 12.0.0.0/8 } accept; }")))
        #expect(!aborts(chain("jump { ip saddr 10.0.0.0/8 accept; }")))
        // A brace in a quoted string is not a set.
        #expect(!aborts(chain(#"jump { log prefix "{in} " accept; }"#)))
        #expect(aborts(chain(#"jump { log prefix "{" ip saddr { 10.0.0.0/8, 12.0.0.0/8 } accept; }"#)))
        #expect(
            !aborts(
                Rule(
                    family: "inet", table: "t", chain: "c",
                    expr: [.set(SetUpdate(op: "update", elem: .payload(.field(protocol: "ip", field: "saddr")), set: "@s"))])))
        #expect(!aborts(Self.rule(.range(.number(1), .number(9)))))
        #expect(!aborts(Self.rule(.string("@named"))))
    }
}

/// A rollback gives a listing back to the kernel: a set nft merged to one element is
/// restored as the set it was, whole-table and rule by rule.
@Suite struct MergedIntervalSetsKernelTests {
    @Test(.needsRoot) func aRollbackRestoresTheSetNotAPlainMatch() throws {
        guard let ns = TestNamespace.make("merged interval rollback") else { return }
        let table = """
            table inet r {
            \tchain c {
            \t\ttype filter hook input priority 0; policy accept;
            \t\tip saddr { 10.0.0.0/24, 10.0.1.0/24 } counter drop
            \t\ttcp dport { 1-1024, 1025-65535 } accept
            \t}
            }
            """
        try #require(ns.nftLoad(table).status == 0)
        let before = KernelApplyTests.stable(ns.nftList())
        #expect(before.contains("{ 10.0.0.0/23 }"), "\(before)")
        let backend = try LibNFTablesBackend(netns: ns.name)
        let snapshot = StateStore.Snapshot(id: "t", tables: [TableKey(family: "inet", name: "r")], listing: try backend.list())
        // Rule by rule: one rule changed since the snapshot.
        let handle = try #require(
            ns.exec(["nft", "-a", "list", "chain", "inet", "r", "c"]).stdout.split(separator: "\n")
                .first { $0.contains("10.0.0.0/23") }?.split(separator: " ").last.map(String.init))
        #expect(ns.exec(["nft", "replace", "rule", "inet", "r", "c", "handle", handle, "ip", "saddr", "10.9.9.9", "drop"]).status == 0)
        try Rollback.restore(snapshot, backend: backend)
        #expect(KernelApplyTests.stable(ns.nftList()) == before)
        // Whole: the table gone since the snapshot.
        #expect(ns.exec(["nft", "delete", "table", "inet", "r"]).status == 0)
        try Rollback.restore(snapshot, backend: backend)
        #expect(KernelApplyTests.stable(ns.nftList()) == before)
    }

    /// A rule changed into one with an interval set: libnftables 1.0.6 aborted the whole
    /// process on the `replace rule` this was; and its echo crashed, after the commit, on a
    /// batch that replaced or deleted such a rule, or deleted a rule with an anonymous set
    /// and added one with a set of another key type.
    @Test(.needsRoot) func aRuleChangedIntoAnIntervalSetRuleIsApplied() throws {
        guard let k = AgainstNft("interval replace") else { return }
        func file(_ rules: String) -> String {
            "table inet r {\n\tchain c {\n\t\ttcp dport 1 accept\n\(rules)\t\ttcp dport 2 accept\n\t}\n}\n"
        }
        for rules in [
            "\t\tip saddr 10.9.9.9 drop\n\t\tip daddr 10.9.9.8 drop\n",
            "\t\tip saddr { 10.0.0.0/24, 10.0.2.0/24 } drop\n\t\tip daddr { 10.1.0.1-10.1.0.5, 10.1.0.6 } drop\n",
            "\t\tip saddr { 10.0.0.0/24, 10.0.3.0/24 } drop\n\t\tip daddr { 10.1.0.0/24, 10.1.1.0/24 } drop\n",
            // Back to plain rules: libnftables' echo of that replace crashed after the commit.
            "\t\tip saddr 10.9.9.9 drop\n\t\tip daddr { 10.1.0.0/24, 10.1.1.0/24 } drop\n",
            // An interval-set rule deleted, one with an anonymous set added: the same crash.
            "\t\tip saddr 10.9.9.9 drop\n\t\ttcp dport { 8, 11 } accept\n",
            "\t\tiifname { \"eth*\", \"lo\" } accept\n\t\ttcp dport vmap { 1-5 : accept, 7 : drop }\n",
            // A rule with an anonymous set deleted and one with a set of another key type
            // added: 1.0.6's echo aborted the process after the commit (json.c:900).
            "\t\ttcp dport { 3, 4 } accept\n\t\tcounter\n",
            "\t\tcounter\n\t\tiifname { \"lo\", \"eth0\" } accept\n",
            "\t\ttcp dport { 3, 4 } accept\n\t\tcounter\n",
            "\t\tcounter\n\t\tct state { established, related } accept\n",
            // The same, with the new set brought by a replace, or the old one taken by one.
            "\t\ttcp dport { 3, 4 } accept\n\t\tcounter\n\t\tudp dport 53 accept\n",
            "\t\tcounter\n\t\tiifname { \"lo\", \"eth0\" } accept\n",
            "\t\ttcp dport { 3, 4 } accept\n",
            "\t\tip saddr { 1.1.1.1, 2.2.2.2 } accept\n\t\tiifname { \"lo\", \"eth0\" } accept\n"
        ] {
            let a = try k.apply(file(rules))
            #expect(a.status == 0 && a.stdout.contains("verified"), "\(a.stdout)\(a.stderr)")
            try k.expectSameAsNft(file(rules))
        }
    }

    /// Anonymous chains holding an interval set: a rule changed into one replaces its table
    /// (1.0.6 aborts on its replace and crashes on its insert; it was refused before this
    /// round), and a batch that deletes one goes without the echo, which crashed after the
    /// commit.
    @Test(.needsRoot) func anonymousChainsWithIntervalSetsAreReplacedOrAppliedButNeverCrash() throws {
        guard let k = AgainstNft("anonymous chain") else { return }
        let ns = k.ns
        func file(_ rules: String) -> String {
            "table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t\ttcp dport 1 accept\n\(rules)\t}\n}\n"
        }
        let plain = file("\t\tiifname \"a\" accept\n\t\ttcp dport 2 accept\n")
        let chained = file("\t\tjump { ip saddr { 10.0.0.0/8, 12.0.0.0/8 } accept; }\n\t\ttcp dport 2 accept\n")
        let after = file("\t\ttcp dport 2 accept\n\t\tip saddr { 10.0.0.0/8, 13.0.0.0/8 } accept\n")
        func apply(_ text: String) throws -> Shell.Result { try k.apply(text) }
        func matches(_ text: String) throws { try k.expectSameAsNft(text) }
        try #require(try apply(plain).status == 0)
        let replaced = try apply(chained)
        #expect(replaced.status == 0 && replaced.stdout.contains("replaced whole"), "\(replaced.stdout)\(replaced.stderr)")
        try matches(chained)
        // Loaded by nft, then changed by nftctl: the anonymous chain's rule deleted.
        try #require(ns.exec(["nft", "flush", "ruleset"]).status == 0 && ns.nftLoad(chained).status == 0)
        let a = try apply(after)
        #expect(a.status == 0 && a.stdout.contains("verified"), "\(a.stdout)\(a.stderr)")
        try matches(after)
        // A brace in a quoted string of an anonymous chain is no set: the change is a replace
        // and applies (it was taken for a set, and refused as a positioned insert).
        func prefixed(_ p: String) -> String { file("\t\tjump { log prefix \"\(p) \" accept; }\n\t\ttcp dport 2 accept\n") }
        try #require(ns.exec(["nft", "flush", "ruleset"]).status == 0 && ns.nftLoad(prefixed("{a}")).status == 0)
        let r = try apply(prefixed("{b}"))
        #expect(r.status == 0 && r.stdout.contains("verified"), "\(r.stdout)\(r.stderr)")
        try matches(prefixed("{b}"))
    }
}
