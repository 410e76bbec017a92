import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The plan renderer on names and comments that never passed validation (defence in depth:
/// the same text shows a live table another program wrote): every line is one nftctl
/// made, with no raw control character, and the summary cannot be forged.
struct PlanEscapeTests {
    static let esc = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/escape/esc.json").path

    @Test func planLinesCannotBeForged() throws {
        let state = try InputLoader.load(Self.esc).state
        let plan = Planner.plan(desired: state, live: RulesetState(), prune: [])
        let text = PlanRenderer(color: false).text(plan)
        #expect(!text.unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" }, "\(text)")
        let lines = text.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("+ table ip injected") || $0.hasPrefix("FAKE") }, "\(text)")
        #expect(lines.filter { $0.hasSuffix("to delete.") } == ["\(plan.additions) to add, 0 to change, 0 to delete."])
        #expect(lines.first == "table ip \"t\\x1b[31mRED\\x1b[0m\\x22q'\\x0a+ table ip injected  # fake line\"  (new table)")
        // In colour, the only escape sequences are the renderer's own.
        let colored = PlanRenderer(color: true).text(plan)
        let stripped = colored.replacingOccurrences(of: "\u{1b}\\[[0-9]+m", with: "", options: .regularExpression)
        #expect(stripped == text)
    }

    /// The JSON plan is valid JSON, escapes control characters, and keeps a comment that
    /// holds `  # ` whole (only the location trailer is cut).
    @Test func jsonPlanKeepsCommentsWhole() throws {
        let doc = """
            {"nftables": [{"add": {"table": {"family": "inet", "name": "t"}}},
            {"add": {"chain": {"family": "inet", "table": "t", "name": "c"}}},
            {"add": {"rule": {"family": "inet", "table": "t", "chain": "c", "comment": "a  # b\\u001b", "expr": [{"accept": null}]}}}]}
            """
        let state = try InputLoader.loadJSON("p.json", text: doc).state
        let json = PlanRenderer(color: false).json(Planner.plan(desired: state, live: RulesetState(), prune: [])).serialized(.pretty)
        #expect(!json.unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" })
        _ = try JSON.parse(json)
        #expect(json.contains(#""text": "accept comment \"a  # b\\x1b\"""#), "\(json)")
        #expect(json.contains(#""location": "p.json:3""#))
    }
}
