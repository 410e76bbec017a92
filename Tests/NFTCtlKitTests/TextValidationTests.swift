import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Names, comments, log prefixes, interface names and string values that nft syntax cannot
/// write or the kernel cannot hold are validation errors at the user's file:line, so
/// `check`, `compile`, `diff` and `apply` refuse them before anything reaches libnftables.
/// Deletes and flushes of objects a file does not declare are errors too.
struct TextValidationTests {
    static let fixtures = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/escape")

    /// A JSON input with one table, one base chain and one rule; `table`, `chain`, `rule`
    /// are extra JSON members for each (`"comment": ...`), `expr` the rule's statements.
    static func document(
        tableName: String = "t", chainName: String = "c", table: String = "", chain: String = "",
        rule: String = "", expr: String = #"[{"accept": null}]"#, extra: String = ""
    ) -> String {
        let t = JSON.string(tableName).serialized(), c = JSON.string(chainName).serialized()
        return """
            {"nftables": [
              {"add": {"table": {"family": "inet", "name": \(t)\(table)}}},
              {"add": {"chain": {"family": "inet", "table": \(t), "name": \(c), "type": "filter", "hook": "input", "prio": 0, "policy": "accept"\(chain)}}},
              {"add": {"rule": {"family": "inet", "table": \(t), "chain": \(c), "expr": \(expr)\(rule)}}}\(extra.isEmpty ? "" : ",\n  " + extra)
            ]}
            """
    }

    static func diagnostics(_ text: String, file: String = "in.json") throws -> [Diagnostic] {
        Validator.validate(try InputLoader.loadJSON(file, text: text).state)
    }

    static func string(_ s: String) -> String { JSON.string(s).serialized() }

