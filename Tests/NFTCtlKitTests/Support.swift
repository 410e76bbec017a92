import Foundation
import Testing

extension Trait where Self == ConditionTrait {
    /// Tests that need root (network namespaces, the nobody sandbox, files of other users):
    /// without root they are skipped with this reason, and counted as skipped, not passed.
    static var needsRoot: Self {
        .enabled(if: TestNamespace.isRoot, "needs root and a kernel (network namespaces, the sandbox); CI runs these as root")
    }
}

/// Test hosts: network namespaces the test creates and deletes. Nothing in these tests
/// ever touches the namespace the test process itself runs in.
final class TestNamespace: @unchecked Sendable {
    let name: String

    static var isRoot: Bool { getuid() == 0 }

    /// A new namespace, or nil (with a recorded issue) when one cannot be made. Tests that
    /// call this carry `.needsRoot`, so without root they are reported as skipped, not run.
    static func make(_ purpose: String) -> TestNamespace? {
        guard isRoot else {
            Issue.record("\(purpose): a test that makes a network namespace must be marked .needsRoot")
            return nil
        }
        let name = "nftctl-t-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let r = Shell.run(["ip", "netns", "add", name])
        guard r.status == 0 else {
            Issue.record("cannot create network namespace \(name): \(r.stderr)")
            return nil
        }
        return TestNamespace(name: name)
    }

    private init(name: String) { self.name = name }
    deinit { _ = Shell.run(["ip", "netns", "del", name]) }

    /// Runs a command inside the namespace.
    @discardableResult
    func exec(_ args: [String], stdin: String? = nil) -> Shell.Result {
        Shell.run(["ip", "netns", "exec", name] + args, stdin: stdin)
    }

    /// `nft list ruleset` as the nft CLI prints it in this namespace: the oracle.
    func nftList() -> String { exec(["nft", "list", "ruleset"]).stdout }

    func nftLoad(_ text: String) -> Shell.Result { exec(["nft", "-f", "-"], stdin: text) }
}

enum Shell {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(
        _ args: [String], stdin: String? = nil, environment: [String: String]? = nil,
        directory: String? = nil
    ) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        do { try p.run() } catch { return Result(status: -1, stdout: "", stderr: "\(error)") }
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The nftctl binary under test (set by `make test`), or the debug build beside the tests.
    static var nftctl: String {
        if let p = ProcessInfo.processInfo.environment["NFTCTL_EXECUTABLE"] { return p }
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent(".build/debug/nftctl").path
    }

    /// A copy of nftctl in a fresh 0755 directory of `dir` (default: a new temporary one), for
    /// tests that run it as another user: the checkout itself may sit in a 0700 directory.
    static func nftctlReachableByAll(in dir: String? = nil, executable: String = nftctl) throws -> String {
        let d = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-bin-\(getpid())-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        chmod(d, 0o755)
        let exe = d + "/nftctl"
        try FileManager.default.copyItem(atPath: executable, toPath: exe)
        chmod(exe, 0o755)
        return exe
    }

    static var repositoryRoot: URL {
        var dir = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir
    }
}
