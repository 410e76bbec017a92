import Foundation
import NFTAnalysis
import NFTTestSupport
import Testing

@testable import NFTCtlKit

/// Every record of the nft-py corpus that nft 1.0.6 accepts imports to DSL source that swiftc
/// compiles and that evaluates back to the same rule (see ImportRoundTrip for what "the same"
/// means). Records are batched: one table per (family, table, setup) group of the corpus, with
/// the setup's sets, maps, objects and chains (loaded through the kernel sandbox, as the corpus
/// did) and the record's rule as 1.0.6 listed it in JSON; tables are packed into rules files of
/// several hundred rules, so swiftc runs a few times, not thousands.
@Suite(.serialized) struct ImportCorpusTests {
    /// Records that fail the round trip; lower it as import improves (target 0).
    static let wrongFloor = 0
    static let rulesPerFile = 700

    struct Placed {
        let record: Corpus.Record
        let table: TableKey
        let chain: String
        let index: Int  // position among the chain's rules
    }

    @Test(.needsRoot) func corpusImportsAndRoundTrips() throws {
        let accepted = Corpus.accepted
        #expect(!accepted.isEmpty, "the nft-py corpus is missing (set NFTCTL_CORPUS)")
        guard !accepted.isEmpty else { return }
        let start = Date()
        let dir = try ImportRoundTrip.tempDir()
        defer {
            // NFTCTL_IMPORT_KEEP=DIR keeps the generated rules files for reading.
            if let keep = ProcessInfo.processInfo.environment["NFTCTL_IMPORT_KEEP"] {
                try? FileManager.default.moveItem(atPath: dir, toPath: keep)
            }
            try? FileManager.default.removeItem(atPath: dir)
        }

        var textOnly: [String] = []  // 1.0.6 lists a statement as bare text
        var setupFailed: [String: [String]] = [:]
        var wrong: [String: [String]] = [:]  // reason -> ids
        var passed = 0
        var rawStatements = 0, statements = 0
        var files = 0

        // Tables, one per group.
        var tables: [(contents: TableContents, placed: [Placed])] = []
        for (g, group) in CorpusRunner.groups(accepted).enumerated() {
            let name = "\(group.table)-\(g)"
            let setupText = group.setup.joined(separator: "\n") + "\n"
            var state: RulesetState
            do {
                state = try RulesetState(document: Sandbox.loadAndList(text: setupText))
            } catch {
                for e in group.entries { setupFailed["\(error)".prefix(120).description, default: []].append(e.id) }
                continue
            }
            guard let idx = state.tables.firstIndex(where: { $0.key == TableKey(family: group.family, name: group.table) }) else {
                for e in group.entries { setupFailed["setup declares no table", default: []].append(e.id) }
                continue
            }
            var t = Self.renamed(state.tables[idx], to: name)
            var placed: [Placed] = []
            var perChain: [String: Int] = [:]
            for e in group.entries {
                guard case .array(let stmts)? = e.record.listedJSON else {
                    wrong["no JSON listing", default: []].append(e.id)
                    continue
                }
                let expr = stmts.map(Statement.init(json:))
                if expr.contains(where: {
                    if case .text = $0 { return true }; return false
                }) {
                    textOnly.append(e.id)
                    continue
                }
                if t.chain(e.chain) == nil {
                    t.chains.append(Located(Self.chain(e, family: group.family, table: name)))
                }
                statements += expr.count
                t.rules.append(Located(Rule(family: group.family, table: name, chain: e.chain, expr: expr)))
                placed.append(Placed(record: e.record, table: t.key, chain: e.chain, index: perChain[e.chain, default: 0]))
                perChain[e.chain, default: 0] += 1
            }
            tables.append((t, placed))
        }
        let parsed = Date()

        // Files of several hundred rules.
        var batches: [[(contents: TableContents, placed: [Placed])]] = [[]]
        var count = 0
        for t in tables {
            if count >= Self.rulesPerFile { batches.append([]); count = 0 }
            batches[batches.count - 1].append(t)
            count += t.placed.count
        }

        func judge(_ batch: [(contents: TableContents, placed: [Placed])]) throws {
            var state = RulesetState()
            state.tables = batch.map(\.contents)
            files += 1
            let o = try ImportRoundTrip.run(state, name: "corpus_\(files)", in: dir)
            rawStatements += o.rawStatements
            for (t, placed) in batch {
                let original = t.rules.map { RulesetItem.rule($0.value).normalizedForComparison() }
                let back = o.evaluated.table(t.key)
                let evaluated = (back?.rules ?? []).map { RulesetItem.rule($0.value).normalizedForComparison() }
                var others = ListingComparison.differences(
                    expected: RulesetState.one(t).listingItems.filter { !$0.isRule },
                    actual: back.map { RulesetState.one($0).listingItems.filter { !$0.isRule } } ?? [],
                    tables: [t.key])
                others = others.filter { _ in true }
                for p in placed {
                    let mine = original.enumerated().filter {
                        if case .rule(let r) = $0.element { return r.chain == p.chain }; return false
                    }
                    let theirs = evaluated.filter {
                        if case .rule(let r) = $0 { return r.chain == p.chain }; return false
                    }
                    if !others.isEmpty {
                        wrong["table objects differ: \(others.first!.description.prefix(300))", default: []].append(p.record.id)
                    } else if mine.count != theirs.count {
                        wrong["chain \(p.chain) has \(theirs.count) rules, not \(mine.count)", default: []].append(p.record.id)
                    } else if mine[p.index].element != theirs[p.index] {
                        wrong[
                            "rule differs: \(mine[p.index].element.json.serialized()) became \(theirs[p.index].json.serialized())",
                            default: []
                        ].append(p.record.id)
                    } else {
                        passed += 1
                    }
                }
            }
        }

        for batch in batches where !batch.isEmpty {
            do { try judge(batch) } catch {
                // One bad table must not hide the others: judge them one by one.
                for t in batch {
                    do { try judge([t]) } catch {
                        for p in t.placed { wrong["does not compile: \("\(error)".prefix(400))", default: []].append(p.record.id) }
                    }
                }
            }
        }

        let total = accepted.count
        let failed = wrong.values.map(\.count).reduce(0, +)
        print(
            """
            import round trip: \(passed)/\(total) corpus records \
            (\(textOnly.count) that nft 1.0.6's JSON path cannot express: it lists a statement as bare text; \
            \(setupFailed.values.map(\.count).reduce(0, +)) whose setup the kernel refused; \(failed) wrong) \
            in \(files) rules files, \(statements) statements of which \(rawStatements) in the model's form; \
            \(Int(parsed.timeIntervalSince(start)))s setup, \(Int(Date().timeIntervalSince(parsed)))s import+swiftc
            """)
        if !textOnly.isEmpty { print("    bare text in 1.0.6's JSON listing: \(textOnly.joined(separator: ", "))") }
        for (reason, ids) in setupFailed {
            print("    setup refused (\(reason)): \(ids.count), e.g. \(ids.prefix(4).joined(separator: ", "))")
        }
        for (reason, ids) in wrong.sorted(by: { $0.value.count > $1.value.count }) {
            print("    WRONG, \(ids.count) records, e.g. \(ids.prefix(5).joined(separator: ", ")): \(reason)")
        }
        #expect(failed <= Self.wrongFloor, "\(failed) corpus records do not round-trip through import (floor \(Self.wrongFloor))")
        #expect(passed + failed + textOnly.count + setupFailed.values.map(\.count).reduce(0, +) == total)
        // What is compared must be (nearly) everything: a broken setup must not pass quietly.
        #expect(passed >= Self.passedFloor, "only \(passed) corpus records were compared (floor \(Self.passedFloor))")
    }

