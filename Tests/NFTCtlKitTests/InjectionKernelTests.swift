import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Injection through every string a ruleset carries (comment, table/chain/set name,
/// interface name, log prefix, string set element) in `.json` and `.nft` input: each
/// payload is either refused with an error naming the file, or applied as written in a
/// test namespace where afterwards only the declared table was added and a foreign table
/// (made by `nft` before) is byte-identical. No output of nftctl (check, diff, apply, list,
/// explain, errors) carries a raw ESC, CR or other control character, or a forged line.
@Suite(.serialized) struct InjectionKernelTests {
    enum Position: String, CaseIterable { case tableName, chainName, setName, comment, interface, logPrefix, element }

    static let payloads: [(label: String, value: String)] = [
        ("quote", "\"; flush ruleset; \""),
        ("brace", "}"),
        ("hash", "#"),
        ("newline", "x\n+ table ip injected"),
        ("ansi", "\u{1b}[31mRED\u{1b}]0;title\u{7}")
    ]

    static let foreign = """
        table ip foreign {
        \tchain c {
        \t\ttype filter hook input priority 0; policy accept;
        \t\tcounter comment "keep me"
        \t}
        }
        """

    /// Harmless payloads nft can write in a quoted string are applied; everything else is refused.
    static func accepted(_ label: String, _ p: Position) -> Bool {
        ["brace", "hash"].contains(label) && [.comment, .interface, .logPrefix, .element].contains(p)
    }

    static func values(_ p: Position, _ payload: String) -> [Position: String] {
        var v: [Position: String] = [
            .tableName: "inj", .chainName: "c", .setName: "s", .comment: "note",
            .interface: "lo", .logPrefix: "pfx", .element: "eth0"
        ]
        v[p] = payload
        return v
    }

    static func json(_ v: [Position: String]) -> String {
        func s(_ p: Position) -> String { JSON.string(v[p]!).serialized() }
        return """
            {"nftables": [
              {"add": {"table": {"family": "inet", "name": \(s(.tableName))}}},
              {"add": {"set": {"family": "inet", "table": \(s(.tableName)), "name": \(s(.setName)), "type": "ifname", "elem": ["eth9", \(s(.element))]}}},
              {"add": {"chain": {"family": "inet", "table": \(s(.tableName)), "name": \(s(.chainName)), "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
              {"add": {"rule": {"family": "inet", "table": \(s(.tableName)), "chain": \(s(.chainName)), "comment": \(s(.comment)), "expr": [
                {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": \(s(.interface))}},
                {"log": {"prefix": \(s(.logPrefix))}}, {"accept": null}]}}}
            ]}
            """
    }

    static func nft(_ v: [Position: String]) -> String {
        """
        table inet \(v[.tableName]!) {
        \tset \(v[.setName]!) {
        \t\ttype ifname
        \t\telements = { "eth9", "\(v[.element]!)" }
        \t}
        \tchain \(v[.chainName]!) {
        \t\ttype filter hook input priority 0; policy accept;
        \t\tiifname "\(v[.interface]!)" log prefix "\(v[.logPrefix]!)" accept comment "\(v[.comment]!)"
        \t}
        }
        """
    }

    /// Output with no raw control character (newline and tab aside) and no line forged by a payload.
    static func expectClean(_ output: String, _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let bad = output.unicodeScalars.filter { SafeText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }
        #expect(
            bad.isEmpty, "\(what): raw control characters \(bad.map { String($0.value, radix: 16) }): \(output)",
            sourceLocation: sourceLocation)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            // libnftables' syntax errors quote the file's own line with a caret line under
            // it: that is the user's text shown as such, not a line nftctl printed.
            if i + 1 < lines.count, lines[i + 1].drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("^") { continue }
            let t = line.drop { $0 == " " || $0 == "\t" }
            #expect(
                !t.hasPrefix("+ table ip injected") && !t.hasPrefix("table ip injected") && !t.hasPrefix("flush ruleset"),
                "\(what): forged line \(line)", sourceLocation: sourceLocation)
        }
    }

    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-inj-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func nftctl(_ args: [String]) -> Shell.Result {
        Shell.run([Shell.nftctl] + args, environment: ["NFTCTL_STATE_DIR": dir.appendingPathComponent("state").path])
    }

    @Test(.needsRoot, arguments: ["json", "nft"])
    func payloadsAreRefusedOrAppliedAsWritten(format: String) throws {
        guard let ns = TestNamespace.make("injection through names, comments and strings (\(format))") else { return }
        defer { try? FileManager.default.removeItem(at: dir) }
        var refused = 0, applied = 0
        for (label, payload) in Self.payloads {
            for position in Position.allCases {
                let what = "\(format) \(label) in \(position.rawValue)"
                _ = ns.exec(["nft", "flush", "ruleset"])
                #expect(ns.nftLoad(Self.foreign).status == 0)
                let before = ns.exec(["nft", "list", "table", "ip", "foreign"]).stdout
                let v = Self.values(position, payload)
                let file = dir.appendingPathComponent("\(label)-\(position.rawValue).\(format)").path
                try (format == "json" ? Self.json(v) : Self.nft(v)).write(toFile: file, atomically: true, encoding: .utf8)

                let check = nftctl(["check", file])
                let diff = nftctl(["diff", "--netns", ns.name, file])
                let apply = nftctl(["apply", "--netns", ns.name, "--yes", file])
                let explain = nftctl(["explain", file])
                let mermaid = nftctl(["explain", "--format", "mermaid", file])
                for (name, r) in [("check", check), ("diff", diff), ("apply", apply), ("explain", explain), ("mermaid", mermaid)] {
                    Self.expectClean(r.stdout + r.stderr, "\(what): \(name)")
                }
                let tables = ns.exec(["nft", "list", "tables"]).stdout
                #expect(ns.exec(["nft", "list", "table", "ip", "foreign"]).stdout == before, "\(what): foreign table changed")
                if Self.accepted(label, position) {
                    applied += 1
                    #expect(check.status == 0, "\(what): check refused: \(check.stderr)")
                    #expect(apply.status == 0, "\(what): apply failed: \(apply.stderr)")
                    #expect(tables == "table ip foreign\ntable inet inj\n", "\(what): tables are \(tables)")
                    // Applied as written: nft itself lists the payload inside the declared table.
                    #expect(ns.exec(["nft", "list", "table", "inet", "inj"]).stdout.contains(payload), "\(what): payload not applied")
                    for args in [
                        ["list", "--netns", ns.name], ["list", "--netns", ns.name, "--format", "json"],
                        ["explain", "--live", "--netns", ns.name], ["diff", "--netns", ns.name, file]
                    ] {
                        let r = nftctl(args)
                        Self.expectClean(r.stdout + r.stderr, "\(what): \(args.joined(separator: " "))")
                    }
                    #expect(nftctl(["diff", "--netns", ns.name, file]).status == 0, "\(what): not up to date after apply")
                } else {
                    refused += 1
                    for (name, r) in [("check", check), ("diff", diff), ("apply", apply)] {
                        #expect(r.status == (name == "diff" ? 2 : 1), "\(what): \(name) exit \(r.status): \(r.stdout)\(r.stderr)")
                        #expect(r.stderr.contains(file), "\(what): \(name) error does not name the file: \(r.stderr)")
                    }
                    #expect(!check.stdout.contains("ok"), "\(what): check said ok")
                    #expect(tables == "table ip foreign\n", "\(what): tables are \(tables)")
                }
            }
        }
        #expect(refused == 27 && applied == 8)
    }

    /// What another program wrote into the kernel (names and strings nft syntax cannot
    /// hold, written through libnftables JSON) reaches list, diff and explain escaped.
    @Test(.needsRoot) func foreignEvilRulesetIsEscapedInEveryOutput() throws {
        guard let ns = TestNamespace.make("escaping of a live ruleset another program wrote") else { return }
        defer { try? FileManager.default.removeItem(at: dir) }
        let evil = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/escape/esc.json").path
        let load = ns.exec(["nft", "-j", "-f", evil])
        #expect(load.status == 0, "nft refused the fixture: \(load.stderr)")
        let mine = dir.appendingPathComponent("mine.json").path
        try #"{"nftables": [{"add": {"table": {"family": "ip", "name": "mine"}}}]}"#.write(toFile: mine, atomically: true, encoding: .utf8)
        var outputs: [String: Shell.Result] = [:]
        for args in [
            ["list", "--netns", ns.name], ["list", "--netns", ns.name, "--format", "json"],
            ["explain", "--live", "--netns", ns.name], ["explain", "--live", "--netns", ns.name, "--format", "mermaid"],
            ["explain", "--live", "--netns", ns.name, "--format", "json"],
            ["diff", "--netns", ns.name, mine], ["apply", "--netns", ns.name, "--yes", "--prune", mine]
        ] {
            let r = nftctl(args)
            Self.expectClean(r.stdout + r.stderr, args.joined(separator: " "))
            outputs[args.joined(separator: " ")] = r
        }
        let list = outputs["list --netns \(ns.name)"]!
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("table ip \"t\\x1b[31mRED\\x1b[0m\\x22q'\\x0a+ table ip injected  # fake line\" {"))
        #expect(list.stdout.contains("comment \"hello\\x1b[2J\\x1b[H\\x0d\\x0aFAKE: 0 to add, 0 to change, 0 to delete.\""))
        #expect(!list.stdout.split(separator: "\n").contains { $0.hasPrefix("FAKE") })
        // The JSON listing is valid JSON and carries the names exactly.
        let json = try JSON.parse(outputs["list --netns \(ns.name) --format json"]!.stdout)
        #expect(json.serialized().contains("\\u001b[31mRED"))
    }

    /// nft strings have no escapes: a backslash is itself, and goes as nft syntax (with a
    /// table comment, which JSON would lose); a quote cannot be written at all.
    @Test(.needsRoot) func backslashesGoAsTheyAre() throws {
        guard let k = AgainstNft("backslash strings") else { return }
        let text =
            "table inet t {\n\tcomment \"x\"\n\tchain c {\n\t\ttcp dport 1 accept comment \"a\\b\"\n"
            + "\t\ttcp dport 2 accept comment \"end\\\"\n\t\tlog prefix \"p\\t\"\n\t}\n}\n"
        try k.expectAppliesAsNft(text)
        #expect(TextBatch.isSafe("a\\b") && !TextBatch.isSafe("a\"b") && !TextBatch.isSafe("a\nb"))
    }
}
