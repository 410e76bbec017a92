import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Check packet assertions against FILE offline: `PACKET => accept|drop|reject|queue`, one a line.",
        discussion: """
            TESTS holds one assertion a line, e.g. `tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop` \
            (`#` starts a comment; blank lines are ignored; PACKET as in `nftctl trace`). `drop` also \
            holds for a reject. Each failing assertion is printed with its trace. \
            Exit status: 0 when all hold, 1 otherwise.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft.")
    var file: String

    @Argument(help: "The assertions file.")
    var tests: String

    func run() throws {
        let text: String
        do { text = try String(contentsOfFile: tests, encoding: .utf8) } catch {
            throw ValidationError("\(tests): cannot be read")
        }
        let assertions: [PacketAssertion]
        do { assertions = try PacketAssertion.parseFile(text, path: tests) } catch {
            printError(ErrorOutput.line(error))
            throw ExitCode.failure
        }
        let input = try InputLoader.load(file)
        let sim = Simulator(state: input.state)
        var passed = 0, failed = 0
        for a in assertions {
            let trace = sim.trace(a.packet)
            if a.holds(for: trace) { passed += 1; continue }
            failed += 1
            var out = "FAIL \(tests):\(a.line): \(a.packet.text) => expected \(a.expected.rawValue), got \(trace.verdict.rawValue)\n"
            for l in trace.renderText().split(separator: "\n", omittingEmptySubsequences: false) where !l.isEmpty {
                out += "    \(l)\n"
            }
            print(out, terminator: "")
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode.failure }
    }
}
