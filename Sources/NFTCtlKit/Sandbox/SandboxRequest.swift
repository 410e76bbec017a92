import NFTAnalysis

/// What to do in a throw-away network namespace: load `setup` for real, in order, then run
/// `check` as ONE libnftables call (a dry run when `dryRun`), then list the result if asked.
public struct SandboxRequest: Sendable, Hashable {
    public enum Input: Sendable, Hashable {
        /// nft syntax (a `.nft` file's text).
        case text(String)
        /// An nft syntax file, read by libnftables itself (errors name its lines).
        case file(String)
        /// A libnftables JSON batch or listing.
        case json(Document)
    }

    public var setup: [Input]
    public var check: Input?
    public var dryRun: Bool
    public var list: Bool

    public init(setup: [Input] = [], check: Input? = nil, dryRun: Bool = false, list: Bool = true) {
        self.setup = setup; self.check = check; self.dryRun = dryRun; self.list = list
    }
}

/// The kernel (in the sandbox) refused part of a request. `message` is libnftables' error text.
public struct SandboxError: Sendable, Hashable, DiagnosticError {
    public enum Stage: Sendable, Hashable {
        /// The setup input at this index.
        case setup(Int)
        case check
        case list
        /// The sandbox refused to run the request at all (e.g. not in a fresh namespace).
        case sandbox
    }

    public var stage: Stage
    public var message: String

    public init(stage: Stage, message: String) { self.stage = stage; self.message = message }

    public var diagnostics: [Diagnostic] {
        switch stage {
        case .setup(let i): [.error("sandbox load (input \(i + 1)): \(message)")]
        case .check: [.error("sandbox check: \(message)")]
        case .list: [.error("sandbox list: \(message)")]
        case .sandbox: [.error("sandbox: \(message)")]
        }
    }
}

// The wire format between nftctl and its `__sandbox` child (stdin → stdout), in JSON:
//   request:  {"setup": [{"text": "..."} | {"json": {"nftables": [...]}}], "check": INPUT|null,
//              "dryRun": false, "list": true}
//   response: {"ok": true, "listing": {"nftables": [...]}|null}
//           | {"ok": false, "stage": "setup"|"check"|"list"|"sandbox", "index": N, "message": "..."}
extension SandboxRequest.Input {
    var json: JSON {
        switch self {
        case .text(let t): return ["text": .string(t)]
        case .file(let p): return ["file": .string(p)]
        case .json(let d): return ["json": d.json]
        }
    }

    init(json: JSON) throws(Problem) {
        if let t = json["text"]?.stringValue { self = .text(t); return }
        if let p = json["file"]?.stringValue { self = .file(p); return }
        if let d = json["json"] { self = .json(try Document.decode(d)); return }
        throw Problem("sandbox input: expected {\"text\": ...} or {\"json\": ...}")
    }
}

extension SandboxRequest {
    var json: JSON {
        ["setup": .array(setup.map(\.json)), "check": check?.json ?? .null, "dryRun": .bool(dryRun), "list": .bool(list)]
    }

    init(json: JSON) throws(Problem) {
        var setup: [Input] = []
        for s in json["setup"]?.arrayValue ?? [] { setup.append(try Input(json: s)) }
        var check: Input? = nil
        if let c = json["check"], !c.isNull { check = try Input(json: c) }
        self.init(
            setup: setup, check: check, dryRun: json["dryRun"]?.boolValue ?? false,
            list: json["list"]?.boolValue ?? true)
    }
}

/// The child's answer: the listing, or where and why the kernel refused.
enum SandboxResponse {
    static func success(_ listing: JSON?) -> JSON { ["ok": true, "listing": listing ?? .null] }

    static func failure(_ error: SandboxError) -> JSON {
        let stage: String, index: Int
        switch error.stage {
        case .setup(let i): stage = "setup"; index = i
        case .check: stage = "check"; index = 0
        case .list: stage = "list"; index = 0
        case .sandbox: stage = "sandbox"; index = 0
        }
        return ["ok": false, "stage": .string(stage), "index": .number(index), "message": .string(error.message)]
    }

    /// The listing on success; throws the child's `SandboxError` on failure.
    static func decode(_ json: JSON) throws -> Document? {
        guard let ok = json["ok"]?.boolValue else { throw BackendError.sandbox("reply without \"ok\"") }
        if ok {
            guard let l = json["listing"], !l.isNull else { return nil }
            return try Document.decode(l)
        }
        let message = json["message"]?.stringValue ?? "unknown error"
        let index = Int(json["index"]?.intValue ?? 0)
        let stage: SandboxError.Stage
        switch json["stage"]?.stringValue {
        case "setup": stage = .setup(index)
        case "check": stage = .check
        case "list": stage = .list
        default: stage = .sandbox
        }
        throw SandboxError(stage: stage, message: message)
    }
}
