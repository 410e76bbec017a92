import Foundation
import Testing

/// `nftctl init DIR`: a rules directory that `check` and `test` pass as written, never
/// written over; and the progress line a cache miss prints (forced, since a test has no
/// terminal), absent when stderr is not a terminal.
@Suite(.serialized) struct InitCommandTests {
    static func tempDir(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-init-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            .path
    }

    @Test(.needsRoot) func initWritesARulesDirectoryThatChecksAndTestsPass() throws {
        let dir = Self.tempDir("ok") + "/rules"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let r = Shell.run([Shell.nftctl, "init", dir])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/firewall.swift"))
        let check = Shell.run([Shell.nftctl, "check", dir])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let test = Shell.run([Shell.nftctl, "test", dir, dir + "/firewall.tests"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains("8 passed, 0 failed"), "\(test.stdout)")
    }

    /// Each `--template` writes a directory that `check` (a throw-away namespace: root) and
    /// `test` pass as written, and the rules are that template's, not the server's.
    @Test(
        .needsRoot,
        arguments: [
            ("router", "masquerade"), ("load-balancer", "HAProxy to its backends"),
            ("container-host", "declares no forward chain"), ("server", "SSH from the admins set")
        ])
    func everyTemplateChecksAndTestsPass(template: String, marker: String) throws {
        let dir = Self.tempDir("tpl-\(template)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Shell.run([Shell.nftctl, "init", dir, "--template", template])
        try #require(r.status == 0, "\(r.stderr)")
        let rules = try String(contentsOfFile: dir + "/firewall.swift", encoding: .utf8)
        #expect(rules.contains(marker))
        let check = Shell.run([Shell.nftctl, "check", dir])
        #expect(check.status == 0, "\(template): \(check.stdout)\(check.stderr)")
        let test = Shell.run([Shell.nftctl, "test", dir, dir + "/firewall.tests"])
        #expect(test.status == 0, "\(template): \(test.stdout)\(test.stderr)")
        #expect(test.stdout.contains(" 0 failed"), "\(test.stdout)")
    }

    /// `--from-live` in a namespace: the written rules are that namespace's own table (the
    /// Docker-looking one left out, with a note), and `diff` of them against it changes nothing.
    @Test(.needsRoot) func fromLiveWritesTheLiveTablesSoDiffShowsNoChange() throws {
        guard let ns = TestNamespace.make("init --from-live") else { return }
        let load = ns.nftLoad(
            """
            table inet mine {
              set admins { type ipv4_addr; flags interval; elements = { 192.0.2.0/24 } }
              chain input { type filter hook input priority filter; policy drop;
                iifname "lo" accept
                ct state established,related accept
                tcp dport 22 ip saddr @admins accept comment "ssh"
              }
            }
            table ip nat {
              chain DOCKER { }
              chain PREROUTING { type nat hook prerouting priority dstnat; fib daddr type local jump DOCKER; }
            }
            """)
        try #require(load.status == 0, "\(load.stderr)")
        let dir = Self.tempDir("live")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Shell.run([Shell.nftctl, "init", dir, "--from-live", "--netns", ns.name])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("left out ip nat (Docker's)"), "\(r.stderr)")
        let rules = try String(contentsOfFile: dir + "/firewall.swift", encoding: .utf8)
        #expect(rules.contains("table(\"mine\", family: .inet)"), "\(rules)")
        #expect(!rules.contains("DOCKER"), "\(rules)")
        #expect(FileManager.default.fileExists(atPath: dir + "/firewall.tests"))
        let diff = Shell.run([Shell.nftctl, "diff", "--netns", ns.name, dir])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("0 to add, 0 to change, 0 to delete"), "\(diff.stdout)")
        let test = Shell.run([Shell.nftctl, "test", dir, dir + "/firewall.tests"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")

        // A table named with --table that is not there: an error naming it, nothing written.
        let none = Self.tempDir("live-none")
        let missing = Shell.run([Shell.nftctl, "init", none, "--from-live", "--netns", ns.name, "--table", "inet", "nope"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("has no table inet nope"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: none))
    }

    /// The directory is a SwiftPM package on this checkout's DSL sources: `swift build` in it
    /// type-checks the rules (a type error fails it, naming the rules file), and neither the
    /// manifest nor `.build/` is then taken for a rules file by `nftctl check`.
    @Test(.needsRoot) func theDirectoryIsAPackageThatSwiftBuildTypeChecks() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources").path
        let dir = Self.tempDir("package")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Shell.run([Shell.nftctl, "init", dir, "--template", "load-balancer"], environment: ["NFTCTL_DSL_SOURCES": sources])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote \(dir)/Package.swift"), "\(r.stdout)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/.nftctl-dsl") == sources)
        let build = Shell.run(["swift", "build"], directory: dir)
        #expect(build.status == 0, "\(build.stdout)\(build.stderr)")
        let check = Shell.run([Shell.nftctl, "check", dir])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("1 table"), "\(check.stdout)")

        let file = dir + "/firewall.swift"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "let backendPort = 8080", with: "let backendPort = 8080\nlet wrong: Int = backendPort + \"1\"")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let broken = Shell.run(["swift", "build"], directory: dir)
        #expect(broken.status != 0)
        #expect((broken.stdout + broken.stderr).contains("firewall.swift"), "\(broken.stdout)\(broken.stderr)")
    }

    @Test func anUnknownTemplateIsAUsageError() {
        let dir = Self.tempDir("badtpl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = Shell.run([Shell.nftctl, "init", dir, "--template", "firewall"])
        #expect(r.status == 2, "\(r.status) \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func initRefusesToOverwriteAndWritesNothing() throws {
        let dir = Self.tempDir("refuse")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Only the tests file exists: the rules file must not be written either.
        try "mine\n".write(toFile: dir + "/firewall.tests", atomically: true, encoding: .utf8)
        let r = Shell.run([Shell.nftctl, "init", dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/firewall.tests: already exists"), "\(r.stderr)")
        #expect(try String(contentsOfFile: dir + "/firewall.tests", encoding: .utf8) == "mine\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/firewall.swift"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/Package.swift"))
    }

    @Test func aCacheMissSaysWhatItCompiles() throws {
        let dir = Self.tempDir("progress")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(Shell.run([Shell.nftctl, "init", dir]).status == 0)
        // A comment no earlier run has compiled: the rules program is not in the cache.
        let file = dir + "/firewall.swift"
        let text = try String(contentsOfFile: file, encoding: .utf8) + "// \(UUID().uuidString)\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let forced = Shell.run([Shell.nftctl, "compile", dir], environment: ["NFTCTL_PROGRESS": "1"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("nftctl: compiling \(dir) (1 file; cached afterwards)…"), "\(forced.stderr)")
        // Cached now, and stderr is a pipe: nothing.
        let quiet = Shell.run([Shell.nftctl, "compile", dir])
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("nftctl: "), "\(quiet.stderr)")
    }
}
