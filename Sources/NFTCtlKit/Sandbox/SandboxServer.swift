import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

extension Sandbox {
    /// The environment variable through which the parent tells the child which network
    /// namespace it must NOT be in (the parent's, by inode).
    static let parentNetnsVariable = "NFTCTL_SANDBOX_PARENT_NETNS"
    /// The parent's pid: the child dies with it (a killed nftctl leaves no child parsing a
    /// 50 MB file for minutes).
    static let parentPidVariable = "NFTCTL_SANDBOX_PARENT_PID"

    /// Asks the kernel for SIGKILL when the parent goes, then checks that the parent has
    /// not already gone before the request was made.
    public static func dieWithParent() {
        _ = SystemCall.setParentDeathSignal(SIGKILL)
        if let p = Environment.value(parentPidVariable), let pid = Int32(p), getppid() != pid {
            exit(1)
        }
    }

    /// The body of the hidden `nftctl __sandbox` command: reads a request (JSON, see
    /// `SandboxRequest`), runs it in this process's network namespace, returns the response
    /// JSON for stdout. It refuses to touch a namespace that is not a fresh one made for it:
    /// the parent's namespace inode must be given and differ from ours, and the ruleset must
    /// be empty at the start.
    public static func serve(stdin: [UInt8]) -> String {
        respond(stdin: stdin).serialized()
    }

    static func respond(stdin: [UInt8]) -> JSON {
        let request: SandboxRequest
        do {
            var bytes = stdin
            request = try SandboxRequest(json: try JSON.parse(bytes: &bytes))
        } catch {
            return SandboxResponse.failure(SandboxError(stage: .sandbox, message: "unreadable request: \(error)"))
        }
        if let refusal = freshNamespaceRefusal() {
            return SandboxResponse.failure(SandboxError(stage: .sandbox, message: refusal))
        }
        let context: NFTContext
        do {
            context = try NFTContext(outputFlags: [.json])
            let start = try context.run(json: #"{"nftables": [{"list": {"tables": null}}]}"#, dryRun: false)
            if start.contains("\"table\"") {
                return SandboxResponse.failure(
                    SandboxError(
                        stage: .sandbox, message: "refusing to run: the network namespace already holds tables (not a fresh one)"))
            }
        } catch {
            return SandboxResponse.failure(SandboxError(stage: .sandbox, message: error.description))
        }
        let userns = inUserNamespace
        for (i, input) in request.setup.enumerated() {
            do {
                switch input {
                case .text(let t):
                    _ = try StandInInterfaces.retrying(source: t) { () throws(BackendError) in try context.run(text: t, dryRun: false) }
                case .file(let p): _ = try StandInInterfaces.retrying { () throws(BackendError) in try context.run(file: p, dryRun: false) }
                case .json(let d): try ScratchLoader.load(d, into: context, inUserNamespace: userns)
                }
            } catch {
                return SandboxResponse.failure(SandboxError(stage: .setup(i), message: message(error)))
            }
        }
        if let check = request.check {
            do {
                switch check {
                case .text(let t):
                    _ = try StandInInterfaces.retrying(source: t) { () throws(BackendError) in
                        try context.run(text: t, dryRun: request.dryRun)
                    }
                case .file(let p):
                    _ = try StandInInterfaces.retrying { () throws(BackendError) in try context.run(file: p, dryRun: request.dryRun) }
                case .json(let d): _ = try context.run(json: d.json.serialized(), dryRun: request.dryRun)
                }
            } catch {
                return SandboxResponse.failure(SandboxError(stage: .check, message: message(error)))
            }
        }
        guard request.list else { return SandboxResponse.success(nil) }
        do {
            let listing = try CompleteListing.read(what: "the scratch namespace's listing") {
                try ListingRepair.list("ruleset", context: context)
            }
            return SandboxResponse.success(listing.json)
        } catch let error as BackendError {
            return SandboxResponse.failure(SandboxError(stage: .list, message: message(error)))
        } catch {
            return SandboxResponse.failure(SandboxError(stage: .list, message: "\(error)"))  // IncompleteListing
        }
    }

    /// libnftables' own text for a refusal; our description for anything else.
    static func message(_ error: BackendError) -> String {
        if case .nftables(_, let text) = error { return BackendError.tidy(text) }
        return error.description
    }

    /// Nil when this process is in a network namespace other than its parent's.
    static func freshNamespaceRefusal() -> String? {
        guard let value = getenv(parentNetnsVariable).map({ String(cString: $0) }), let parent = UInt64(value) else {
            return "refusing to run: \(parentNetnsVariable) is not set (run through Sandbox.run, never directly)"
        }
        guard let mine = SystemCall.inode("/proc/self/ns/net") else {
            return "refusing to run: cannot read /proc/self/ns/net"
        }
        if mine == parent { return "refusing to run: still in the parent's network namespace" }
        return nil
    }

    /// True inside a user namespace (uid map other than the initial identity map): there
    /// libnftables 1.0.6 cannot send batches over ~208 KiB.
    static var inUserNamespace: Bool {
        guard let map = try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8) else { return true }
        let fields = map.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        return fields != ["0", "0", "4294967295"]
    }
}
