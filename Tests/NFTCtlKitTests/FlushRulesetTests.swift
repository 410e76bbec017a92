import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// `flush ruleset` in an `.nft` file is not silently dropped: nftctl says at its line that
/// it is ignored (other programs' tables are left alone), in `check`, `diff` and `apply`.
struct FlushRulesetTests {
    @Test func eachFlushRulesetIsNamedAtItsLine() {
        let notes = InputLoader.ignoredCommandNotes(
            "flush ruleset\ntable ip t {\n}\n  flush ruleset ; # again\n# flush ruleset\nflush table ip t\n",
            file: "f.nft")
        #expect(notes.map(\.location?.line) == [1, 4])
        #expect(notes.allSatisfy { $0.severity == .warning && $0.description.contains("leaves every other table") })
    }

    /// `delete table` too: nft would delete the table, nftctl does not.
    @Test func eachDeleteTableIsNamedAtItsLine() {
        let notes = InputLoader.ignoredCommandNotes(
            "table inet x {\n}\ndelete table inet x\ndelete table y ; delete chain inet x c\n# delete table inet z\n", file: "f.nft")
        #expect(notes.map(\.location?.line) == [3, 4])
        #expect(notes.first?.description.contains("delete table inet x: ignored") == true, "\(notes)")
        #expect(notes.allSatisfy { $0.severity == .warning && $0.description.contains("apply --prune") })
        // Made again after it (the file ends with it): started afresh, as nft would.
        let again = InputLoader.ignoredCommandNotes(
            "table inet x\ndelete table inet x\ntable inet x {\n}\ndelete table y\n", file: "f.nft",
            declared: [TableKey(family: "inet", name: "x")])
        #expect(again.map(\.location?.line) == [5])
    }

    @Test func checkWarnsAndStillPasses() throws {
        guard SandboxTests.available else { return }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-flush.nft").path
        try "flush ruleset\ntable inet f {\n\tchain c {\n\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = Shell.run([Shell.nftctl, "check", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(file):1: warning: flush ruleset: ignored"), "\(r.stderr)")
    }
}
