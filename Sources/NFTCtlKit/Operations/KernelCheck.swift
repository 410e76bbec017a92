import Glibc
import NFTAnalysis

/// Loading a batch into a throw-away namespace on this kernel: the kernel's own verdict on
/// a ruleset without touching the host, and its normalised listing of it.
public enum KernelCheck {
    /// Loads the batch in a scratch namespace and lists what the kernel made of it. On a
    /// refusal, finds the first command the kernel refuses (libnftables 1.0.6 JSON errors
    /// do not say which) and names the user's line for it.
    public static func loadAndList(_ batch: Document, locations: [SourceLocation?], origin: String) throws -> Document {
        // What the installed libnftables cannot carry is refused here, before any apply.
        try Transport.check(batch, locations: locations)
        do {
            return try Sandbox.loadAndList(batch)
        } catch let error as SandboxError {
            throw locate(error, batch: batch, locations: locations, origin: origin)
        }
    }

    /// Bisects with loads of batch prefixes: the shortest failing prefix ends with the culprit.
    static func locate(_ error: SandboxError, batch: Document, locations: [SourceLocation?], origin: String) -> Error {
        guard batch.entries.count > 1 else {
            return KernelRefusal(message: error.message, location: locations.first ?? nil, origin: origin, entry: nil)
        }
        var lo = 1, hi = batch.entries.count  // prefix of length hi fails
        var message = error.message
        while lo < hi {
            let mid = (lo + hi) / 2
            do {
                _ = try Sandbox.loadAndList(Document(Array(batch.entries[0..<mid])))
                lo = mid + 1
            } catch let e as SandboxError {
                hi = mid
                message = e.message
            } catch {
                break
            }
        }
        let index = hi - 1
        let loc = index < locations.count ? locations[index] : nil
        return KernelRefusal(message: message, location: loc, origin: origin, entry: batch.entries[index])
    }
}

/// The kernel (in a scratch namespace), or libnftables on the way to it, refused the ruleset.
public struct KernelRefusal: Sendable, DiagnosticError {
    public var message: String
    public var location: SourceLocation?
    public var origin: String
    public var entry: Document.Entry?

    /// At the user's line, else at the file: libnftables' first line, one line. Who refused
    /// is said as libnftables' message shows it (`refuser`).
    public var diagnostics: [Diagnostic] {
        var s = Self.refuser(message) + " "
        if let entry { s += Self.describe(entry) } else { s += "the ruleset" }
        let msg = message.split(separator: "\n").map { String($0) }.filter { !$0.isEmpty }
        s += ": " + (msg.first.map(Self.clean) ?? "unknown error")
        return [Diagnostic(.error, s, at: location ?? SourceLocation(file: origin, line: 0))]
    }

    /// The kernel's refusals come back as an errno's text (`Could not process rule: File
    /// exists`, `No such file or directory; did you mean …`); libnftables' own evaluation
    /// says something else (`datatype mismatch`, `interval overlaps with an existing one`),
    /// before anything reached the kernel; an answer nftctl could not read is its own.
    static func refuser(_ message: String) -> String {
        if message.hasPrefix("invalid response") { return "nftctl cannot read libnftables' answer about" }
        if message.contains("Could not process rule") { return "the kernel refuses" }
        for code in Int32(1)..<134 {
            guard let text = strerror(code).map({ String(cString: $0) }), !text.hasPrefix("Unknown error") else { continue }
            if message.contains(text) { return "the kernel refuses" }
        }
        return "libnftables refuses"
    }

    static func clean(_ line: String) -> String {
        line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    }

    static func describe(_ entry: Document.Entry) -> String {
        guard case .command(let c) = entry else { return "an entry" }
        switch c.item {
        case .table(let t): return "table \(t.family) \(t.name)"
        case .chain(let ch): return "chain \(ch.family) \(ch.table) \(ch.name)"
        case .rule(let r): return "rule `\(r.nftText())` in chain \(r.family) \(r.table) \(r.chain)"
        case .set(let s): return "\(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)"
        case .object(let k, let o): return "\(k.rawValue) \(o.family) \(o.table) \(o.name)"
        case .flowtable(let f): return "flowtable \(f.family) \(f.table) \(f.name)"
        default: return c.item.kindName
        }
    }
}
