import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A file that stops declaring sets, maps, chains and named objects while it changes the
/// rules that used them: the kernel refuses to delete what a rule still refers to (EBUSY),
/// so the batch must change the rules first and delete the declarations after them.
@Suite struct RemovedDeclarationsKernelTests {
    static let before = """
        table inet t {
        \tcounter hits { }
        \tset s { type ipv4_addr; elements = { 10.0.0.1 } }
        \tset w { type ipv4_addr; flags interval; elements = { 10.1.0.0/16 } }
        \tmap vm { type ipv4_addr : verdict; elements = { 10.5.0.1 : jump j } }
        \tchain c {
        \t\tip saddr @s counter accept
        \t\tip saddr @w drop
        \t\tip daddr vmap @vm
        \t\ttcp dport 22 counter name "hits" accept
        \t\ttcp dport 23 jump k
        \t\ttcp dport 24 accept
        \t}
        \tchain j {
        \t\tcounter accept
        \t}
        \tchain k {
        \t\tdrop
        \t}
        }

        """
    // Every rule that named something now names nothing; one goes as an insert and a
    // delete (its anonymous set holds an interval: `PlanBatch.goesAsInsert`).
    static let after = """
        table inet t {
        \tchain c {
        \t\tip saddr 10.0.0.1 counter accept
        \t\tip saddr { 10.1.0.0/16, 10.2.0.0/16 } drop
        \t\tip daddr 10.5.0.1 accept
        \t\ttcp dport 22 counter accept
        \t\ttcp dport 23 drop
        \t\ttcp dport 24 accept
        \t}
        }

        """

    @Test(.needsRoot) func declarationsAreDeletedAfterTheRulesThatUsedThem() throws {
        guard let k = AgainstNft("removed declarations") else { return }
        // There and back: the way back adds them again before the rules that use them.
        for text in [Self.before, Self.after, Self.before] {
            let a = try k.apply(text)
            #expect(a.status == 0 && a.stdout.contains("verified"), "\(a.stdout)\(a.stderr)")
            try k.expectSameAsNft(text)
        }
    }

    /// In a set the rules fill at run time, an element the file applied before declared and
    /// the new one drops is deleted; one the rules added (here by `nft add element`, as
    /// `add @s` would) stays.
    @Test(.needsRoot) func aDeclaredElementDroppedFromASetTheRulesFillIsDeleted() throws {
        guard let k = AgainstNft("dropped dynamic element") else { return }
        let ns = k.ns
        func file(_ elements: String) -> String {
            "table ip t {\n\tset s { type ipv4_addr; flags dynamic; \(elements) }\n\tchain c { type filter hook input priority 0; add @s { ip saddr }; }\n}\n"
        }
        func apply(_ text: String) throws -> Shell.Result { try k.apply(text) }
        try #require(try apply(file("elements = { 10.0.0.1, 10.0.0.2 }")).status == 0)
        try #require(ns.exec(["nft", "add", "element", "ip", "t", "s", "{ 10.9.9.9 }"]).status == 0)
        let b = try apply(file("elements = { 10.0.0.2 }"))
        #expect(b.status == 0 && b.stdout.contains("verified"), "\(b.stdout)\(b.stderr)")
        let listed = ns.nftList()
        #expect(!listed.contains("10.0.0.1") && listed.contains("10.0.0.2") && listed.contains("10.9.9.9"), "\(listed)")
        let diff = k.nftctl(["diff", "--netns", ns.name, k.path])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        // A rollback of an apply that declared one more takes it out again.
        try #require(try apply(file("elements = { 10.0.0.2, 10.0.0.3 }")).status == 0)
        #expect(ns.nftList().contains("10.0.0.3"))
        let r = k.nftctl(["rollback", "--netns", ns.name])
        #expect(r.status == 0, "\(r.stderr)")
        let back = ns.nftList()
        #expect(!back.contains("10.0.0.3") && back.contains("10.0.0.2") && back.contains("10.9.9.9"), "\(back)")
        // After the rollback, what the rules added is still theirs: the snapshot declared nothing.
        let again = try apply(file("elements = { 10.0.0.2 }"))
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(ns.nftList().contains("10.9.9.9"), "a run-time element was taken for a declared one")
    }

