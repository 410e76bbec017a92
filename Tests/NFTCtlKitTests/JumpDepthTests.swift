import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The kernel loads 15 jumps in a row from a base chain and refuses 16 (measured with nft
/// 1.0.6): validation says the same before the kernel is asked.
struct JumpDepthTests {
    func errors(jumps n: Int) throws -> [Diagnostic] {
        var lines = [
            #"{"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}"#,
            #",{"add": {"chain": {"family": "ip", "table": "t", "name": "c0", "type": "filter", "hook": "input", "prio": 0}}}"#
        ]
        for i in 1...n { lines.append(#",{"add": {"chain": {"family": "ip", "table": "t", "name": "c\#(i)"}}}"#) }
        for i in 0..<n {
            lines.append(
                #",{"add": {"rule": {"family": "ip", "table": "t", "chain": "c\#(i)", "expr": [{"jump": {"target": "c\#(i + 1)"}}]}}}"#)
        }
        lines.append("]}")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-depth-\(getpid())-\(n).json").path
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return Validator.validate(try InputLoader.load(file).state).filter { $0.severity == .error }
    }

    @Test func fifteenJumpsPassAndSixteenAreRefused() throws {
        #expect(try errors(jumps: 15).isEmpty)
        let deep = try errors(jumps: 16)
        #expect(deep.count == 1 && deep[0].message.contains("at most 15 jumps"), "\(deep)")
    }
}
