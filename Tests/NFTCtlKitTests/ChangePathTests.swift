import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The change path without listings (issue 13): a rule-only change is verified from the
/// kernel's echo and the generation id, the snapshot comes from the listing at the same
/// generation when nothing a rollback needs can have changed, and any break in that chain
/// of evidence falls back to listing the kernel.
@Suite struct ChangePathTests {
    typealias P = ApplyPipelineTests

    /// A fake that counts listings, gives the echo, and can let another program commit
    /// just before our commit (after the stale-plan check), or make the kernel hold or
    /// echo something other than what was sent.
    final class Echoing: Backend, @unchecked Sendable {
        let fake: FakeBackend
        var lists = 0
        var foreignBeforeCommit: Document?
        var sentInstead: ((Document) -> Document)?
        var echoInstead: ((Document) -> Document)?
        init(_ fake: FakeBackend) { self.fake = fake }
        func list() throws -> Document {
            lists += 1
            return try fake.list()
        }
        func list(table family: String, name: String) throws -> Document {
            lists += 1
            return try fake.list(table: family, name: name)
        }
        func apply(_ batch: Document, dryRun: Bool) throws { try fake.apply(batch, dryRun: dryRun) }
        func applyText(_ nft: String, dryRun: Bool) throws { try fake.applyText(nft, dryRun: dryRun) }
        func applyEchoed(_ batch: Document) throws -> Document? {
            if let f = foreignBeforeCommit { foreignBeforeCommit = nil; try fake.apply(f, dryRun: false) }
            let echo = try fake.applyEchoed(sentInstead.map { $0(batch) } ?? batch)
            return echo.map { echoInstead?($0) ?? $0 }
        }
        func generationID() throws -> UInt32 { try fake.generationID() }
        func tableKeys() throws -> Set<TableKey> { try fake.tableKeys() }
        var keepsModel: Bool { true }
    }

    /// `doc` with every `tcp dport FROM` made `tcp dport TO`.
    static func port(_ from: Int64, _ to: Int64, in doc: Document) -> Document {
        Document(
            doc.entries.map { e in
                guard case .command(var c) = e, case .rule(var r) = c.item else { return e }
                r.expr = r.expr?.map { s in
                    if case .match(let l, let op, .number(from)) = s { return .match(left: l, op: op, right: .number(to)) }
                    return s
                }
                c.item = .rule(r)
                return .command(c)
            })
    }

