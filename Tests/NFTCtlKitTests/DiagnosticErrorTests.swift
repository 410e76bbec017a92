import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Every nftctl error is made of `Diagnostic`s and rendered by them alone: `file:line: error:
/// message` when printed, without the severity inside another message, escaped either way.
struct DiagnosticErrorTests {
    @Test func aProblemIsPrintedAtItsLocation() {
        let p = Problem("cannot be read", file: "rules.json")
        #expect(p.report == "rules.json: error: cannot be read")
        // Inside another message it reads as it always did.
        #expect(p.description == "rules.json: cannot be read")
        #expect(Problem("not a command", file: "a.json", line: 3).report == "a.json:3: error: not a command")
        #expect(Problem("the rules program crashed").report == "error: the rules program crashed")
    }

    @Test func whatInputPutIntoAProblemIsEscaped() {
        let p = Problem("table t\u{1b}[31m is created twice", at: SourceLocation(file: "x\ny.json", line: 2), keepsLayout: false)
        #expect(p.report == #"x\x0ay.json:2: error: table t\x1b[31m is created twice"#)
        #expect(!p.description.unicodeScalars.contains(where: SafeText.isUnsafe))
        // A message laid out on lines by nftctl keeps them; other controls are still escaped.
        let laid = Problem("first\n  second\u{7}").report
        #expect(laid == "error: first\n  second\\x07")
    }

    /// swiftc's and libnftables' reports already say where and how severe: relayed as written
    /// (the CLI printed `Error: a.swift:3:5: error: ...`).
    @Test func anotherToolsReportIsRelayedAsWritten() {
        let compiler = "a.swift:3:5: error: cannot find 'tcpp' in scope\n  rule(tcpp.dport == 22)\n       ^\u{1b}"
        let p = Problem(relaying: compiler)
        #expect(p.report == "a.swift:3:5: error: cannot find 'tcpp' in scope\n  rule(tcpp.dport == 22)\n       ^\\x1b")
        #expect(p.description == p.report)
    }

    @Test func errorsWithDataOfTheirOwnRenderThroughTheirDiagnostics() {
        let refusal = KernelRefusal(message: "Error: Could not process rule: No such file or directory", location: nil, origin: "r.nft")
        #expect(refusal.report == "r.nft: error: the kernel refuses the ruleset: Could not process rule: No such file or directory")
        // libnftables' own evaluation refused it: the kernel never saw it.
        let evaluation = KernelRefusal(message: "Error: datatype mismatch, expected packet mark", location: nil, origin: "r.nft")
        #expect(evaluation.report == "r.nft: error: libnftables refuses the ruleset: datatype mismatch, expected packet mark")
        let hint = KernelRefusal(message: "Error: No such file or directory; did you mean chain 'c'", location: nil, origin: "r.nft")
        #expect(hint.report.hasPrefix("r.nft: error: the kernel refuses"))
        let overlap = KernelRefusal(message: "netlink: Error: interval overlaps with an existing one", location: nil, origin: "r.nft")
        #expect(overlap.report.hasPrefix("r.nft: error: libnftables refuses"))
        let stale = StalePlan(expected: 4, found: 5)
        #expect(stale.report.hasPrefix("error: the ruleset changed while the plan was being made (generation 4 -> 5)"))
        #expect(BackendError.namespaceNotFound("n1").report.hasPrefix("error: network namespace \"n1\" does not exist"))
        let failure = ValidationFailure(diagnostics: [
            Diagnostic(.warning, "never used", object: "set inet t s", at: SourceLocation(file: "a.json", line: 2)),
            Diagnostic(
                .error, "jump to a chain that does not exist", object: "rule 1 of chain inet t c",
                at: SourceLocation(file: "a.json", line: 4))
        ])
        #expect(
            failure.report
                == "a.json:2: warning: set inet t s: never used\na.json:4: error: rule 1 of chain inet t c: jump to a chain that does not exist\n1 error found"
        )
    }

    @Test func optionMessagesAreSpelledByTheFrontEnd() {
        let e = OptionError(.ruleNeedsChain)
        #expect(e.report == "error: `rule` needs `chain`")
        #expect(e.diagnostics(spelling: { "--" + $0.rawValue }).report() == "error: --rule needs --chain")
    }

    /// The CLI prints nftctl's errors in the compiler form (it printed `Error: FILE:LINE: ...`).
    @Test func theCLIPrintsFileLineErrorMessage() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-diag-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/undeclared.json"
        try #"{"nftables": [{"add": {"chain": {"family": "ip", "table": "t", "name": "c"}}}]}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = Shell.run([Shell.nftctl, "compile", file])
        #expect(r.status == 1)
        #expect(r.stderr == "\(file):1: error: chain c refers to table ip t, which is not declared\n", "\(r.stderr)")
        let missing = Shell.run([Shell.nftctl, "compile", dir + "/missing.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "\(dir)/missing.json: error: no such file or directory\n", "\(missing.stderr)")
    }

    /// A JSON batch's `delete` of a rule (by handle, without statements) is said to be what
    /// it is, not a rule without statements.
    @Test func aDeletedRuleInABatchIsNamedAsSuch() throws {
        let doc = try Document.parse(
            #"{"nftables": [{"delete": {"rule": {"family": "inet", "table": "t", "chain": "c", "handle": 3}}}]}"#)
        let diagnostics = Validator.unsupportedParts(doc, locations: [nil], origin: "a.json")
        #expect(diagnostics.count == 1 && diagnostics[0].message.hasPrefix("'delete' of a rule cannot be part"), "\(diagnostics)")
    }
}
