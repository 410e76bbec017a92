import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The rules loader through the real swiftc: every rules/ example evaluates to a document,
/// compile errors point at the user's file:line, print() does not corrupt the output.
@Suite(.serialized) struct RulesLoaderTests {
    static let rulesDir: String? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            let c = dir.appendingPathComponent("rules").path
            if FileManager.default.fileExists(atPath: c + "/seed-drop.swift") { return c }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static let examples = ["seed-drop", "haproxy-edge", "container-dnat", "workstation", "router"]

    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "nftctl-rules-test-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        // Rules programs of root run as nobody: the test's sources must be readable, which
        // they are (the loader copies them), and the directory traversable.
        chmod(d, 0o755)
        return d
    }

    @Test(arguments: examples)
    func exampleEvaluates(_ name: String) throws {
        let dir = try #require(Self.rulesDir, "rules/ not found")
        let path = "\(dir)/\(name).swift"
        let loaded = try RulesLoader.load(path)
        #expect(loaded.document.entries.count >= 3)
        #expect(loaded.locations.count == loaded.document.entries.count)
        #expect(loaded.locations.allSatisfy { $0?.file == path && ($0?.line ?? 0) > 0 })
        guard case .command(let first)? = loaded.document.entries.first, case .table = first.item else {
            Issue.record("first entry is not add table")
            return
        }
        try kernelAccepts(loaded.document, name: name)
    }

    @Test func seedDropIsTheSeedRule() throws {
        let dir = try #require(Self.rulesDir)
        let loaded = try RulesLoader.load("\(dir)/seed-drop.swift")
        let expectedRule = try JSON.parse(
            #"""
            {"add": {"rule": {"family": "ip", "table": "filter", "chain": "input", "expr": [
              {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "192.168.1.100"}},
              {"drop": null}]}}}
            """#)
        #expect(loaded.document.entries.last?.json == expectedRule)
        #expect(loaded.locations.last??.line == 6)
    }

    @Test func relativePathsStayRelative() throws {
        let cwd = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: cwd + "/rules/seed-drop.swift") else { return }
        let loaded = try RulesLoader.load("rules/seed-drop.swift")
        #expect(loaded.locations.first??.description == "rules/seed-drop.swift:9")
    }

    /// A compiler killed midway (out of memory) says so; its driver's line is otherwise
    /// dropped as a repeat of the diagnostics above it.
    @Test func aCompilerThatDiesSaysSo() {
        let stage = "/build/src/", byName = ["a.swift": "rules/a.swift"]
        let killed = RulesLoader.diagnostics(
            "error: compile command failed due to signal 9 (use -v to see invocation)\n", stage: stage, byName: byName)
        #expect(killed.contains("error: the Swift compiler stopped before it finished evaluating rules/a.swift"), "\(killed)")
        #expect(killed.contains("signal 9") && killed.contains("out of memory"), "\(killed)")
        let typo = RulesLoader.diagnostics(
            "/build/src/a.swift:3:1: error: cannot find 'x' in scope\nerror: compile command failed due to signal 9\n", stage: stage,
            byName: byName)
        #expect(typo == "rules/a.swift:3:1: error: cannot find 'x' in scope", "\(typo)")
    }

    @Test func compileErrorPointsAtTheUsersLine() throws {
        let d = try tempDir()
        let path = d + "/broken.swift"
        try """
        import NFTables
        let input = chain("input", hook: .input, priority: .filter) {
            rule(ip.saddr == 42, drop)
        }
        let ruleset = Ruleset { table("t", family: .ip) { input } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try RulesLoader.load(path)
            Issue.record("a broken rules file loaded")
        } catch let e as Problem {
            #expect(e.message.contains("\(path):3:"), "\(e.message)")
            #expect(!e.message.contains("/rules-"), "cache paths leak: \(e.message)")
            #expect(!e.message.contains("_nftctl_main"), "\(e.message)")
        }
    }

    @Test func structuralMistakesAreReadableCompileErrors() throws {
        let d = try tempDir()
        let path = d + "/nested.swift"
        try """
        import NFTables
        let input = chain("input", hook: .input, priority: .filter) {
            table("t", family: .ip) {}
        }
        let ruleset = Ruleset { table("t", family: .ip) { input } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try RulesLoader.load(path)
            Issue.record("a table inside a chain compiled")
        } catch let e as Problem {
            #expect(e.message.contains("\(path):3:"), "\(e.message)")
            #expect(e.message.contains("a table can only appear at the top level of a Ruleset"), "\(e.message)")
        }
    }

    @Test func missingRulesetIsOneClearError() throws {
        let d = try tempDir()
        let path = d + "/empty.swift"
        try "import NFTables\nlet rules = 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try RulesLoader.load(path)
            Issue.record("a file without ruleset loaded")
        } catch let e as Problem {
            #expect(e.message.contains("must define the ruleset"), "\(e.message)")
            #expect(e.message.contains(path), "\(e.message)")
        }
    }

    @Test func printDoesNotCorruptTheOutput() throws {
        let d = try tempDir()
        let path = d + "/chatty.swift"
        try """
        import NFTables
        let ruleset: Ruleset = {
            print("{\\"nftables\\": [garbage")
            print("hello from the rules file")
            return Ruleset { table("t", family: .ip) { chain("c") { rule(accept) } } }
        }()
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let loaded = try RulesLoader.load(path)
        #expect(loaded.document.entries.count == 3)
    }

    @Test func directoryOfFiles() throws {
        let d = try tempDir()
        try "import NFTables\nlet blocked = [\"10.0.0.1\", \"10.0.0.2\"]\n".write(
            toFile: d + "/data.swift", atomically: true, encoding: .utf8)
        try """
        import NFTables
        let input = chain("input", hook: .input, priority: .filter) {
            for b in blocked { rule(ip.saddr == Addr(b), drop) }
        }
        let ruleset = Ruleset { table("t", family: .ip) { input } }
        """.write(toFile: d + "/main-rules.swift", atomically: true, encoding: .utf8)
        let loaded = try RulesLoader.load(d)
        #expect(loaded.document.entries.count == 4)
        #expect(loaded.locations.last??.description == "\(d)/main-rules.swift:3")
    }

    @Test func missingFileIsAnError() {
        #expect(throws: Problem.self) { try RulesLoader.load("/nonexistent/rules.swift") }
    }

    /// Loads the document in a throw-away user+network namespace (never the host's ruleset).
    func kernelAccepts(_ doc: Document, name: String) throws {
        guard let unshare = RulesToolchain.which("unshare"), let nft = RulesToolchain.which("nft") else { return }
        let d = try tempDir()
        let file = "\(d)/\(name).json"
        try doc.json.serialized().write(toFile: file, atomically: true, encoding: .utf8)
        var child = ChildProcess(name: "nft", argv: [unshare, "-rn", nft, "-j", "-f", file], environment: [:], deadline: 60)
        child.mergeStderr = true
        let r = try child.run()
        let text = String(decoding: r.stdout, as: UTF8.self)
        if r.status != 0 && text.contains("Operation not permitted") { return }  // no user namespaces here
        #expect(r.status == 0, "\(name): nft refused the document: \(text)")
    }
}
