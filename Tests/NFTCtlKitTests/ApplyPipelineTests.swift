import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The apply pipeline (plan → batch → commit → verify) against `FakeBackend`, without root:
/// each test compares whole listings, before and after.
@Suite struct ApplyPipelineTests {
    /// The fake keeps what it is given: the declaration is its own normal form.
    struct DeclaredForm: Normalizer {
        func normalize(_ input: LoadedInput) throws -> DesiredState {
            var written: [TableKey: WrittenTable] = [:]
            for t in input.state.tables { written[t.key] = WrittenTable(t) }
            return DesiredState(state: input.state, written: written)
        }
    }

    /// A backend in front of a fake: counts listings, and can let "another program"
    /// commit after the first listing, or change what a commit did.
    final class Wrapped: Backend, @unchecked Sendable {
        let fake: FakeBackend
        var lists = 0
        var afterFirstList: Document?
        var afterApply: Document?
        /// The batch is committed, then an error is reported (as libnftables may when it
        /// cannot take in the echo).
        var failAfterCommit = false
        init(_ fake: FakeBackend) { self.fake = fake }
        func list() throws -> Document {
            lists += 1
            let doc = try fake.list()
            if let b = afterFirstList { afterFirstList = nil; try fake.apply(b, dryRun: false) }
            return doc
        }
        func list(table family: String, name: String) throws -> Document {
            lists += 1
            return try fake.list(table: family, name: name)
        }
        func apply(_ batch: Document, dryRun: Bool) throws {
            try fake.apply(batch, dryRun: dryRun)
            if !dryRun, let b = afterApply { afterApply = nil; try fake.apply(b, dryRun: false) }
            if !dryRun, failAfterCommit { throw Problem("No buffer space available") }
        }
        func applyText(_ nft: String, dryRun: Bool) throws { try fake.applyText(nft, dryRun: dryRun) }
        func generationID() throws -> UInt32 { try fake.generationID() }
        func tableKeys() throws -> Set<TableKey> { try fake.tableKeys() }
        var keepsModel: Bool { true }
    }

    /// A batch creating table inet NAME with a base chain `input` holding `ports` (one
    /// `tcp dport P accept` rule each).
    static func tableJSON(_ name: String, ports: [Int]) -> String {
        var parts = [
            #"{"add": {"table": {"family": "inet", "name": "\#(name)"}}}"#,
            #"{"add": {"chain": {"family": "inet", "table": "\#(name)", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}"#
        ]
        for p in ports {
            parts.append(
                #"{"add": {"rule": {"family": "inet", "table": "\#(name)", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(p)}}, {"accept": null}]}}}"#
            )
        }
        return parts.joined(separator: ",\n")
    }