    func expectRefused(_ text: String, _ needle: String, line: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let d = try Self.diagnostics(text).errors
        #expect(!d.isEmpty, "accepted: \(text)", sourceLocation: sourceLocation)
        for e in d {
            #expect(e.description.hasPrefix("in.json:\(line): error: "), "\(e)", sourceLocation: sourceLocation)
            #expect(
                !e.description.unicodeScalars.contains(where: SafeText.isUnsafe), "raw control character in \(e)",
                sourceLocation: sourceLocation)
        }
        #expect(d.contains { $0.description.contains(needle) }, "expected '\(needle)' in \(d)", sourceLocation: sourceLocation)
    }

    /// The reproduction of the trust issue: escape sequences, CR and a newline that forged a
    /// `+ table` line. `check` said "ok"; now every one is an error naming the file.
    @Test func escapeReproductionIsRefused() throws {
        let path = Self.fixtures.appendingPathComponent("esc.json").path
        let d = Validator.validate(try InputLoader.load(path).state).errors
        #expect(d.count == 3)
        for e in d {
            #expect(e.description.hasPrefix("\(path):1: error: "))
            #expect(e.description.contains("control character (\\x1b)"))
            #expect(!e.description.contains("\n") && !e.description.contains("\r") && !e.description.contains("\u{1b}"))
        }
    }

    @Test func controlCharactersAndQuotesAreRefusedEverywhere() throws {
        for bad in ["a\u{1b}[31m", "a\rb", "a\nb", "a\u{7f}", "a\u{9b}1m", "a\u{202e}b", "a\"b", "a\tb"] {
            let what = bad.contains("\"") ? "nft syntax cannot quote" : "control character"
            try expectRefused(Self.document(table: ", \"comment\": \(Self.string(bad))"), what, line: 2)
            try expectRefused(Self.document(chain: ", \"comment\": \(Self.string(bad))"), what, line: 3)
            try expectRefused(Self.document(rule: ", \"comment\": \(Self.string(bad))"), what, line: 4)
            try expectRefused(Self.document(expr: #"[{"log": {"prefix": \#(Self.string(bad))}}]"#), what, line: 4)
            try expectRefused(
                Self.document(
                    expr:
                        #"[{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": \#(Self.string(bad))}}, {"accept": null}]"#
                ),
                what, line: 4)
            try expectRefused(
                Self.document(
                    extra:
                        #"{"add": {"set": {"family": "inet", "table": "t", "name": "s", "type": "ifname", "elem": [\#(Self.string(bad))]}}}"#
                ),
                what, line: 5)
        }
    }

    @Test func namesMustBeNftIdentifiers() throws {
        for bad in ["x; flush ruleset", "a}b", "a#b", "1abc", "a b", "t\u{1b}x", "", "a\nb"] {
            try expectRefused(Self.document(tableName: bad), bad.isEmpty ? "cannot be empty" : "name", line: 2)
            try expectRefused(Self.document(chainName: bad), bad.isEmpty ? "name" : "name", line: 3)
        }
        let set = #"{"add": {"set": {"family": "inet", "table": "t", "name": "s s", "type": "ipv4_addr"}}}"#
        try expectRefused(Self.document(extra: set), "is not a name nft can write", line: 5)
        let counter = #"{"add": {"counter": {"family": "inet", "table": "t", "name": "k\u001b"}}}"#
        try expectRefused(Self.document(extra: counter), "control character", line: 5)
        let flowtable =
            #"{"add": {"flowtable": {"family": "inet", "table": "t", "name": "f{", "hook": "ingress", "prio": 0, "dev": "lo"}}}"#
        try expectRefused(Self.document(extra: flowtable), "is not a name nft can write", line: 5)
        #expect(try Self.diagnostics(Self.document(tableName: "_a.b-c/d", chainName: "Input.2")).errors.isEmpty)
    }

    /// nft 1.0.6's limits: comments 128 bytes (longer ones fail in libnftables with
    /// "Memory allocation failure" naming no file), names 255, log prefixes 127 (a
    /// 200-byte prefix smashes libnftables' stack), interface names 15.
    @Test func lengthsAreLimited() throws {
        let ok128 = String(repeating: "a", count: 128)
        #expect(try Self.diagnostics(Self.document(rule: ", \"comment\": \"\(ok128)\"")).errors.isEmpty)
        try expectRefused(
            Self.document(rule: ", \"comment\": \"\(String(repeating: "a", count: 300))\""),
            "the comment is 300 bytes long; at most 128 are allowed", line: 4)
        try expectRefused(Self.document(table: ", \"comment\": \"\(String(repeating: "é", count: 65))\""), "130 bytes", line: 2)
        #expect(
            try Self.diagnostics(Self.document(expr: #"[{"log": {"prefix": "\#(String(repeating: "p", count: 127))"}}]"#)).errors.isEmpty)
        try expectRefused(
            Self.document(expr: #"[{"log": {"prefix": "\#(String(repeating: "p", count: 200))"}}]"#),
            "the log prefix is 200 bytes long; at most 127", line: 4)
        #expect(try Self.diagnostics(Self.document(tableName: String(repeating: "n", count: 255))).errors.isEmpty)
        try expectRefused(Self.document(tableName: String(repeating: "n", count: 256)), "256 bytes long; the kernel allows 255", line: 2)
        let iif = #"[{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "%@"}}, {"accept": null}]"#
        #expect(try Self.diagnostics(Self.document(expr: iif.replacingOccurrences(of: "%@", with: "abcdefghijklmno"))).errors.isEmpty)
        try expectRefused(
            Self.document(expr: iif.replacingOccurrences(of: "%@", with: "abcdefghijklmnop")),
            "the interface name is 16 bytes long; at most 15", line: 4)
        let dev = #", "dev": "abcdefghijklmnop""#
        let netdev = """
            {"nftables": [{"add": {"table": {"family": "netdev", "name": "t"}}},
            {"add": {"chain": {"family": "netdev", "table": "t", "name": "c", "type": "filter", "hook": "ingress", "prio": 0\(dev)}}}]}
            """
        let d = try Self.diagnostics(netdev).errors
        #expect(d.contains { $0.description.hasPrefix("in.json:2: error: chain netdev t c: the interface name is 16 bytes long") })
    }

    /// `delete`/`flush` of a table (or chain, set, ...) the file does not declare did nothing
    /// without a word; now it is an error at its line.
    @Test func deleteOrFlushOfUndeclaredObjectsIsAnError() throws {
        for cmd in [
            #"{"delete": {"table": {"family": "ip", "name": "old"}}}"#,
            #"{"flush": {"table": {"family": "ip", "name": "old"}}}"#,
            #"{"flush": {"chain": {"family": "inet", "table": "t", "name": "nosuch"}}}"#,
            #"{"delete": {"set": {"family": "inet", "table": "t", "name": "nosuch"}}}"#,
            #"{"delete": {"counter": {"family": "inet", "table": "t", "name": "nosuch"}}}"#
        ] {
            let text = Self.document(extra: cmd)
            do {
                _ = try InputLoader.loadJSON("in.json", text: text)
                Issue.record("accepted \(cmd)")
            } catch let e as Problem {
                #expect(e.message.hasPrefix("in.json:5: "), "\(e.message)")
                #expect(e.message.contains("does not declare it"), "\(e.message)")
            }
        }
        // Deleting what the file declared earlier is still fine (the usual idempotent idiom).
        let redo = Self.document(
            extra: #"{"delete": {"table": {"family": "inet", "name": "t"}}}, {"add": {"table": {"family": "inet", "name": "t"}}}"#)
        #expect(try InputLoader.loadJSON("in.json", text: redo).state.tables.count == 1)
    }

    /// `check`, `compile` and `diff` refuse the reproduction before anything reaches
    /// libnftables, with every error on one escaped line naming the file.
    @Test func commandsRefuseTheReproduction() {
        let path = Self.fixtures.appendingPathComponent("esc.json").path
        for (args, code) in [(["check", path], Int32(1)), (["compile", path], 1), (["diff", path, "--against", path], 2)] {
            let r = Shell.run([Shell.nftctl] + args)
            #expect(r.status == code, "\(args): exit \(r.status): \(r.stderr)")
            #expect(
                r.stderr.contains("\(path):1: error: table ip \"t\\x1b[31mRED\\x1b[0m\\x22q'\\x0a+ table ip injected  # fake line\""),
                "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("ok") && !r.stdout.contains("nftables"), "\(args): \(r.stdout)")
            let all = r.stdout + r.stderr
            #expect(!all.unicodeScalars.contains { SafeText.isUnsafe($0) && $0 != "\n" }, "\(args): raw control character")
            #expect(!all.split(separator: "\n").contains { $0.hasPrefix("+ table") || $0.hasPrefix("FAKE") }, "\(args): forged line")
        }
    }

    /// In an `.nft` file libnftables itself refuses a delete or flush of a table that is not
    /// there (the file is loaded into an empty namespace); the error names the file and line.
    @Test func nftDeleteOfUndeclaredTableNamesTheLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-del-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, cmd) in ["delete table ip old", "flush table ip old"].enumerated() {
            let path = dir.appendingPathComponent("del\(i).nft").path
            try "table ip t {\n}\n\(cmd)\n".write(toFile: path, atomically: true, encoding: .utf8)
            let r = Shell.run([Shell.nftctl, "check", path])
            #expect(r.status == 1, "\(cmd): exit \(r.status)")
            #expect(r.stderr.contains("\(path):3:"), "\(cmd): \(r.stderr)")
        }
    }

    /// A 300-byte rule comment made libnftables fail with `netlink_linearize.c:1686: Memory
    /// allocation failure`, naming no file; now `check` names the file and line.
    @Test func longCommentIsRefusedAtItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-long-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.document(rule: ", \"comment\": \"\(String(repeating: "c", count: 300))\"").write(
            toFile: path, atomically: true, encoding: .utf8)
        let r = Shell.run([Shell.nftctl, "check", path])
        #expect(r.status == 1)
        #expect(
            r.stderr.contains("\(path):4: error: rule 1 of chain inet t c: the comment is 300 bytes long; at most 128 are allowed"),
            "\(r.stderr)")
        #expect(!r.stderr.contains("Memory allocation failure"))
    }
}
