import Foundation
import NFTModel
import Testing

@testable import NFTCtlKit

/// Rules files are untrusted code: the trust issue's hostile rules files, run through the
/// nftctl binary with a cache of their own (one DSL library build for the whole suite).
@Suite(.serialized) struct RulesSandboxTests {
    static let cache: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-sandbox-cache-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }()

    static func fixture(_ name: String) -> String {
        Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/rules-sandbox/\(name)").path
    }

    func compile(_ name: String, _ env: [String: String] = [:]) -> Shell.Result {
        Shell.run([Shell.nftctl, "compile", Self.fixture(name)], environment: ["NFTCTL_CACHE": Self.cache].merging(env) { $1 })
    }

    static func processes(matching pattern: String) -> String {
        Shell.run(["pgrep", "-a", "-f", pattern]).stdout.split(separator: "\n")
            .filter { !$0.contains("pgrep") }.joined(separator: "\n")
    }

    @Test func aRulesProgramCannotTamperWithTheNextBuild() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/sec-atk")
        let evil = compile("evil.swift")
        #expect(evil.status == 0, "\(evil.stderr)")
        let victim = compile("victim.swift")
        #expect(victim.status == 0, "\(victim.stderr)")
        #expect(victim.stdout.contains(#""name": "filter""#), "the victim's own table is missing")
        #expect(!victim.stdout.contains("pwned"), "the attacker's table was applied instead")
        // The watcher lived in the sandbox's own /tmp and PID namespace: gone with it.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/sec-atk"), "the rules program wrote into the host's /tmp")
        #expect(Self.processes(matching: "sec-atk/w.sh").isEmpty, "a process outlived the evaluation")
        // Everything in the cache is ours, with no set-id bit.
        let fm = FileManager.default
        let e = try #require(fm.enumerator(atPath: Self.cache))
        var checked = 0
        while let rel = e.nextObject() as? String {
            var st = stat()
            #expect(lstat("\(Self.cache)/\(rel)", &st) == 0)
            #expect(st.st_uid == geteuid(), "\(rel) is owned by uid \(st.st_uid)")
            #expect(st.st_mode & 0o6000 == 0, "\(rel) has a set-id bit")
            #expect(st.st_mode & 0o022 == 0, "\(rel) is writable by others")
            checked += 1
        }
        #expect(checked > 3)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) from util-linux for a terminal"))
    func aRulesProgramCannotTypeIntoTheCallersTerminal() throws {
        try? FileManager.default.removeItem(atPath: "/tmp/sec-tiocsti-proof")
        // nftctl runs with a terminal as its controlling terminal and on every descriptor.
        let command = "NFTCTL_CACHE='\(Self.cache)' '\(Shell.nftctl)' compile '\(Self.fixture("tiocsti.swift"))'"
        let r = Shell.run(["script", "-q", "-e", "-c", command, "/dev/null"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        // The table is named after the number of characters the program managed to inject.
        #expect(r.stdout.contains(#""name": "t0""#), "characters were injected into the terminal: \(r.stdout.suffix(400))")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/sec-tiocsti-proof"))
    }

    @Test func aRulesProgramThatNeverEndsIsStopped() {
        let r = compile("hang.swift", ["NFTCTL_RULES_TIMEOUT": "3"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("deadline of 3 s") && r.stderr.contains("NFTCTL_RULES_TIMEOUT"), "\(r.stderr)")
    }

    @Test func theEnvironmentIsClearedButForRulesVariables() {
        let r = compile("environment.swift", ["NFTCTL_VAR_SITE": "berlin", "NFTCTL_TEST_SECRET": "hunter2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("site_berlin"), "NFTCTL_VAR_ variables must reach the rules program")
        #expect(r.stdout.contains("secret_unset") && !r.stdout.contains("hunter2"), "nftctl's environment leaked")
    }

    @Test func aDetachedChildNeitherBlocksNorOutlivesTheEvaluation() {
        let r = compile("detach.swift")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("detached0"))
        #expect(Self.processes(matching: "sleep 987654").isEmpty, "the detached child is still running")
    }

    @Test func outputBeyondTheLimitIsRefused() {
        let r = compile("flood.swift", ["NFTCTL_RULES_MAX_OUTPUT": "1000000"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("wrote more than 1000000 bytes"), "\(r.stderr)")
    }

    @Test func aCacheOthersCanWriteIsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-foreign-\(getpid())").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o777)
        let writable = Shell.run([Shell.nftctl, "compile", Self.fixture("victim.swift")], environment: ["NFTCTL_CACHE": base])
        #expect(writable.status == 1)
        #expect(
            writable.stderr.contains("refusing to use \(base)") && writable.stderr.contains("writable by group or others"),
            "\(writable.stderr)")
    }

    @Test(.needsRoot) func aCacheAnotherUserOwnsIsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-foreign-owner-\(getpid())").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        chmod(base, 0o755)
        chown(base, 65534, 65534)
        let foreign = Shell.run([Shell.nftctl, "compile", Self.fixture("victim.swift")], environment: ["NFTCTL_CACHE": base])
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("owned by uid 65534"), "\(foreign.stderr)")
    }

    @Test func rulesInAPrivateDirectoryCompile() throws {
        let dir = try #require(Shell.run(["mktemp", "-d"]).stdout.split(separator: "\n").first.map(String.init))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o700)
        try FileManager.default.copyItem(atPath: Self.fixture("victim.swift"), toPath: "\(dir)/rules.swift")
        let r = Shell.run(
            ["sh", "-c", "cd '\(dir)' && exec '\(Shell.nftctl)' check rules.swift"],
            environment: ["NFTCTL_CACHE": Self.cache])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// The sandbox shows the system's programs and libraries, not the rest of the host.
    @Test func theSandboxSeesTheSystemAndNothingElse() throws {
        let sandbox = try RulesSandbox(swiftc: RulesToolchain.swiftc())
        let r = try sandbox.run(
            "ls", ["/bin/sh", "-c", "ls -A /; ls -A /run; test -x /usr/bin/env && echo usr-ok"], mounts: [], chdir: "/tmp",
            deadline: 30, deadlineVariable: "NFTCTL_RULES_TIMEOUT")
        let seen = String(decoding: r.stdout, as: UTF8.self)
        #expect(r.status == 0, "\(seen)")
        #expect(seen.contains("usr-ok"), "\(seen)")
        let names = Set(seen.split(separator: "\n").map(String.init))
        // Not the one holding the toolchain, when that is a home (`~/swift`).
        let toolchainTop = sandbox.toolchainRoot?.split(separator: "/").first.map(String.init)
        for gone in ["var", "home", "root", "srv", "mnt", "netns", "work"] where gone != toolchainTop {
            #expect(!names.contains(gone), "the sandbox shows /\(gone) or /run/\(gone): \(names.sorted())")
        }
    }

    /// A mount that goes away while bubblewrap builds the sandbox's view (another test's,
    /// or a container's, network namespace deleted under `/run/netns`) is no concern of the
    /// sandbox's. When the sandbox bound `/` whole, about one run in thirty failed here (with
    /// four unthrottled loops; two with a pause, so as not to slow the suites running beside
    /// it, fail fewer).
    @Test(.needsRoot) func namespacesComingAndGoingOnTheHostDoNotFailAnEvaluation() throws {
        let sandbox = try RulesSandbox(swiftc: RulesToolchain.swiftc())
        let prefix = "nftctl-t-\(getpid())-churn"
        let stop = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-stop").path
        try? FileManager.default.removeItem(atPath: stop)
        // The churn must be real: one namespace made and deleted before the loops.
        try #require(Shell.run(["ip", "netns", "add", prefix]).status == 0 && Shell.run(["ip", "netns", "del", prefix]).status == 0)
        let churn = (0..<2).map { i in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            // Each ends on the stop file, or after a minute if this test died.
            p.arguments = [
                "-c",
                """
                end=$(($(date +%s) + 60)); while [ ! -e '\(stop)' ] && [ $(date +%s) -lt $end ]; do \
                ip netns add \(prefix)\(i); ip netns del \(prefix)\(i); sleep 0.01; done 2>/dev/null
                """
            ]
            return p
        }
        var started: [Process] = []
        defer {
            _ = FileManager.default.createFile(atPath: stop, contents: nil)
            for p in started { p.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: stop)
            for i in churn.indices { _ = Shell.run(["ip", "netns", "del", "\(prefix)\(i)"]) }
        }
        for p in churn {
            try p.run()
            started.append(p)
        }
        var failures: [String] = []
        for _ in 0..<300 {
            let r = try sandbox.run(
                "true", ["/bin/true"], mounts: [], chdir: "/tmp", deadline: 30, deadlineVariable: "NFTCTL_RULES_TIMEOUT")
            if r.status != 0 { failures.append(String(decoding: r.stdout, as: UTF8.self)) }
        }
        #expect(failures.isEmpty, "\(failures.count) of 300 runs failed, first: \(failures.first ?? "")")
    }

    /// Where the toolchain is decides what else is shown: one unpacked into `/` is in
    /// `/usr` (binding `/` would show everything and make the rest read-only), one below
    /// `/tmp` is bound over the empty `/tmp`, and one reached through a symlink is run
    /// from where the link leads, the only place shown.
    @Test func theToolchainIsShownWhereverItIs() throws {
        func binds(_ swiftc: String) throws -> (argv: [String], bound: [String]) {
            let a = try RulesSandbox(swiftc: swiftc).argv(["true"], mounts: [], environment: [:], chdir: "/tmp")
            return (a, a.indices.filter { a[$0] == "--ro-bind" }.map { a[$0 + 1] })
        }
        func root(_ bin: String) -> String? { RulesSandbox.toolchainRoot(bin: URL(fileURLWithPath: bin)) }
        #expect(root("/usr/bin") == nil)
        #expect(root("/bin") == nil)
        #expect(root("/usr/local/swift/usr/bin") == nil)
        #expect(root("/opt/bin") == "/opt")
        #expect(root("/opt/swift-x/usr/bin") == "/opt/swift-x")
        #expect(root("/home/u/swift/usr/bin") == "/home/u/swift")
        #expect(throws: Problem.self) { try RulesSandbox(swiftc: "/tmp/usr/bin/swiftc") }
        #expect(throws: Problem.self) { try RulesSandbox(swiftc: "/run/bin/swiftc") }
        // Nothing else of the host: not /, nothing under /run but the sandbox's own.
        let hostBinds = try binds(try RulesToolchain.swiftc()).bound
        #expect(!hostBinds.contains("/") && !hostBinds.contains { $0.hasPrefix("/run/") || $0.hasPrefix("/var") }, "\(hostBinds)")
        let (argv, bound) = try binds("/tmp/nftctl-no-such-toolchain/usr/bin/swiftc")
        #expect(bound.contains("/tmp/nftctl-no-such-toolchain"))
        let tmpfs = try #require(argv.firstIndex(of: "/tmp").map { $0 - 1 }),
            bind = try #require(argv.firstIndex(of: "/tmp/nftctl-no-such-toolchain"))
        #expect(argv[tmpfs] == "--tmpfs" && tmpfs < bind, "the empty /tmp hides the toolchain: \(argv)")

        // A real one through a symlink to its bin directory: run from the real path.
        let real = URL(fileURLWithPath: try RulesToolchain.swiftc()).resolvingSymlinksInPath()
        let link = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-toolchain-link-\(getpid())").path
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real.deletingLastPathComponent().path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let sandbox = try RulesSandbox(swiftc: link + "/swiftc")
        #expect(sandbox.swiftc == real.deletingLastPathComponent().appendingPathComponent("swiftc").path)
        let r = try sandbox.run(
            "swiftc --version", [sandbox.swiftc, "--version"], mounts: [], chdir: "/tmp", deadline: 60,
            deadlineVariable: "NFTCTL_RULES_TIMEOUT")
        #expect(
            r.status == 0 && String(decoding: r.stdout, as: UTF8.self).contains("Swift version"),
            "\(String(decoding: r.stdout, as: UTF8.self))")
    }

    /// The `.nft` parser's sandbox child: a crash or a stall is one clear error, not a hang.
    @Test func aSandboxChildThatCrashesOrStallsIsOneError() {
        let nft = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/edge.nft").path
        let crash = Shell.run([Shell.nftctl, "compile", nft], environment: ["NFTCTL_EXECUTABLE": Self.fixture("crash.sh")])
        #expect(crash.status == 1)
        #expect(crash.stderr.contains("SIGSEGV"), "\(crash.stderr)")
        let stall = Shell.run(
            [Shell.nftctl, "compile", nft],
            environment: ["NFTCTL_EXECUTABLE": Self.fixture("stall.sh"), "NFTCTL_SANDBOX_TIMEOUT": "2"])
        #expect(stall.status == 1)
        #expect(stall.stderr.contains("did not finish within its deadline of 2 s"), "\(stall.stderr)")
        #expect(Self.processes(matching: "sleep 987653").isEmpty, "the stalled child is still running")
    }
}