    static func input(_ parts: String...) throws -> LoadedInput {
        try InputLoader.loadJSON("rules.json", text: #"{"nftables": ["# + parts.joined(separator: ",\n") + "]}")
    }

    static func batch(_ parts: String...) throws -> Document {
        try Document.parse(#"{"nftables": ["# + parts.joined(separator: ",\n") + "]}")
    }

    /// What a fresh kernel holds after loading `parts` directly.
    static func expected(_ parts: String...) throws -> Document {
        let f = try FakeBackend()
        try f.apply(try Document.parse(#"{"nftables": ["# + parts.joined(separator: ",\n") + "]}"), dryRun: false)
        return try f.list()
    }

    static func rules(_ d: Document) -> [Rule] {
        d.items.compactMap {
            if case .rule(let r) = $0 { return r }; return nil
        }
    }

    /// Applies table inet t with `ports` (`tableJSON`), the declaration its own normal form.
    static func applied(_ ports: [Int], _ backend: Backend, _ store: StateStore? = nil) throws -> ApplyOperation.Report {
        try ApplyOperation.run(try input(tableJSON("t", ports: ports)), backend: backend, store: store, normalizer: DeclaredForm())
    }

    static func stateDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-pipeline-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return dir
    }

    @Test func aNewTableIsCreatedAsDeclared() throws {
        let fake = try FakeBackend()
        let report = try ApplyOperation.run(
            try Self.input(Self.tableJSON("t", ports: [22, 80, 443])), backend: fake, normalizer: DeclaredForm())
        #expect(report.applied)
        #expect(try fake.list() == Self.expected(Self.tableJSON("t", ports: [22, 80, 443])))
    }

    @Test func oneChangedRuleIsReplacedInPlaceAndTheOthersKeepTheirHandles() throws {
        let fake = try FakeBackend()
        _ = try ApplyOperation.run(try Self.input(Self.tableJSON("t", ports: [22, 80, 443])), backend: fake, normalizer: DeclaredForm())
        let before = try fake.list()
        let report = try ApplyOperation.run(
            try Self.input(Self.tableJSON("t", ports: [22, 8080, 443])), backend: fake, normalizer: DeclaredForm())
        #expect(report.applied)
        #expect(report.commands == 1)
        // The same listing with the middle rule's port changed: same handles, same order.
        var want = before
        for (i, e) in want.entries.enumerated() {
            guard case .item(.rule(var r)) = e, r.handle == Self.rules(before)[1].handle else { continue }
            r.expr = Self.rules(try Self.expected(Self.tableJSON("t", ports: [8080])))[0].expr
            want.entries[i] = .item(.rule(r))
        }
        #expect(try fake.list() == want)
    }

    @Test func nothingToChangeCommitsNothingAndTheNextApplyListsNothing() throws {
        let fake = try FakeBackend(), backend = Wrapped(fake)
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try Self.applied([22], backend, store)
        let before = try fake.list(), generation = try fake.generationID(), commits = fake.committedBatches.count
        backend.lists = 0
        let again = try Self.applied([22], backend, store)
        #expect(!again.applied)
        #expect(again.plan.isEmpty)
        // The verified listing of the first apply stands in for the kernel's: nobody committed since.
        #expect(backend.lists == 0)
        #expect(try fake.list() == before)
        #expect(try fake.generationID() == generation)
        #expect(fake.committedBatches.count == commits)
    }

    @Test func aWriterBetweenListingAndCommitMakesAStalePlanAndNothingOfOursIsCommitted() throws {
        let fake = try FakeBackend(), backend = Wrapped(fake)
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        try fake.apply(try Self.batch(Self.tableJSON("t", ports: [22])), dryRun: false)
        let foreign = Self.tableJSON("other", ports: [25])
        backend.afterFirstList = try Self.batch(foreign)
        #expect(throws: StalePlan.self) {
            try Self.applied([22, 80], backend, store)
        }
        #expect(try fake.list() == Self.expected(Self.tableJSON("t", ports: [22]), foreign))
        #expect(fake.committedBatches.count == 2)
        // No snapshot of an apply that committed nothing: `nftctl rollback` would take it for
        // the latest apply's and undo the other writer's commit.
        #expect(try store.snapshotIDs().isEmpty)
    }

    /// An error reported after the kernel committed (the generation id moved): the snapshot
    /// stays for `nftctl rollback`, and nothing says "nothing was changed".
    @Test func anErrorAfterTheKernelCommittedKeepsTheSnapshot() throws {
        let fake = try FakeBackend(), backend = Wrapped(fake)
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try Self.applied([22], backend, store)
        backend.failAfterCommit = true
        do {
            _ = try Self.applied([22, 80], backend, store)
            Issue.record("the error after the commit was not reported")
        } catch {
            #expect("\(error)".contains("may have been committed"), "\(error)")
            #expect(!"\(error)".contains("nothing was changed"))
        }
        #expect(try store.snapshotIDs().count == 2)
    }

    /// A rollback timer that cannot start: nothing is committed, and neither the snapshot
    /// nor the pending confirmation is left behind.
    @Test func aTimerThatCannotStartLeavesNoSnapshot() throws {
        let fake = try FakeBackend()
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        let confirm = ApplyOperation.Confirm(seconds: 30) { _ in throw Problem("no timer here") }
        #expect(throws: Problem.self) {
            try ApplyOperation.run(
                try Self.input(Self.tableJSON("t", ports: [22])), backend: fake, store: store, confirm: confirm,
                normalizer: DeclaredForm())
        }
        #expect(try fake.list().items.isEmpty)
        #expect(try store.snapshotIDs().isEmpty)
        #expect(try store.pending() == nil)
    }

    @Test func aKernelThatDoesNotHoldWhatWasAskedFailsVerification() throws {
        let fake = try FakeBackend(), backend = Wrapped(fake)
        // What "the kernel" does behind the batch: a rule of ours goes missing.
        backend.afterApply = try Self.batch(#"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": 3}}}"#)
        do {
            _ = try ApplyOperation.run(try Self.input(Self.tableJSON("t", ports: [22, 80])), backend: backend, normalizer: DeclaredForm())
            Issue.record("verification passed although the kernel lost a rule")
        } catch let failure as VerificationFailure {
            #expect(failure.plan.tables.flatMap(\.changes).count == 1)
            #expect(failure.description.contains("dport 22"))
        }
    }

    @Test func aDeclaredAttributeTheKernelDropsFailsVerificationAgainstTheDeclaration() throws {
        // A normaliser that shares the loss (as a scratch load through the same path would):
        // the plan alone sees nothing, the declaration still does.
        struct Lossy: Normalizer {
            func normalize(_ input: LoadedInput) throws -> DesiredState {
                var s = try DeclaredForm().normalize(input)
                for i in s.state.tables.indices { s.state.tables[i].table.value.comment = nil }
                return s
            }
        }
        let fake = try FakeBackend(), backend = Wrapped(fake)
        var declared = Self.tableJSON("t", ports: [22])
        declared = declared.replacingOccurrences(of: #""name": "t"}}}"#, with: #""name": "t", "comment": "edge"}}}"#)
        let input = try Self.input(declared)
        #expect(input.state.tables.first?.table.value.comment == "edge")
        // The fake keeps table comments; this kernel drops them, as 1.0.6's JSON path does.
        final class Dropping: Backend, @unchecked Sendable {
            let inner: Wrapped
            init(_ inner: Wrapped) { self.inner = inner }
            func list() throws -> Document { strip(try inner.list()) }
            func list(table family: String, name: String) throws -> Document { strip(try inner.list(table: family, name: name)) }
            func apply(_ batch: Document, dryRun: Bool) throws { try inner.apply(batch, dryRun: dryRun) }
            func applyText(_ nft: String, dryRun: Bool) throws { try inner.applyText(nft, dryRun: dryRun) }
            func generationID() throws -> UInt32 { try inner.generationID() }
            var keepsModel: Bool { true }
            func strip(_ d: Document) -> Document {
                Document(
                    d.entries.map { e in
                        if case .item(.table(var t)) = e { t.comment = nil; return .item(.table(t)) }
                        return e
                    })
            }
        }
        #expect(throws: DeclarationMismatch.self) {
            try ApplyOperation.run(input, backend: Dropping(backend), normalizer: Lossy())
        }
        // Applied again the plan is empty (the loss is shared): the declaration still decides,
        // and nothing is recorded as up to date.
        do {
            _ = try ApplyOperation.run(input, backend: Dropping(backend), normalizer: Lossy())
            Issue.record("an empty plan passed although the kernel lacks the declared comment")
        } catch let mismatch as DeclarationMismatch {
            #expect(!mismatch.applied)
            #expect(mismatch.description.contains("nothing was changed"))
        }
    }

    @Test func replaceSwapsTheTableWholeInOneBatch() throws {
        let fake = try FakeBackend()
        _ = try ApplyOperation.run(try Self.input(Self.tableJSON("t", ports: [22, 80])), backend: fake, normalizer: DeclaredForm())
        try fake.apply(
            try Self.batch(#"{"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [{"drop": null}]}}}"#),
            dryRun: false)
        let report = try ApplyOperation.run(
            try Self.input(Self.tableJSON("t", ports: [22, 81])), backend: fake, mode: .replace,
            normalizer: DeclaredForm())
        #expect(report.applied)
        // One batch that deletes the table and creates it again: the rule added behind
        // nftctl's back is gone, and the kernel holds what a fresh load holds, rule and
        // chain handles too (the table's own handle is counted across tables).
        let swap = try #require(fake.committedBatches.last)
        #expect(
            swap.entries.prefix(2).map { $0.json.serialized() }
                == [
                    #"{"add": {"table": {"family": "inet", "name": "t"}}}"#, #"{"delete": {"table": {"family": "inet", "name": "t"}}}"#
                ].map { try! JSON.parse($0).serialized() })
        func tableHandleless(_ d: Document) -> [RulesetItem] {
            d.items.map {
                if case .table(var t) = $0 { t.handle = nil; return .table(t) }; return $0
            }
        }
        let after = tableHandleless(try fake.list()), fresh = tableHandleless(try Self.expected(Self.tableJSON("t", ports: [22, 81])))
        #expect(after == fresh)
    }

    @Test func pruneDeletesAManagedTableNoLongerDeclaredAndNothingElse() throws {
        let fake = try FakeBackend()
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        try fake.apply(try Self.batch(Self.tableJSON("foreign", ports: [25])), dryRun: false)
        _ = try ApplyOperation.run(
            try Self.input(Self.tableJSON("a", ports: [22]), Self.tableJSON("b", ports: [80])),
            backend: fake, store: store, normalizer: DeclaredForm())
        let report = try ApplyOperation.run(
            try Self.input(Self.tableJSON("a", ports: [22])), backend: fake, store: store, prune: true,
            normalizer: DeclaredForm())
        #expect(report.applied)
        func bare(_ d: Document) -> [RulesetItem] { d.items.map { $0.normalizedForComparison() } }
        #expect(bare(try fake.list()) == bare(try Self.expected(Self.tableJSON("foreign", ports: [25]), Self.tableJSON("a", ports: [22]))))
        #expect(try store.managedTables() == [TableKey(family: "inet", name: "a")])
    }

    @Test func aRememberedListingIsUsedOnlyForTheTablesItCovers() throws {
        let fake = try FakeBackend(), backend = Wrapped(fake)
        let store = StateStore(root: try Self.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        // Table c exists before nftctl is told about it; the verified listing of table a does not show it.
        try fake.apply(try Self.batch(Self.tableJSON("c", ports: [53])), dryRun: false)
        _ = try ApplyOperation.run(
            try Self.input(Self.tableJSON("a", ports: [22])), backend: backend, store: store, normalizer: DeclaredForm())
        let before = try fake.list()
        backend.lists = 0
        let report = try ApplyOperation.run(
            try Self.input(Self.tableJSON("a", ports: [22]), Self.tableJSON("c", ports: [53])),
            backend: backend, store: store, normalizer: DeclaredForm())
        // Planned from a fresh listing, which shows c as it is: nothing to do.
        #expect(backend.lists >= 1)
        #expect(report.plan.isEmpty)
        #expect(try fake.list() == before)
    }

    @Test func maskedRuleTextIgnoresCountersUseAndExpiryOnly() {
        #expect(ListingRepair.sameRule("tcp dport 22 counter packets 3 bytes 180 accept", "tcp dport 22 counter packets 0 bytes 0 accept"))
        #expect(ListingRepair.sameRule("quota 10 mbytes used 2 mbytes drop", "quota 10 mbytes used 7 mbytes drop"))
        #expect(ListingRepair.sameRule("add @s { ip saddr timeout 1m expires 59s }", "add @s { ip saddr timeout 1m expires 1m }"))
        #expect(
            !ListingRepair.sameRule("tcp dport 22 counter packets 3 bytes 180 accept", "tcp dport 23 counter packets 3 bytes 180 accept"))
        #expect(!ListingRepair.sameRule("tcp dport 22 accept", "tcp dport 22 drop"))
        #expect(ListingRepair.masked("counter packets 12 bytes 34 accept") == "counter  accept")
    }
}
