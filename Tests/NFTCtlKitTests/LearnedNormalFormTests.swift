import Foundation
import NFTAnalysis
import Synchronization
import Testing

@testable import NFTCtlKit

/// A new table's normal form read from the kernel after the commit (`LearnedNormalForm`):
/// used only when the listing shows our commit alone and lines up with the declaration,
/// remembered only when nothing in it has counted; anything else goes to the scratch
/// namespace and is verified as before.
@Suite(.serialized) struct LearnedNormalFormTests {
    typealias Pipeline = ApplyPipelineTests

    /// Leaves learnable tables as written (as a cold cache does); as the declared form
    /// otherwise, counting each call and keeping what it is told to remember.
    final class Learning: Normalizer, @unchecked Sendable {
        let calls = Mutex((normalize: 0, remembered: [RulesetState]()))
        func normalize(_ input: LoadedInput) throws -> DesiredState { try normalize(input, learnable: []) }
        func normalize(_ input: LoadedInput, learnable: Set<TableKey>) throws -> DesiredState {
            calls.withLock { $0.normalize += 1 }
            var desired = try Pipeline.DeclaredForm().normalize(input)
            desired.learning = learnable
            return desired
        }
        func remember(_ input: LoadedInput, normalForms: RulesetState) { calls.withLock { $0.remembered.append(normalForms) } }
    }

    @Test func aNewTableIsVerifiedFromItsListingAndItsNormalFormRemembered() throws {
        let fake = try FakeBackend(), normalizer = Learning()
        let input = try Pipeline.input(Pipeline.tableJSON("t", ports: [22, 80, 443]))
        let report = try ApplyOperation.run(input, backend: fake, normalizer: normalizer)
        #expect(report.applied)
        #expect(try fake.list() == Pipeline.expected(Pipeline.tableJSON("t", ports: [22, 80, 443])))
        let calls = normalizer.calls.withLock { $0 }
        #expect(calls.normalize == 1)  // no second pass through the scratch namespace
        #expect(calls.remembered.count == 1)
        #expect(calls.remembered.first?.tables.map(\.key) == [TableKey(family: "inet", name: "t")])
        // In the declared order, with the declaration's locations.
        let rules = calls.remembered.first?.tables.first?.rules ?? []
        #expect(rules.count == 3)
        #expect(rules.map(\.location) == input.state.tables[0].rules.map(\.location))
        #expect(rules.allSatisfy { $0.location != nil })
    }

    @Test func aTableThatAlreadyExistsIsNotLearnt() throws {
        let fake = try FakeBackend(), normalizer = Learning()
        _ = try ApplyOperation.run(try Pipeline.input(Pipeline.tableJSON("t", ports: [22])), backend: fake, normalizer: normalizer)
        let report = try ApplyOperation.run(
            try Pipeline.input(Pipeline.tableJSON("t", ports: [22, 80])), backend: fake, normalizer: normalizer)
        #expect(report.applied)
        #expect(normalizer.calls.withLock { $0.remembered.count } == 1)  // the first apply's only
    }

