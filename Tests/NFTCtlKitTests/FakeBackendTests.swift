import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The in-memory backend: kernel-like semantics, atomic batches, handles, generation id.
@Suite struct FakeBackendTests {
    static func batch(_ json: String) throws -> Document { try Document.parse(#"{"nftables": ["# + json + "]}") }

    static let base = """
        {"add": {"table": {"family": "inet", "name": "t"}}},
        {"add": {"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter", "hook": "input", "prio": 0}}},
        {"add": {"chain": {"family": "inet", "table": "t", "name": "x"}}},
        {"add": {"rule": {"family": "inet", "table": "t", "chain": "input", "expr": [{"jump": {"target": "x"}}]}}},
        {"add": {"rule": {"family": "inet", "table": "t", "chain": "x", "expr": [{"counter": null}]}}}
        """

    static func rules(_ b: FakeBackend, _ chain: String) -> [Rule] {
        b.items.compactMap {
            if case .rule(let r) = $0, r.chain == chain { return r }; return nil
        }
    }

    static func handles(_ b: FakeBackend, _ chain: String) -> [Int64] { rules(b, chain).compactMap(\.handle) }

    @Test func assignsHandlesAndListsInLibnftablesOrder() throws {
        let b = try FakeBackend()
        try b.apply(
            Self.batch(Self.base + #", {"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr"}}}"#),
            dryRun: false)
        let kinds = try b.list().entries.map { e -> String in
            guard case .item(let i) = e, case .object(let o) = i.json, let key = o.keys.first else { return "?" }
            return key
        }
        #expect(kinds.first == "metainfo")
        #expect(Array(kinds.dropFirst()) == ["table", "set", "chain", "chain", "rule", "rule"])
        guard case .table(let t)? = b.items.first else { Issue.record("no table"); return }
        #expect(t.handle == 1)
        // Chains, rules and sets share the table's handle counter.
        let all = b.items.compactMap { item -> Int64? in
            switch item {
            case .chain(let c): return c.handle
            case .rule(let r): return r.handle
            case .set(let s): return s.handle
            default: return nil
            }
        }
        #expect(Set(all) == [1, 2, 3, 4, 5])
        // A base chain lists `policy accept` as the kernel's listing does.
        let input = b.items.compactMap {
            if case .chain(let c) = $0, c.name == "input" { return c }; return nil
        }.first
        #expect(input?.policy == "accept")
    }

    @Test func aFailingCommandLeavesEverythingAsItWas() throws {
        let b = try FakeBackend()
        try b.apply(Self.batch(Self.base), dryRun: false)
        let before = try b.list(), gen = try b.generationID()
        let bad = try Self.batch(
            """
            {"delete": {"table": {"family": "inet", "name": "t"}}},
            {"add": {"table": {"family": "inet", "name": "u"}}},
            {"add": {"rule": {"family": "inet", "table": "u", "chain": "missing", "expr": [{"accept": null}]}}}
            """)
        #expect(throws: BackendError.self) { try b.apply(bad, dryRun: false) }
        #expect(try b.list() == before)
        #expect(try b.generationID() == gen)
        #expect(b.committedBatches.count == 1)
    }

    @Test func generationMovesOncePerCommitOnly() throws {
        let b = try FakeBackend()
        let g0 = try b.generationID()
        try b.apply(Self.batch(Self.base), dryRun: false)
        #expect(try b.generationID() == g0 + 1)
        _ = try b.list()
        _ = try b.list(table: "inet", name: "t")
        try b.apply(Self.batch(#"{"add": {"table": {"family": "ip", "name": "d"}}}"#), dryRun: true)
        #expect(try b.generationID() == g0 + 1)
        #expect(b.items.count == 5)  // the dry run changed nothing
        try b.apply(
            Self.batch(#"{"add": {"table": {"family": "ip", "name": "d"}}}, {"add": {"table": {"family": "ip", "name": "e"}}}"#),
            dryRun: false)
        #expect(try b.generationID() == g0 + 2)
    }

    @Test func createRefusesWhatExistsAndAddDoesNot() throws {
        let b = try FakeBackend()
        try b.apply(Self.batch(Self.base), dryRun: false)
        try b.apply(Self.batch(#"{"add": {"table": {"family": "inet", "name": "t"}}}"#), dryRun: false)
        #expect(b.items.count == 5)
        #expect(throws: BackendError.self) {
            try b.apply(Self.batch(#"{"create": {"table": {"family": "inet", "name": "t"}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {
            try b.apply(Self.batch(#"{"create": {"chain": {"family": "inet", "table": "t", "name": "x"}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {  // no such table
            try b.apply(Self.batch(#"{"add": {"chain": {"family": "ip", "table": "nope", "name": "x"}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {  // jump to a chain that does not exist
            try b.apply(
                Self.batch(#"{"add": {"rule": {"family": "inet", "table": "t", "chain": "x", "expr": [{"goto": {"target": "nope"}}]}}}"#),
                dryRun: false)
        }
    }

    @Test func rulePositionsFollowLibnftables106() throws {
        let b = try FakeBackend()
        try b.apply(Self.batch(Self.base), dryRun: false)
        let first = Self.handles(b, "x")[0]  // 4: chains took 1 and 2, rules 3 and 4
        func rule(_ verb: String, _ position: String, _ verdict: String) -> String {
            #"{"\#(verb)": {"rule": {"family": "inet", "table": "t", "chain": "x"\#(position), "expr": [{"\#(verdict)": null}]}}}"#
        }
        #expect(first == 4)
        try b.apply(Self.batch(rule("add", "", "accept")), dryRun: false)  // [4, 5]
        try b.apply(Self.batch(rule("insert", "", "drop")), dryRun: false)  // [6, 4, 5]
        try b.apply(Self.batch(rule("insert", ", \"handle\": \(first)", "return")), dryRun: false)  // [6, 7, 4, 5]
        try b.apply(Self.batch(rule("add", ", \"handle\": \(first)", "continue")), dryRun: false)  // appended: [6, 7, 4, 5, 8]
        try b.apply(Self.batch(rule("add", ", \"index\": 0", "accept")), dryRun: false)  // after the first: [6, 9, 7, 4, 5, 8]
        #expect(Self.handles(b, "x") == [6, 9, 7, 4, 5, 8])
        // replace keeps the handle and the place.
        try b.apply(Self.batch(rule("replace", ", \"handle\": 7", "drop")), dryRun: false)
        #expect(Self.handles(b, "x") == [6, 9, 7, 4, 5, 8])
        #expect(Self.rules(b, "x")[2].statements == [.verdict(.drop)])
        try b.apply(Self.batch(#"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "x", "handle": 9}}}"#), dryRun: false)
        #expect(Self.handles(b, "x") == [6, 7, 4, 5, 8])
        #expect(throws: BackendError.self) {
            try b.apply(Self.batch(#"{"delete": {"rule": {"family": "inet", "table": "t", "chain": "x", "handle": 9}}}"#), dryRun: false)
        }
    }

    @Test func chainsThatAreJumpedToCannotBeDeletedAndRenamesFollow() throws {
        let b = try FakeBackend()
        try b.apply(Self.batch(Self.base), dryRun: false)
        #expect(throws: BackendError.self) {
            try b.apply(Self.batch(#"{"delete": {"chain": {"family": "inet", "table": "t", "name": "x"}}}"#), dryRun: false)
        }
        try b.apply(Self.batch(#"{"rename": {"chain": {"family": "inet", "table": "t", "name": "x", "newname": "y"}}}"#), dryRun: false)
        #expect(Self.rules(b, "input")[0].statements == [.verdict(.jump("y"))])
        #expect(Self.rules(b, "y").count == 1)
        // Deleting the jumping chain first, then the target, in one batch: both go.
        try b.apply(
            Self.batch(
                """
                {"delete": {"chain": {"family": "inet", "table": "t", "name": "input"}}},
                {"delete": {"chain": {"family": "inet", "table": "t", "name": "y"}}}
                """), dryRun: false)
        #expect(b.items.count == 1)
    }

    @Test func setsMapsAndElements() throws {
        let b = try FakeBackend()
        try b.apply(
            Self.batch(
                Self.base + """
                    , {"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ipv4_addr", "elem": ["10.0.0.1"]}}},
                    {"add": {"map": {"family": "inet", "table": "t", "name": "m", "type": "ipv4_addr", "map": "verdict",
                                     "elem": [["10.0.0.2", {"jump": {"target": "x"}}]]}}},
                    {"add": {"element": {"family": "inet", "table": "t", "name": "s", "elem": ["10.0.0.2", "10.0.0.1"]}}},
                    {"add": {"rule": {"family": "inet", "table": "t", "chain": "x", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@s"}}, {"drop": null}]}}}
                    """), dryRun: false)
        func set(_ name: String) -> NamedSet? {
            b.items.compactMap {
                if case .set(let s) = $0, s.name == name { return s }; return nil
            }.first
        }
        #expect(set("s")?.elements == [.string("10.0.0.1"), .string("10.0.0.2")])
        #expect(throws: BackendError.self) {  // create of an existing element
            try b.apply(
                Self.batch(#"{"create": {"element": {"family": "inet", "table": "t", "name": "s", "elem": ["10.0.0.1"]}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {  // delete of a missing element
            try b.apply(
                Self.batch(#"{"delete": {"element": {"family": "inet", "table": "t", "name": "s", "elem": ["10.9.9.9"]}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {  // the set is used by a rule
            try b.apply(Self.batch(#"{"delete": {"set": {"family": "inet", "table": "t", "name": "s"}}}"#), dryRun: false)
        }
        #expect(throws: BackendError.self) {  // x is the target of a map element
            try b.apply(
                Self.batch(
                    """
                    {"delete": {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": 4}}},
                    {"delete": {"chain": {"family": "inet", "table": "t", "name": "x"}}}
                    """), dryRun: false)
        }
        // Map elements are identified by their key.
        try b.apply(
            Self.batch(#"{"delete": {"element": {"family": "inet", "table": "t", "name": "m", "elem": ["10.0.0.2"]}}}"#), dryRun: false)
        #expect(set("m")?.elem == nil)
        // flush table removes rules only; elements and sets stay. flush set empties it.
        try b.apply(Self.batch(#"{"flush": {"table": {"family": "inet", "name": "t"}}}"#), dryRun: false)
        #expect(Self.rules(b, "x").isEmpty && Self.rules(b, "input").isEmpty)
        #expect(set("s")?.elements.count == 2)
        try b.apply(Self.batch(#"{"flush": {"set": {"family": "inet", "table": "t", "name": "s"}}}"#), dryRun: false)
        #expect(set("s")?.elem == nil)
        try b.apply(Self.batch(#"{"flush": {"ruleset": null}}"#), dryRun: false)
        #expect(b.items.isEmpty)
    }

    @Test func namedObjects() throws {
        let b = try FakeBackend()
        try b.apply(
            Self.batch(
                Self.base
                    + #", {"add": {"counter": {"family": "inet", "table": "t", "name": "c"}}}, {"add": {"quota": {"family": "inet", "table": "t", "name": "q", "bytes": 1000}}}"#
            ), dryRun: false)
        #expect(
            b.items.contains {
                if case .object(.counter, let o) = $0 { return o.name == "c" && o.handle != nil }; return false
            })
        #expect(throws: BackendError.self) {
            try b.apply(Self.batch(#"{"create": {"counter": {"family": "inet", "table": "t", "name": "c"}}}"#), dryRun: false)
        }
        try b.apply(Self.batch(#"{"delete": {"quota": {"family": "inet", "table": "t", "name": "q"}}}"#), dryRun: false)
        #expect(
            !b.items.contains {
                if case .object(.quota, _) = $0 { return true }; return false
            })
    }

    @Test func aListingLoadsWithItsHandlesAndRoundTrips() throws {
        let first = try FakeBackend()
        try first.apply(Self.batch(Self.base), dryRun: false)
        let listing = try first.list()
        let reparsed = try Document.parse(listing.json.serialized())
        let second = try FakeBackend(listing: reparsed)
        #expect(try second.list() == listing)
        // New objects get handles above the loaded ones.
        try second.apply(
            Self.batch(#"{"add": {"rule": {"family": "inet", "table": "t", "chain": "x", "expr": [{"accept": null}]}}}"#), dryRun: false)
        #expect(Self.handles(second, "x") == [4, 5])
        #expect(throws: BackendError.self) { try second.list(table: "ip", name: "absent") }
        #expect(throws: BackendError.self) { try second.applyText("add table ip x", dryRun: false) }
    }
}
