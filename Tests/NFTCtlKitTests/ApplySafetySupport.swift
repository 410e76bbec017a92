import Foundation
import Testing

/// An nftctl started in the background, its output going to files, so that a test can stop
/// it at a phase (`NFTCTL_TEST_STOP_AT`), act meanwhile, and continue or kill it.
final class BackgroundNftctl: @unchecked Sendable {
    let process = Process()
    private let out: URL
    private let err: URL

    init(_ args: [String], environment: [String: String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-bg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        out = base.appendingPathExtension("out")
        err = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: Shell.nftctl)
        process.arguments = args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until the process has stopped itself at its phase (state T in /proc); false if
    /// it exited instead or did not get there within `limit` seconds.
    func waitUntilStopped(limit: Double = 120) -> Bool {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            // "pid (comm) S ...": the state follows the last ')'.
            if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "T" { return true }
            if !process.isRunning { return false }
            usleep(20_000)
        }
        return false
    }

    func resume() { kill(pid, SIGCONT) }

    /// Waits for the end; returns the exit status (or 128+signal), stdout and stderr.
    func finish() -> Shell.Result {
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Shell.Result(
            status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}

enum ApplySafety {
    static func fixture(_ name: String) -> String { KernelApplyTests.fixture("apply-safety/\(name)") }

    /// A private state directory (0700, owned by the test user).
    static func stateDir() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-state-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return d
    }

    static func nftctl(_ args: [String], _ dir: String, _ extra: [String: String] = [:]) -> Shell.Result {
        Shell.run([Shell.nftctl] + args, environment: ["NFTCTL_STATE_DIR": dir].merging(extra) { $1 })
    }

    /// Sends a few UDP datagrams to the namespace's loopback: the counters of `rb-base.nft`
    /// count them and its `add @dyn { ip saddr }` rule puts 127.0.0.1 into the dynamic set.
    static func traffic(_ ns: TestNamespace) {
        ns.exec(["ip", "link", "set", "lo", "up"])
        for _ in 0..<3 {
            ns.exec(["python3", "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 9))"])
        }
    }

    /// rb-base.nft applied, then traffic: counters with values and 127.0.0.1 in the dynamic set.
    static func prepared(_ purpose: String, _ dir: String) throws -> (TestNamespace, String)? {
        guard let ns = TestNamespace.make(purpose) else { return nil }
        let r = nftctl(["apply", "--yes", "--netns", ns.name, fixture("rb-base.nft")], dir)
        try #require(r.status == 0, "\(r.stderr)")
        traffic(ns)
        let before = ns.nftList()
        try #require(
            before.contains("elements = { 127.0.0.1 }") && before.contains("counter packets 3 "),
            "the traffic did not reach the rules: \(before)")
        return (ns, before)
    }

    /// An apply of rb-new.nft (with `options`) whose verification fails: stopped after its
    /// commit while another program adds a rule to the table. It must fail, say so, and say
    /// it rolled back at once; the caller checks what the kernel holds.
    static func applyFailingVerification(_ ns: TestNamespace, _ dir: String, _ options: [String] = []) throws {
        let apply = try BackgroundNftctl(
            ["apply", "--yes", "--netns", ns.name, fixture("rb-new.nft")] + options,
            environment: ["NFTCTL_STATE_DIR": dir, "NFTCTL_TEST_STOP_AT": "committed"])
        try #require(apply.waitUntilStopped(), "never reached the commit")
        #expect(ns.nftList().contains("policy drop"), "the new rules were not committed")
        #expect(ns.exec(["nft", "add", "rule", "ip", "r", "input", "ip", "saddr", "10.7.7.7", "drop"]).status == 0)
        apply.resume()
        let r = apply.finish()
        #expect(r.status == 1)
        #expect(r.stderr.contains("does not hold what was asked"), "\(r.stderr)")
        #expect(r.stderr.contains("rolled back at once"), "\(r.stderr)")
    }

    /// Waits (bounded) until no `--confirm` is pending any more: the timer has acted.
    static func waitForTimer(_ dir: String, _ ns: TestNamespace, limit: Double = 60) -> Bool {
        let pending = "\(dir)/netns-\(ns.name)/pending-confirm.json"
        let start = Date()
        while FileManager.default.fileExists(atPath: pending), Date().timeIntervalSince(start) < limit { usleep(100_000) }
        // The timer clears the record after its restore commits; give it the moment to exit.
        return !FileManager.default.fileExists(atPath: pending)
    }

    /// A chain of `count` rules `PROTO dport N drop` in `table ip t`, as nft syntax.
    static func bigRuleset(_ proto: String, count: Int) -> String {
        var s = "table ip t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy accept;\n"
        for i in 0..<count { s += "\t\t\(proto) dport \(1000 + i) drop\n" }
        return s + "\t}\n}\n"
    }

    static func write(_ text: String, _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-\(getpid())-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A file applied by nftctl in one namespace, each version also loaded by `nft -f` into a
/// flushed oracle namespace: the kernel tests of changes between versions of a file.
final class AgainstNft {
    let ns: TestNamespace
    let oracle: TestNamespace
    let dir = ApplySafety.stateDir()
    var path: String { dir + "/rules.nft" }

    /// Nil (recorded) when the namespaces cannot be made.
    init?(_ purpose: String) {
        guard let oracle = TestNamespace.make("\(purpose) (oracle)"), let ns = TestNamespace.make(purpose) else { return nil }
        self.ns = ns
        self.oracle = oracle
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// `nftctl apply --yes` of `text` (written to `path`), with `arguments` after it.
    func apply(_ text: String, _ arguments: [String] = []) throws -> Shell.Result {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return nftctl(["apply", "--yes", "--netns", ns.name, path] + arguments)
    }

    /// nftctl in the namespace, with this test's state directory.
    func nftctl(_ arguments: [String]) -> Shell.Result { ApplySafety.nftctl(arguments, dir + "/state") }

    /// `text` applies and is verified, the namespace then lists as `nft -f` of it alone does,
    /// and a second apply finds nothing to do.
    func expectAppliesAsNft(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let first = try apply(text)
        #expect(first.status == 0 && first.stdout.contains("verified"), "\(first.stdout)\(first.stderr)", sourceLocation: sourceLocation)
        try expectSameAsNft(text, sourceLocation: sourceLocation)
        let again = try apply(text)
        #expect(
            again.status == 0 && again.stdout.contains("nothing to do"), "\(again.stdout)\(again.stderr)", sourceLocation: sourceLocation)
    }

    /// The namespace lists as `nft -f` of `text` alone does.
    func expectSameAsNft(_ text: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(oracle.exec(["nft", "flush", "ruleset"]).status == 0, sourceLocation: sourceLocation)
        try #require(oracle.nftLoad(text).status == 0, sourceLocation: sourceLocation)
        #expect(
            KernelApplyTests.stable(ns.nftList()) == KernelApplyTests.stable(oracle.nftList()), comment,
            sourceLocation: sourceLocation)
    }
}