    /// A flowtable renamed (the same devices): the new one cannot be added while the old
    /// one hooks them, nor the old one deleted before the rules naming it change, so the
    /// table is replaced whole. (This machine's kernel has no flowtables: planned only.)
    @Test func aFlowtableGivingWayToAnotherReplacesTheTable() throws {
        func state(_ name: String, handles: Bool) throws -> RulesetState {
            let h = handles ? #", "handle": 3"# : ""
            let items = [
                #"{"table": {"family": "inet", "name": "t"}}"#,
                #"{"flowtable": {"family": "inet", "table": "t", "name": "\#(name)", "hook": "ingress", "prio": 0, "dev": "lo"\#(h)}}"#
            ]
            return try RulesetState(
                document: Document.parse(#"{"nftables": ["# + items.joined(separator: ",") + "]}"), keepHandles: handles)
        }
        let plan = Planner.plan(desired: try state("f2", handles: false), live: try state("f1", handles: true))
        guard case .replace? = plan.tables.first?.mode else {
            Issue.record("not replaced whole: \(plan.tables.map(\.mode))")
            return
        }
        let same = Planner.plan(desired: try state("f1", handles: false), live: try state("f1", handles: true))
        #expect(same.isEmpty)
    }

    /// The order itself, for every kind of declaration a plan deletes.
    @Test func deletionsOfDeclarationsComeAfterEveryRuleCommand() throws {
        func state(_ items: [String], handles: Bool) throws -> RulesetState {
            let head = [
                #"{"table": {"family": "inet", "name": "t"}}"#,
                #"{"chain": {"family": "inet", "table": "t", "name": "c"}}"#
            ]
            let all = (head + items).joined(separator: ",")
            return try RulesetState(document: Document.parse(#"{"nftables": ["# + all + "]}"), keepHandles: handles)
        }
        func rule(_ expr: String, handle: Int) -> String {
            #"{"rule": {"family": "inet", "table": "t", "chain": "c", "handle": \#(handle), "expr": [\#(expr)]}}"#
        }
        func saddr(_ right: String) -> String {
            #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": %@}}"#.replacingOccurrences(
                of: "%@", with: right)
        }
        let live = try state(
            [
                #"{"counter": {"family": "inet", "table": "t", "name": "hits", "packets": 0, "bytes": 0}}"#,
                #"{"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr", "elem": ["10.0.0.1"]}}"#,
                #"{"chain": {"family": "inet", "table": "t", "name": "j"}}"#,
                rule(saddr(#""@s""#) + #", {"accept": null}"#, handle: 10),
                rule(saddr(#""10.0.0.2""#) + #", {"jump": {"target": "j"}}"#, handle: 11),
                rule(saddr(#""10.0.0.3""#) + #", {"counter": "hits"}, {"accept": null}"#, handle: 12)
            ], handles: true)
        let desired = try state(
            [
                rule(saddr(#""10.0.0.1""#) + #", {"accept": null}"#, handle: 0),
                rule(saddr(#""10.0.0.2""#) + #", {"drop": null}"#, handle: 0),
                rule(saddr(#""10.0.0.3""#) + #", {"accept": null}"#, handle: 0)
            ].map { $0.replacingOccurrences(of: #", "handle": 0"#, with: "") }, handles: false)
        let batch = PlanBatch.build(Planner.plan(desired: desired, live: live)).document
        func position(_ kind: String) -> Int? {
            batch.entries.firstIndex {
                guard case .command(let c) = $0, c.verb == .delete else { return false }
                return c.item.kindName == kind
            }
        }
        let ruleCommands = batch.entries.indices.filter {
            if case .command(let c) = batch.entries[$0], case .rule = c.item { return true }
            return false
        }
        #expect(ruleCommands.count == 3, "\(batch.entries)")
        let setAt = try #require(position("a set")), chainAt = try #require(position("a chain")),
            objectAt = try #require(position("a counter"))
        #expect(ruleCommands.allSatisfy { $0 < setAt }, "\(batch.entries)")
        #expect(setAt < chainAt && chainAt < objectAt, "\(batch.entries)")
    }
}