    @Test func aRuleChangeIsVerifiedFromTheEchoWithoutAnyListing() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try P.applied([22, 80, 443], backend, store)
        backend.lists = 0
        // One replaced, one inserted before 443, one deleted: each kind of rule command.
        let report = try P.applied([22, 8080, 25, 443], backend, store)
        #expect(report.applied)
        #expect(backend.lists == 0)
        #expect(P.rules(try fake.list()).map(\.expr) == P.rules(try P.expected(P.tableJSON("t", ports: [22, 8080, 25, 443]))).map(\.expr))
        // What was derived is what the kernel holds, handles included: the next plan starts from it.
        let remembered = try #require(
            store.rememberedListing(generation: try fake.generationID(), netns: nil, covering: [TableKey(family: "inet", name: "t")]))
        #expect(P.rules(remembered.document) == P.rules(try fake.list()))
        // The snapshot is the state before, from the listing at that generation.
        let snapshot = try #require(report.snapshot)
        #expect(P.rules(snapshot.listing).map(\.expr) == P.rules(try P.expected(P.tableJSON("t", ports: [22, 80, 443]))).map(\.expr))
    }

    /// Another program commits between our stale-plan check and our commit, changing our
    /// table: the echo alone would look right, the generation id (G+2) says it is not the
    /// whole story, and the listing finds the difference.
    @Test func aCommitBetweenThePlanAndOurCommitIsCaughtByTheListing() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try P.applied([22, 80], backend, store)
        let first = try #require(P.rules(try fake.list()).first?.handle)
        backend.foreignBeforeCommit = try P.batch(
            #"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": \#(first)}}}"#)
        backend.lists = 0
        do {
            _ = try P.applied([22, 8080], backend, store)
            Issue.record("the apply was taken as verified")
        } catch let e as AfterCommitFailure {
            #expect(e.cause is VerificationFailure)
        }
        // Planned from the remembered listing: the listings are the verifying one and the rollback's.
        #expect(backend.lists >= 1)
    }

    /// The kernel holds (and echoes) something other than what was declared.
    @Test func aKernelResultThatDiffersFromTheDeclarationFailsVerification() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        _ = try ApplyOperation.run(try P.input(P.tableJSON("t", ports: [22, 80])), backend: backend, normalizer: P.DeclaredForm())
        backend.sentInstead = { Self.port(8080, 8081, in: $0) }
        #expect(throws: VerificationFailure.self) {
            try ApplyOperation.run(try P.input(P.tableJSON("t", ports: [22, 8080])), backend: backend, normalizer: P.DeclaredForm())
        }
    }

    /// An echo that does not match is not taken as a failure either: the listing decides.
    @Test func anEchoThatDoesNotMatchIsCheckedByListing() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try P.applied([22, 80], backend, store)
        backend.echoInstead = { Self.port(8080, 8081, in: $0) }
        backend.lists = 0
        let report = try P.applied([22, 8080], backend, store)
        #expect(report.applied)
        #expect(backend.lists == 1)
    }

    /// The snapshot of a change planned from the remembered listing of exactly its tables is
    /// that listing's file, copied rather than serialised again; read back, it holds the
    /// tables as they were before the change.
    @Test func theSnapshotIsTheRememberedListingsFileAsItWas() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        _ = try P.applied([22, 80], backend, store)
        let remembered = try #require(FileManager.default.contents(atPath: store.lastListingFile.path))
        let before = try fake.list()
        let report = try P.applied([22, 8080], backend, store)
        #expect(report.applied)
        let snapshot = try #require(report.snapshot)
        #expect(FileManager.default.contents(atPath: store.snapshotFile(snapshot.id).path) == remembered)
        #expect(P.rules(try store.snapshot(snapshot.id).listing) == P.rules(before))
        #expect(P.rules(snapshot.listing) == P.rules(before))
        // Rolled back from that file, the kernel holds the rules before the change again.
        try Rollback.restore(try store.snapshot(snapshot.id), backend: backend)
        #expect(P.rules(try fake.list()).map(\.expr) == P.rules(before).map(\.expr))
    }

    /// The remembered listing counts only where it holds: at the generation it names, in
    /// this namespace and boot, for its tables; another namespace's is not read past its header.
    @Test func aRememberedListingHoldsOnlyAtItsGenerationForItsTables() throws {
        let fake = try FakeBackend()
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        try fake.apply(try P.batch(P.tableJSON("t", ports: [22])), dryRun: false)
        let t = TableKey(family: "inet", name: "t"), u = TableKey(family: "inet", name: "u")
        store.rememberListing(try fake.list(), generation: 7, netns: nil, tables: [t])
        let read = try #require(store.readRememberedListing(netns: nil))
        // Another namespace's is not read past its header.
        #expect(store.readRememberedListing(netns: "nftctl-no-such-namespace") == nil)
        #expect(StateStore.split(read.bytes)?.header["generation"]?.intValue == 7)
        #expect(P.rules(read.document) == P.rules(try fake.list()))
        #expect(read.holds(generation: 7, netns: nil, covering: [t]))
        #expect(!read.holds(generation: 8, netns: nil, covering: [t]))
        #expect(!read.holds(generation: 7, netns: nil, covering: [t, u]))
        #expect(!read.holds(generation: 7, netns: "nftctl-no-such-namespace", covering: [t]))
        #expect(store.rememberedListing(generation: 8, netns: nil, covering: [t]) == nil)
        // Asked for at a generation: another's is not parsed past its header.
        let here = StateStore.namespaceIdentity(nil)
        #expect(store.readRememberedListing(namespace: here, generation: 8) == nil)
        #expect(store.readRememberedListing(namespace: here, generation: 7)?.document.entries.count == read.document.entries.count)
        // What `apply` reads before the file to decide on warming libnftables' cache: the
        // header alone, at the generation, in this namespace, with no table that changes
        // without a commit.
        #expect(store.remembersListing(generation: 7, netns: nil))
        #expect(!store.remembersListing(generation: 8, netns: nil))
        #expect(!store.remembersListing(generation: 7, netns: "nftctl-no-such-namespace"))
        store.rememberListing(try fake.list(), generation: 7, netns: nil, tables: [t], volatile: [t])
        #expect(!store.remembersListing(generation: 7, netns: nil))
    }

    /// Counts gathered since the remembered listing: the snapshot takes the replaced rule's
    /// from the echo, as the commit found them, without listing.
    @Test func aReplacedRulesCountsComeFromTheEcho() throws {
        let counted =
            #"{"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": PORT}}, {"counter": {"packets": N, "bytes": B}}, {"accept": null}]}}}"#
        func table(_ port: Int, _ n: Int) -> String {
            P.tableJSON("t", ports: []) + ",\n"
                + counted.replacingOccurrences(of: "PORT", with: "\(port)").replacingOccurrences(of: "N", with: "\(n)")
                .replacingOccurrences(of: "B", with: "\(n * 60)")
        }
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        try fake.apply(try P.batch(table(22, 7)), dryRun: false)
        // nftctl's listing at this generation, taken before those 7 packets were counted.
        let listed = try Document.parse(
            try fake.list().json.serialized().replacingOccurrences(of: #""packets":7,"bytes":420"#, with: #""packets":0,"bytes":0"#))
        #expect(P.rules(listed).first?.statements.contains(.counter(packets: 0, bytes: 0)) == true)
        store.rememberListing(listed, generation: try fake.generationID(), netns: nil)
        backend.lists = 0
        let report = try ApplyOperation.run(try P.input(table(2222, 0)), backend: backend, store: store, normalizer: P.DeclaredForm())
        #expect(report.applied)
        #expect(backend.lists == 0)
        let snapshot = try #require(report.snapshot)
        let saved = try store.snapshot(snapshot.id)
        for s in [snapshot, saved] {
            #expect(P.rules(s.listing).first?.statements.contains(.counter(packets: 7, bytes: 420)) == true)
        }
        // Kept beside the snapshot (not written into it again), and gone with it.
        #expect(FileManager.default.fileExists(atPath: store.countsFile(snapshot.id).path))
        store.removeSnapshot(snapshot.id)
        #expect(!FileManager.default.fileExists(atPath: store.countsFile(snapshot.id).path))
    }

    /// A set the packet path adds to: a listing at the same generation may lack elements
    /// added since, so the snapshot is listed.
    @Test func aSetThatChangesAtRunTimeIsListedForTheSnapshot() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        let set = #"{"add": {"set": {"family": "inet", "table": "t", "name": "seen", "type": "ipv4_addr", "flags": ["dynamic"]}}}"#
        _ = try ApplyOperation.run(
            try P.input(P.tableJSON("t", ports: [22, 80]), set), backend: backend, store: store, normalizer: P.DeclaredForm())
        backend.lists = 0
        _ = try ApplyOperation.run(
            try P.input(P.tableJSON("t", ports: [22, 8080]), set), backend: backend, store: store, normalizer: P.DeclaredForm())
        #expect(backend.lists == 1)
    }

    /// `nftctl diff` after nftctl's own apply plans from the remembered listing while nobody
    /// has committed, and lists the kernel once someone has.
    @Test func diffPlansFromTheRememberedListingUntilSomeoneCommits() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        let file = store.root.appendingPathComponent("rules.json").path
        try (#"{"nftables": ["# + P.tableJSON("t", ports: [22, 80]) + "]}").write(toFile: file, atomically: true, encoding: .utf8)
        _ = try ApplyOperation.run(try InputLoader.load(file), backend: backend, store: store, normalizer: P.DeclaredForm())
        backend.lists = 0
        let same = try DiffOperation.plan(file, against: nil, store: store, normalizer: P.DeclaredForm(), live: { backend })
        #expect(same.plan.isEmpty)
        #expect(backend.lists == 0)
        try fake.apply(
            try P.batch(#"{"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [{"drop": null}]}}}"#), dryRun: false)
        let after = try DiffOperation.plan(file, against: nil, store: store, normalizer: P.DeclaredForm(), live: { backend })
        #expect(!after.plan.isEmpty)
        #expect(backend.lists == 1)
    }

    /// The listing is read while the file loads, so which tables it must cover is known only
    /// after: a file declaring a table the remembered listing does not cover lists the kernel.
    @Test func diffOfAFileDeclaringATableTheRememberedListingDoesNotCoverListsTheKernel() throws {
        let fake = try FakeBackend(), backend = Echoing(fake)
        let store = StateStore(root: try P.stateDir(), netns: nil)
        defer { try? FileManager.default.removeItem(at: store.root) }
        let file = store.root.appendingPathComponent("rules.json").path
        try (#"{"nftables": ["# + P.tableJSON("t", ports: [22]) + "]}").write(toFile: file, atomically: true, encoding: .utf8)
        // Another program's table, there before the apply: the verified listing covers t only.
        try fake.apply(try P.batch(P.tableJSON("u", ports: [25])), dryRun: false)
        _ = try ApplyOperation.run(try InputLoader.load(file), backend: backend, store: store, normalizer: P.DeclaredForm())
        #expect(
            store.rememberedListing(generation: try fake.generationID(), netns: nil, covering: [TableKey(family: "inet", name: "t")]) != nil
        )
        let both = store.root.appendingPathComponent("both.json").path
        try (#"{"nftables": ["# + P.tableJSON("t", ports: [22]) + ", " + P.tableJSON("u", ports: [25]) + "]}").write(
            toFile: both, atomically: true, encoding: .utf8)
        backend.lists = 0
        let diff = try DiffOperation.plan(both, against: nil, store: store, normalizer: P.DeclaredForm(), live: { backend })
        #expect(backend.lists == 1)
        #expect(diff.plan.isEmpty)  // u is there as declared: seen only in the kernel's listing
    }

    @Test func derivationFollowsEachRuleCommandAndRefusesOthers() throws {
        let fake = try FakeBackend()
        try fake.apply(try P.batch(P.tableJSON("t", ports: [1, 2, 3])), dryRun: false)
        let before = try fake.list()
        let h = P.rules(before).compactMap(\.handle)
        let rule = { (p: Int, verb: String, handle: Int64?) in
            #"{"\#(verb)": {"rule": {"family": "inet", "table": "t", "chain": "input", "#
                + (handle.map { #""handle": \#($0), "# } ?? "")
                + #""expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(p)}}, {"accept": null}]}}}"#
        }
        let batch = try P.batch(
            #"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": \#(h[0])}}}"#,
            rule(20, "replace", h[1]), rule(25, "insert", h[2]), rule(40, "add", nil))
        let echo = try #require(try fake.applyEchoed(batch))
        let derived = try #require(EchoedListing.derive(before: before, batch: batch, echo: echo))
        #expect(P.rules(derived.document) == P.rules(try fake.list()))
        // An echo one rule short, or a batch with a chain in it, is not followed.
        #expect(EchoedListing.derive(before: before, batch: batch, echo: Document(Array(echo.entries.dropLast()))) == nil)
        #expect(!EchoedListing.applies(to: try P.batch(P.tableJSON("u", ports: [1]))))
    }

    /// A listing derived from the remembered one is written with the entries that did not
    /// change copied from that file: the bytes serialising it whole would give, read back
    /// to the rules the kernel holds.
    @Test func aDerivedListingIsWrittenAsSerialisingItWouldBe() throws {
        let fake = try FakeBackend()
        try fake.apply(try P.batch(P.tableJSON("t", ports: [1, 2, 3]), P.tableJSON("u", ports: [9])), dryRun: false)
        let copied = StateStore(root: try P.stateDir(), netns: nil), serialised = StateStore(root: try P.stateDir(), netns: nil)
        defer { for s in [copied, serialised] { try? FileManager.default.removeItem(at: s.root) } }
        let t = TableKey(family: "inet", name: "t")
        copied.rememberListing(try fake.list(), generation: 1, netns: nil)
        let remembered = try #require(copied.readRememberedListing(netns: nil))
        let h = P.rules(remembered.document).filter { $0.table == "t" }.compactMap(\.handle)
        let batch = try P.batch(
            #"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": \#(h[0])}}}"#,
            #"{"replace": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": \#(h[1]), "expr": [{"accept": null}]}}}"#)
        let echo = try #require(try fake.applyEchoed(batch))
        let derived = try #require(EchoedListing.derive(before: remembered.document, scope: [t], batch: batch, echo: echo))
        // Table u is out of scope; of t, the replaced rule is the echo's, the rest copies.
        #expect(derived.origins.contains(nil) && derived.origins.contains { $0 != nil })
        copied.rememberListing(derived.document, generation: 2, netns: nil, tables: [t], copying: (remembered, derived.origins))
        serialised.rememberListing(derived.document, generation: 2, netns: nil, tables: [t])
        let bytes = FileManager.default.contents(atPath: copied.lastListingFile.path)
        #expect(bytes != nil && bytes == FileManager.default.contents(atPath: serialised.lastListingFile.path))
        let again = try #require(copied.readRememberedListing(netns: nil))
        #expect(P.rules(again.document) == P.rules(try fake.list()).filter { $0.table == "t" })
        // Origins that do not fit the listing are not used.
        #expect(remembered.bytes(of: derived.document, origins: [0]) == nil)
    }
}

/// The same against the kernel: the echo of libnftables 1.0.6 and the generation id.
@Suite(.serialized) struct ChangePathKernelTests {
    static func input(_ ports: [Int]) throws -> LoadedInput {
        var parts = [
            #"{"add": {"table": {"family": "inet", "name": "echo"}}}"#,
            #"{"add": {"chain": {"family": "inet", "table": "echo", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}"#
        ]
        for p in ports {
            parts.append(
                #"{"add": {"rule": {"family": "inet", "table": "echo", "chain": "input", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": \#(p)}}, {"counter": null}, {"accept": null}]}}}"#
            )
        }
        return try InputLoader.loadJSON("echo.json", text: #"{"nftables": ["# + parts.joined(separator: ",\n") + "]}")
    }

    /// Table `echo` with 200 rules applied in `ns` through nftctl, with a state directory of
    /// its own (the caller removes it).
    static func applied(in ns: TestNamespace) throws -> (LibNFTablesBackend, StateStore, [Int]) {
        let backend = try LibNFTablesBackend(netns: ns.name)
        let store = StateStore(root: try ApplyPipelineTests.stateDir(), netns: ns.name)
        let ports = Array(1000..<1200)
        do { _ = try ApplyOperation.run(try Self.input(ports), backend: backend, store: store, netns: ns.name) } catch {
            try? FileManager.default.removeItem(at: store.root)
            throw error
        }
        return (backend, store, ports)
    }

    /// What nftctl derives from the echo after a change (a replace, an insert, a delete, an
    /// append) is what the kernel then lists, handles and all; and the next apply of the same
    /// rules plans nothing from it.
    @Test(.needsRoot) func theListingDerivedFromTheEchoIsWhatTheKernelLists() throws {
        guard let ns = TestNamespace.make("echo-derived listing") else { return }
        let (backend, store, ports) = try Self.applied(in: ns)
        defer { try? FileManager.default.removeItem(at: store.root) }
        var changed = ports
        changed[100] = 1
        changed.remove(at: 50)
        changed.insert(2, at: 150)
        changed.append(3)
        let report = try ApplyOperation.run(try Self.input(changed), backend: backend, store: store, netns: ns.name)
        #expect(report.applied)
        let key = TableKey(family: "inet", name: "echo")
        let remembered = try #require(store.rememberedListing(generation: try backend.generationID(), netns: ns.name, covering: [key]))
        #expect(ApplyPipelineTests.rules(remembered.document) == ApplyPipelineTests.rules(try backend.list(table: "inet", name: "echo")))
        let again = try ApplyOperation.run(try Self.input(changed), backend: backend, store: store, netns: ns.name)
        #expect(!again.applied && again.plan.isEmpty)
    }

    /// `warmCache` (what `nftctl apply` starts while it reads a change planned from the
    /// remembered listing) is a dry run libnftables takes: it commits nothing (the generation
    /// id stays), leaves no table behind, and the change committed after it is what the
    /// kernel then lists, verified from the echo: replaced, inserted, deleted and appended
    /// rules alike.
    @Test(.needsRoot) func aWarmedCacheCommitsNothingAndTheChangeAfterItIsWhatTheKernelLists() throws {
        guard let ns = TestNamespace.make("warmed cache") else { return }
        let (backend, store, ports) = try Self.applied(in: ns)
        defer { try? FileManager.default.removeItem(at: store.root) }
        var changed = ports
        for step in 0..<4 {
            let generation = try backend.generationID()
            #expect(store.remembersListing(generation: generation, netns: ns.name))
            backend.warmCache()
            #expect(backend.warmed() == true)
            #expect(try backend.generationID() == generation)
            #expect(try backend.tableKeys() == [TableKey(family: "inet", name: "echo")])
            switch step {
            case 0: changed[100] = 1
            case 1: changed.insert(2, at: 150)
            case 2: changed.remove(at: 50)
            default: changed.append(3)
            }
            let report = try ApplyOperation.run(try Self.input(changed), backend: backend, store: store, netns: ns.name)
            #expect(report.applied)
            #expect(try backend.generationID() == generation &+ 1)
            let listed = try backend.list(table: "inet", name: "echo")
            let remembered = try #require(
                store.rememberedListing(
                    generation: try backend.generationID(), netns: ns.name, covering: [TableKey(family: "inet", name: "echo")]))
            #expect(ApplyPipelineTests.rules(remembered.document) == ApplyPipelineTests.rules(listed))
            #expect(ApplyPipelineTests.rules(listed).count == changed.count)
        }
    }

    /// An element with a timeout expires without a commit, so the generation id cannot vouch
    /// for a listing of its set: the same file again is planned from the kernel and puts the
    /// element back, and a file without the expired element is applied, not refused for
    /// deleting what is no longer there. Both ways to make elements expire: a timeout on the
    /// element, and a set's default timeout (for which nft adds the flag itself).
    @Test(
        .needsRoot,
        arguments: [
            (#""flags": ["timeout"]"#, #"{"elem": {"val": "10.0.0.1", "timeout": 2}}"#),
            (#""timeout": 2"#, #""10.0.0.1""#)
        ])
    func anElementThatExpiredIsSeenThoughNobodyCommitted(set: String, element: String) throws {
        guard let ns = TestNamespace.make("expiring element") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func file(_ elements: [String]) throws -> String {
            try ApplySafety.write(
                #"{"nftables": [{"add": {"table": {"family": "inet", "name": "exp"}}}, "#
                    + #"{"add": {"set": {"family": "inet", "table": "exp", "name": "s", "type": "ipv4_addr", \#(set), "elem": ["#
                    + elements.joined(separator: ", ") + "]}}}]}", "expiring.json")
        }
        let both = try file([element, #""10.0.0.2""#])
        #expect(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, both], dir).status == 0)
        #expect(ns.nftList().contains("10.0.0.1"))
        Thread.sleep(forTimeInterval: 2.6)
        #expect(!ns.nftList().contains("10.0.0.1"), "the element did not expire")
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, both], dir)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("up to date"))
        #expect(ns.nftList().contains("10.0.0.1"))
        Thread.sleep(forTimeInterval: 2.6)
        let without = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, try file([#""10.0.0.2""#])], dir)
        #expect(without.status == 0, "\(without.stderr)")
        #expect(!ns.nftList().contains("10.0.0.1"))
    }

    /// The same JSON file again with nobody committing since: up to date without reading it.
    /// A commit by anyone else, or a changed file, and it is read and planned again.
    @Test(.needsRoot) func anUnchangedFileIsUpToDateUntilSomeoneCommits() throws {
        guard let ns = TestNamespace.make("up to date") else { return }
        let dir = ApplySafety.stateDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try ApplySafety.write(try Self.input([22, 80]).document.json.serialized(), "up-to-date.json")
        #expect(ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir).status == 0)
        let timing = ["NFTCTL_TIMING": "1"]
        let same = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, timing)
        #expect(same.status == 0)
        #expect(same.stdout.contains("already up to date"))
        #expect(same.stderr.contains("no commit since its verified apply"), "\(same.stderr)")
        // Another program adds a rule to our table: the file is planned again, the rule goes.
        #expect(ns.exec(["nft", "add", "rule", "inet", "echo", "input", "udp", "dport", "53", "drop"]).status == 0)
        let after = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, timing)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(!after.stderr.contains("no commit since its verified apply"))
        #expect(!ns.nftList().contains("udp dport 53"))
        // A changed file is read.
        try Self.input([22, 443]).document.json.serialized().write(toFile: file, atomically: true, encoding: .utf8)
        let changed = ApplySafety.nftctl(["apply", "--yes", "--netns", ns.name, file], dir, timing)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(ns.nftList().contains("tcp dport 443"))
    }
}