    /// Records that round-trip today (5365 of 5373; the rest hold a statement 1.0.6 lists as text).
    static let passedFloor = 5365

    static func chain(_ e: CorpusEntry, family: String, table: String) -> Chain {
        var chain = Chain(family: family, table: table, name: e.chain)
        if let def = e.record.chainDef {
            let w = def.split(separator: " ").map(String.init)
            func after(_ k: String) -> String? { w.firstIndex(of: k).flatMap { $0 + 1 < w.count ? w[$0 + 1] : nil } }
            chain.type = after("type")
            chain.hook = after("hook")
            chain.prio = after("priority").flatMap { Int64($0.trimmingCharacters(in: .punctuationCharacters)) } ?? 0
            chain.policy = "accept"
        }
        return chain
    }

    static func renamed(_ t: TableContents, to name: String) -> TableContents {
        var t = t
        t.table.value.name = name
        for i in t.chains.indices { t.chains[i].value.table = name }
        for i in t.sets.indices { t.sets[i].value.table = name }
        for i in t.objects.indices { t.objects[i].value.table = name }
        for i in t.flowtables.indices { t.flowtables[i].value.table = name }
        for i in t.rules.indices { t.rules[i].value.table = name }
        return t
    }
}

extension RulesetState {
    static func one(_ t: TableContents) -> RulesetState {
        var s = RulesetState()
        s.tables = [t]
        return s
    }
}

extension RulesetItem {
    var isRule: Bool { if case .rule = self { return true }; return false }
}
