import Foundation
import Testing
@testable import NFTCtlKit
import NFTables

/// Lint warnings name the user's line and say why.
struct LintTests {
    @Test func lintFindsEachProblemAtItsLine() throws {
        let input = try InputLoader.load(KernelApplyTests.fixture("lint.nft"))
        #expect(!Validator.validate(input.state).hasErrors)
        let warnings = Linter.lint(input.state)
        func at(_ line: Int) -> String? { warnings.first { $0.location?.line == line }?.message }
        #expect(at(11)?.contains("duplicate of rule 1") == true)
        #expect(at(12)?.contains("shadowed by rule 1") == true)
        #expect(at(14)?.contains("unreachable") == true)
        #expect(at(8)?.contains("policy drop on input") == true)
        #expect(at(5)?.contains("no rule or verdict map jumps") == true)
        #expect(at(2)?.contains("no rule refers to @unusedset") == true)
        #expect(warnings.count == 6, "\(warnings)")
        #expect(warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func cleanRulesetHasNoWarnings() throws {
        let input = try InputLoader.load(KernelApplyTests.fixture("edge.nft"))
        let warnings = Linter.lint(input.state)
        #expect(warnings.isEmpty, "\(warnings)")
    }
}
