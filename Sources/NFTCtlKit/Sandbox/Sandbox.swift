import Foundation
import NFTAnalysis

/// libnftables work in a throw-away network namespace: the kernel's verdict on a ruleset and
/// its normal form of it, without touching this machine's firewall and without root.
///
/// nftctl re-executes itself as `nftctl __sandbox` under `unshare --net` (as root) or
/// `unshare --user --map-root-user --net` (otherwise), from util-linux. The namespace dies
/// with the child. The request goes to the child's stdin and the answer comes back on its
/// stdout, both JSON (see `SandboxRequest`). A child process rather than a thread because
/// a process cannot move itself into a new user namespace once it has threads, and because
/// the namespace then cleans itself up whatever happens.
public enum Sandbox {
    /// Runs `request`; returns the listing (nil when `request.list` is false).
    /// Throws `SandboxError` when the kernel refuses something, `BackendError` when the
    /// sandbox itself cannot run. `userNamespace` nil: a user namespace only when not root;
    /// true forces one (as root too: how tests reach the split path of big batches).
    @discardableResult
    public static func run(_ request: SandboxRequest, userNamespace: Bool? = nil) throws -> Document? {
        let reply = try runChild(request.json.serialized(), userNamespace: userNamespace ?? (geteuid() != 0))
        let json: JSON
        do { json = try JSON.parse(reply) } catch {
            throw BackendError.sandbox("unreadable reply from the sandbox child: \(error)")
        }
        return try SandboxResponse.decode(json)
    }

    /// Loads a JSON batch (a big one in several calls where needed) and lists the result:
    /// the kernel's normal form of it.
    public static func loadAndList(_ batch: Document) throws -> Document {
        try run(SandboxRequest(setup: [.json(batch)], list: true)) ?? Document()
    }

    /// Loads nft syntax and lists the result as JSON: libnftables as the `.nft` parser.
    public static func loadAndList(text: String) throws -> Document {
        try run(SandboxRequest(setup: [.text(text)], list: true)) ?? Document()
    }

    /// Loads an nft syntax file (read by libnftables itself) and lists the result as JSON.
    public static func loadAndList(file: String) throws -> Document {
        try run(SandboxRequest(setup: [.file(file)], list: true)) ?? Document()
    }

    // MARK: - Parent side

    /// The nftctl binary to re-execute, in this order: `$NFTCTL_EXECUTABLE`; this process
    /// when it is `nftctl`; an `nftctl` beside this process's executable (tests run from an
    /// xctest bundle in the same build directory as the nftctl they were built with);
    /// `.build/debug/nftctl` under the current directory.
    public static func executable() throws(BackendError) -> String {
        let fm = FileManager.default
        if let env = Environment.value("NFTCTL_EXECUTABLE"), !env.isEmpty {
            guard fm.isExecutableFile(atPath: env) else {
                throw .sandbox("NFTCTL_EXECUTABLE=\(env) is not an executable file")
            }
            return env
        }
        let me = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let url = URL(fileURLWithPath: me)
        if url.lastPathComponent == "nftctl" { return url.path }
        let beside = url.deletingLastPathComponent().appendingPathComponent("nftctl").path
        if fm.isExecutableFile(atPath: beside) { return beside }
        let debug = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent(".build/debug/nftctl").path
        if fm.isExecutableFile(atPath: debug) { return debug }
        throw .sandbox("cannot find the nftctl executable (looked beside \(me) and in .build/debug); set NFTCTL_EXECUTABLE")
    }

    static func unsharePath() throws(BackendError) -> String {
        for p in ["/usr/bin/unshare", "/bin/unshare", "/usr/sbin/unshare"]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        throw .sandbox("`unshare` (util-linux) is not installed")
    }

    /// Runs the child with `input` on stdin; returns its stdout. The child has a deadline
    /// (`NFTCTL_SANDBOX_TIMEOUT`, 300 s), dies with nftctl (it asks the kernel for SIGKILL
    /// when its parent goes), and a death by a signal is an error that says so.
    static func runChild(_ input: String, userNamespace: Bool) throws -> String {
        let exe = try executable()
        var args = ["--net", "--", exe, "__sandbox"]
        if userNamespace { args = ["--user", "--map-root-user"] + args }
        guard let parentNetns = SystemCall.inode("/proc/self/ns/net") else {
            throw BackendError.sandbox("cannot read /proc/self/ns/net")
        }
        var env = ProcessInfo.processInfo.environment
        env[parentNetnsVariable] = String(parentNetns)
        env[parentPidVariable] = String(getpid())
        let unshare = try unsharePath()
        let result: ChildProcess.Result
        do {
            var child = ChildProcess(
                name: "the sandbox child (nftctl __sandbox)", argv: [unshare] + args,
                environment: env, deadline: try ChildProcess.deadline(timeoutVariable, default: 300))
            child.stdin = Array(input.utf8)
            child.deadlineVariable = timeoutVariable
            child.outputLimit = 4 << 30
            result = try child.run()
        } catch {
            throw BackendError.sandbox(error.message)
        }
        let out = String(decoding: result.stdout, as: UTF8.self)
        let err = SafeText.escape(String(decoding: result.stderr, as: UTF8.self), keepingLayout: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if result.status != 0 || out.isEmpty {
            var why = "`unshare \(args.joined(separator: " "))` exited with status \(result.status)"
            if !err.isEmpty { why += ": \(err)" }
            if err.contains("unshare failed") || err.contains("Operation not permitted") {
                why += " (are unprivileged user namespaces enabled? see kernel.unprivileged_userns_clone)"
            }
            throw BackendError.sandbox(why)
        }
        return out
    }

    static let timeoutVariable = "NFTCTL_SANDBOX_TIMEOUT"
}