    @Test func anotherCommitAfterOursSendsTheNewTableThroughTheScratchNamespace() throws {
        let fake = try FakeBackend(), backend = Pipeline.Wrapped(fake), normalizer = Learning()
        // Another program creates a table of its own right after our commit.
        backend.afterApply = try Pipeline.batch(#"{"add": {"table": {"family": "ip", "name": "other"}}}"#)
        let report = try ApplyOperation.run(
            try Pipeline.input(Pipeline.tableJSON("t", ports: [22, 80])), backend: backend, normalizer: normalizer)
        #expect(report.applied)
        let calls = normalizer.calls.withLock { $0 }
        #expect(calls.normalize == 2)
        #expect(calls.remembered.isEmpty)
    }

    @Test func aRuleAnotherProgramAddsToTheNewTableIsNeverLearntAsOurs() throws {
        let fake = try FakeBackend(), backend = Pipeline.Wrapped(fake), normalizer = Learning()
        backend.afterApply = try Pipeline.batch(Pipeline.tableJSON("t", ports: [9999]))
        do {
            _ = try ApplyOperation.run(
                try Pipeline.input(Pipeline.tableJSON("t", ports: [22, 80])), backend: backend, normalizer: normalizer)
            Issue.record("verification passed although another program added a rule to the new table")
        } catch let failure as AfterCommitFailure {
            #expect("\(failure.cause)".contains("9999") || (failure.cause as? VerificationFailure) != nil)
        } catch let failure as VerificationFailure {
            #expect(failure.plan.tables.flatMap(\.changes).count == 1)
        }
        #expect(normalizer.calls.withLock { $0.remembered.isEmpty })
    }

    // MARK: lining up

    static func table(_ json: String) throws -> TableContents { try Pipeline.input(json).state.tables[0] }

    @Test func aListingWithMoreOrFewerRulesInAChainDoesNotLineUp() throws {
        let declared = try Self.table(Pipeline.tableJSON("t", ports: [22, 80]))
        #expect(LearnedNormalForm.table(declared, live: try Self.table(Pipeline.tableJSON("t", ports: [22, 80]))) != nil)
        #expect(LearnedNormalForm.table(declared, live: try Self.table(Pipeline.tableJSON("t", ports: [22]))) == nil)
        #expect(LearnedNormalForm.table(declared, live: try Self.table(Pipeline.tableJSON("t", ports: [22, 80, 443]))) == nil)
    }

    @Test func aListingWithOtherChainsOrSetsDoesNotLineUp() throws {
        let base = Pipeline.tableJSON("t", ports: [22])
        let declared = try Self.table(base)
        let extraChain = base + #", {"add": {"chain": {"family": "inet", "table": "t", "name": "more"}}}"#
        let extraSet = base + #", {"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr"}}}"#
        #expect(LearnedNormalForm.table(declared, live: try Self.table(extraChain)) == nil)
        #expect(LearnedNormalForm.table(declared, live: try Self.table(extraSet)) == nil)
        #expect(LearnedNormalForm.table(try Self.table(extraSet), live: declared) == nil)
    }

    /// What a listing prints as the live namespace has it then (an interface by its index, a
    /// cgroup by its id) is never learnt from it; an interface by its name is.
    @Test(arguments: [
        (#"{"match": {"op": "==", "left": {"meta": {"key": "iif"}}, "right": "v0"}}"#, true),
        (#"{"match": {"op": "==", "left": {"meta": {"key": "oif"}}, "right": "v0"}}"#, true),
        (#"{"match": {"op": "==", "left": {"meta": {"key": "sdif"}}, "right": "v0"}}"#, true),
        (#"{"match": {"op": "==", "left": {"fib": {"result": "oif", "flags": ["daddr"]}}, "right": "v0"}}"#, true),
        (#"{"match": {"op": "==", "left": {"socket": {"key": "cgroupv2", "level": 1}}, "right": "user.slice"}}"#, true),
        (#"{"dup": {"addr": "10.0.0.1", "dev": "v0"}}"#, true),
        (#"{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "v0"}}"#, false),
        (#"{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}}"#, false)
    ])
    func whatTheNamespaceResolvesIsNeverLearnt(statement: String, resolved: Bool) throws {
        let rule =
            #"{"add": {"rule": {"family": "ip", "table": "t", "chain": "input", "expr": [\#(statement), {"accept": null}]}}}"#
        let json =
            #"{"add": {"table": {"family": "ip", "name": "t"}}}, {"add": {"chain": {"family": "ip", "table": "t", "name": "input"}}}, "#
            + rule
        #expect(LearnedNormalForm.dependsOnTheNamespace(try Self.table(json)) == resolved)
    }

    @Test func aSetOfInterfaceIndexesIsNeverLearnt() throws {
        let head = #"{"add": {"table": {"family": "inet", "name": "t"}}}, "#
        let byType = head + #"{"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "iface_index"}}}"#
        let inConcat = head + #"{"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": ["iface_index", "ipv4_addr"]}}}"#
        let names = head + #"{"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ifname"}}}"#
        #expect(LearnedNormalForm.dependsOnTheNamespace(try Self.table(byType)))
        #expect(LearnedNormalForm.dependsOnTheNamespace(try Self.table(inConcat)))
        #expect(!LearnedNormalForm.dependsOnTheNamespace(try Self.table(names)))
    }

    // MARK: the cache

    @Test func whatHasCountedIsNotRememberedAndTheRestIsServedWithoutTheKernel() throws {
        let (cache, root) = try NormalFormCacheTests.cache()
        defer { try? FileManager.default.removeItem(at: root) }
        let text = NormalFormCacheTests.document([NormalFormCacheTests.rule(22), NormalFormCacheTests.rule(80)])
        let input = try NormalFormCacheTests.input(text)
        let key = input.state.tables[0].key
        // Cold: left as written, to be learnt.
        let cold = try cache.normalize(input, learnable: [key])
        #expect(cold.learning == [key])
        #expect(cold.state.tables[0].rules.map(\.value) == input.state.tables[0].rules.map(\.value))

        // The kernel's normal form as a listing would give it, rule 80 having counted.
        var normal = input.state
        normal.tables[0].rules[1].value.expr?.append(.counter(packets: 3, bytes: 180))
        cache.remember(input, normalForms: normal)
        let lines = NormalFormCacheTests.lines(NormalFormCacheTests.recordsFile(cache, input))
        #expect(lines.count == 2)  // the declarations and rule 22, not rule 80

        // Rule 80 is still unknown: the table is learnt again, not served half from the cache.
        #expect(try cache.normalize(input, learnable: [key]).learning == [key])
        normal.tables[0].rules[1].value.expr?.removeLast()
        cache.remember(input, normalForms: normal)
        // Everything known: from the cache, with no kernel and nothing left to learn.
        let warm = try cache.normalize(input, learnable: [key])
        #expect(warm.learning.isEmpty)
        #expect(warm.state.tables[0].rules.map(\.value) == input.state.tables[0].rules.map(\.value))
    }

    @Test func countedValuesAreSeenWhereverAListingHoldsThem() {
        #expect(!Counted.any(Statement.counter(packets: 0, bytes: 0)))
        #expect(!Counted.any(Statement.counter(packets: nil, bytes: nil)))
        #expect(Counted.any(Statement.counter(packets: 0, bytes: 60)))
        #expect(Counted.any(Statement.quota(Quota(val: 10, used: 5))))
        #expect(Counted.any(Statement.last(used: 1200)))
        #expect(!Counted.any(Statement.last(used: nil)))
        let el = SetElement(val: .number(1), statements: [.counter(packets: 1, bytes: 60)])
        #expect(Counted.any(Expression.elem(el)))
        #expect(Counted.any(Expression.list([.elem(el), .string("accept")])))
        #expect(Counted.any(NamedObject(family: "inet", table: "t", name: "c", body: .counter(packets: 2, bytes: 100))))
        #expect(!Counted.any(NamedObject(family: "inet", table: "t", name: "c", body: .counter(packets: 0, bytes: 0))))
    }

    // MARK: on this kernel

    /// Rules and declarations the kernel lists otherwise than written (an unsorted anonymous
    /// set, a range that is a prefix, a host in an interval set), and what counts.
    static let kernelJSON = #"""
        {"nftables": [
        {"add": {"table": {"family": "inet", "name": "learnt", "comment": "new"}}},
        {"add": {"counter": {"family": "inet", "table": "learnt", "name": "seen"}}},
        {"add": {"quota": {"family": "inet", "table": "learnt", "name": "cap", "bytes": 1000000}}},
        {"add": {"set": {"family": "inet", "table": "learnt", "name": "nets", "type": "ipv4_addr", "flags": ["interval"],
          "elem": [{"range": ["10.0.0.0", "10.255.255.255"]}, "192.168.1.7"]}}},
        {"add": {"chain": {"family": "inet", "table": "learnt", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
        {"add": {"chain": {"family": "inet", "table": "learnt", "name": "side"}}},
        {"add": {"rule": {"family": "inet", "table": "learnt", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [443, 22, 80]}}}, {"counter": null}, {"accept": null}]}}},
        {"add": {"rule": {"family": "inet", "table": "learnt", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@nets"}}, {"counter": "seen"}, {"jump": {"target": "side"}}]}}},
        {"add": {"rule": {"family": "inet", "table": "learnt", "chain": "side", "expr": [{"quota": "cap"}, {"drop": null}], "comment": "over"}}}
        ]}
        """#

    /// `kernelJSON` in nft syntax.
    static let kernelText = """
        table inet learnt {
            comment "new"
            counter seen {}
            quota cap { 1000000 bytes }
            set nets { type ipv4_addr; flags interval; elements = { 10.0.0.0-10.255.255.255, 192.168.1.7 } }
            chain input {
                type filter hook input priority 0; policy accept;
                tcp dport { 443, 22, 80 } counter accept
                ip saddr @nets counter name "seen" jump side
            }
            chain side { quota name "cap" drop comment "over"; }
        }
        """

    @Test(.needsRoot) func aNewTableLearntAfterTheCommitHasTheScratchNamespacesNormalForm() throws {
        guard let ns = TestNamespace.make("learned normal form"), let reference = TestNamespace.make("nft -f reference") else { return }
        let cache = try BigSetTests.temporaryDirectory(), state = try BigSetTests.temporaryDirectory()
        let files = try BigSetTests.temporaryDirectory()
        defer { for d in [cache, state, files] { try? FileManager.default.removeItem(atPath: d) } }
        let file = files + "/learnt.json"
        try Self.kernelJSON.write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["NFTCTL_CACHE": cache, "NFTCTL_TIMING": "1"]

        let first = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("new tables learnt after the commit"))
        #expect(!first.stderr.contains("scratch namespace ("))
        // The kernel holds what nft itself makes of the same ruleset (`nft -j -f` would drop
        // the table's comment).
        #expect(reference.nftLoad(Self.kernelText).status == 0)
        #expect(ns.nftList() == reference.nftList())

        // What was learnt is what the scratch namespace gives, and is served from the cache now.
        let input = try InputLoader.load(file)
        let served = try NormalizationCache(directory: URL(fileURLWithPath: cache + "/normal")).normalize(input, learnable: [])
        #expect(served.learning.isEmpty)
        let scratch = try NormalizationCache(directory: URL(fileURLWithPath: files + "/unused")).full(input)
        #expect(NormalFormCacheTests.same(served, scratch))

        // Applied again to a host without the table: from the cache, no scratch namespace.
        #expect(ns.exec(["nft", "delete", "table", "inet", "learnt"]).status == 0)
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], state, env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("every rule from the cache"))
        #expect(ns.nftList() == reference.nftList())
    }
}
