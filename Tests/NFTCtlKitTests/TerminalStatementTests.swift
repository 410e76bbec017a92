import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Mistakes libnftables reports without a place are reported at the user's line.
struct TerminalStatementTests {
    func diagnostics(_ rules: [String]) throws -> [Diagnostic] {
        let lines =
            [
                #"{"nftables": ["#, #"{"add": {"table": {"family": "ip", "name": "t"}}},"#,
                #"{"add": {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0}}}"#
            ]
            + rules.map { #",{"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [\#($0)]}}}"# } + ["]}"]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-terminal-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        ).path
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return Validator.validate(try InputLoader.load(file).state)
    }

    @Test func aStatementAfterAVerdictIsAnErrorAtItsLine() throws {
        let d = try diagnostics([
            #"{"accept": null}, {"counter": null}"#, #"{"counter": null}, {"drop": null}"#,
            #"{"continue": null}, {"counter": null}"#, #"{"reject": null}, {"log": {"prefix": "x"}}"#
        ])
        let errors = d.filter { $0.severity == .error }
        #expect(errors.count == 2, "\(d)")
        #expect(errors.first { $0.location?.line == 4 }?.message.contains("`counter` after `accept` never runs") == true, "\(d)")
        #expect(errors.contains { $0.location?.line == 7 && $0.message.contains("after `reject") }, "\(d)")
    }

    @Test func aVerdictMapTakesOnlyVerdicts() throws {
        let vmap =
            #"{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, {"accept": null}], [80, "not a verdict: counter"]]}}}"#
        let d = try diagnostics([vmap])
        #expect(
            d.contains {
                $0.severity == .error && $0.location?.line == 4 && $0.message.contains("needs a verdict")
                    && $0.message.contains("not `counter`")
            }, "\(d)")
    }
}
