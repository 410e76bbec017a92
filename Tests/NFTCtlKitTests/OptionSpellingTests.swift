import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The kit names options by a typed `UserOption`; the CLI spells them as its flags. The messages
/// the CLI prints keep their flag names (the CLI passes `UserOption.flag`); the kit's own
/// text carries none.
struct OptionSpellingTests {
    static let file = #"""
        {"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}},
        {"add": {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}}]}
        """#

    @Test func kitErrorsCarryTheOptionsNotTheirSpelling() throws {
        let state = try RulesetState(document: Document.parse(Self.file))
        do {
            _ = try Explainer.explain(state, selection: ExplainSelection(rule: 1))
            Issue.record("a rule without a chain was accepted")
        } catch {
            #expect(error.option == .ruleNeedsChain)
            #expect(error.message(spelling: { "<\($0.rawValue)>" }) == "<rule> needs <chain>")
            #expect(!error.description.contains("--"))
        }
        let busy = NamespaceLock.Busy(path: "/run/nftctl/x.lock", holder: "pid 1", waited: 2)
        #expect(busy.message(spelling: { "-\($0.rawValue.prefix(1))" }).hasSuffix("wait longer with -w SECONDS"))
        let refusal = LockoutRefusal(findings: [])
        #expect(refusal.message(spelling: { "/\($0.rawValue)" }).contains("pass /force if you are sure (consider /confirm 60s"))
        // An apply asked to replace: the plan says so in the front end's words.
        var plan = Planner.plan(desired: RulesetState(), live: state, prune: [state.tables[0].key])
        let deleted = PlanRenderer(color: false, spelling: { "<\($0.rawValue)>" }).text(plan)
        #expect(deleted.contains("(deleted: no longer declared, <prune>)"), "\(deleted)")
        plan = Planner.plan(desired: state, live: RulesetState(), prune: [])
        plan.tables[0].mode = .replace(.asked)
        let replaced = PlanRenderer(color: false, spelling: { "<\($0.rawValue)>" }).text(plan)
        #expect(replaced.contains("(replaced whole, atomically: <replace>;"), "\(replaced)")
    }
}
