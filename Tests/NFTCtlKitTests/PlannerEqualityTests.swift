import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The planner aligns rules by their normal form for comparison (`ComparedRule`) without
/// building it for every rule: rules that differ only in what the kernel adds (handles,
/// counter values, the order of an anonymous set) are the same rule; any other difference
/// is a change.
struct PlannerEqualityTests {
    static let head = [
        #"{"table": {"family": "inet", "name": "t"}}"#,
        #"{"chain": {"family": "inet", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}"#
    ]

    static func state(_ rules: [String], handles: Bool) throws -> RulesetState {
        let items =
            head
            + rules.enumerated().map { i, expr in
                let handle = handles ? #", "handle": \#(100 + i)"# : ""
                return #"{"rule": {"family": "inet", "table": "t", "chain": "c"\#(handle), "expr": [\#(expr)]}}"#
            }
        return try RulesetState(document: Document.parse(#"{"nftables": ["# + items.joined(separator: ",") + "]}"), keepHandles: handles)
    }

    static let dport = #"{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": %@}}"#
    static func rule(_ port: String, counter: String = "null", tail: String = #"{"accept": null}"#) -> String {
        String(format: dport, port) + #", {"counter": \#(counter)}, "# + tail
    }

    func changes(desired: [String], live: [String]) throws -> [Change] {
        let plan = Planner.plan(desired: try Self.state(desired, handles: false), live: try Self.state(live, handles: true))
        return plan.tables.flatMap(\.changes)
    }

    @Test func countersHandlesAndSetOrderAreNoDifference() throws {
        let desired = (0..<50).map { Self.rule("\($0)") } + [Self.rule(#"{"set": [1, 2, 3]}"#)]
        let live =
            (0..<50).map { Self.rule("\($0)", counter: #"{"packets": \#($0 * 7), "bytes": \#($0 * 900)}"#) }
            + [Self.rule(#"{"set": [3, 1, 2]}"#, counter: #"{"packets": 1, "bytes": 60}"#)]
        #expect(try changes(desired: desired, live: live).isEmpty)
    }

    @Test func aDifferentRuleInTheMiddleIsOneChange() throws {
        let desired = (0..<50).map { Self.rule("\($0)") }
        var live = (0..<50).map { Self.rule("\($0)", counter: #"{"packets": 3, "bytes": 180}"#) }
        live[25] = Self.rule("25", counter: #"{"packets": 3, "bytes": 180}"#, tail: #"{"drop": null}"#)
        let c = try changes(desired: desired, live: live)
        #expect(c.count == 1, "\(c)")
        guard case .rule(_, let old?, let new?, _)? = c.first?.subject else {
            Issue.record("not a rule change: \(c)")
            return
        }
        #expect(c.first?.sign == .change)
        #expect(old.handle == 125)
        #expect(new.statements.last == .verdict(.accept))
    }

    @Test func aCommentIsADifference() throws {
        var desired = try Self.state([Self.rule("1")], handles: false)
        desired.tables[0].rules[0].value.comment = "note"
        let live = try Self.state([Self.rule("1")], handles: true)
        let c = Planner.plan(desired: desired, live: live).tables.flatMap(\.changes)
        #expect(c.count == 1 && c.first?.sign == .change, "\(c)")
    }

    /// `ComparedRule`'s equality is the equality of the normal forms it stands for.
    @Test func comparedRuleEqualityIsNormalFormEquality() throws {
        let variants = [
            Self.rule("22"), Self.rule("22", counter: #"{"packets": 9, "bytes": 1}"#), Self.rule("23"),
            Self.rule(#"{"set": [1, 2]}"#), Self.rule(#"{"set": [2, 1]}"#), Self.rule(#"{"set": [2]}"#), Self.rule("2"),
            Self.rule("22", tail: #"{"drop": null}"#),
            String(format: Self.dport, "22") + #", {"accept": null}"#,
            #"{"limit": {"rate": 10, "per": "second", "burst": 5}}"#, #"{"limit": {"rate": 10, "per": "second"}}"#
        ]
        var rules = try Self.state(variants, handles: true).tables[0].rules.map(\.value)
        var commented = rules[0]
        commented.comment = "x"
        var otherChain = rules[0]
        otherChain.chain = "d"
        var empty = rules[0]
        empty.expr = []
        var none = rules[0]
        none.expr = nil
        rules += [commented, otherChain, empty, none]
        func normal(_ r: Rule) -> RulesetItem {
            var r = r
            r.chain = ""
            return RulesetItem.rule(r).normalizedForComparison()
        }
        var equalPairs = 0
        for a in rules {
            for b in rules {
                let same = normal(a) == normal(b)
                #expect((ComparedRule(a) == ComparedRule(b)) == same, "\(a) vs \(b)")
                if same && a != b { equalPairs += 1 }
            }
        }
        #expect(equalPairs > 0)  // some pairs differ as written and not in normal form
    }

    /// An element's key written directly for a plain string is the key the serialiser makes.
    @Test func anElementsKeyIsItsNormalFormsJSON() {
        let strings = ["10.0.0.1", "2001:db8::1", "eth0", "veth*", "a b", "quo\"te", "back\\slash", "tab\t", "caf\u{e9}", ""]
        for s in strings {
            let e = NFTModel.Expression.string(s)
            #expect(TablePlanner.elementKey(e) == e.normalizedForComparison().json.serialized(), "\(s)")
        }
    }
}
