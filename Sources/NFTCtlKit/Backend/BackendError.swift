import NFTAnalysis

/// Why a backend call failed, worded for a person: what was being done, and libnftables'
/// own error text when it gave one.
public enum BackendError: Sendable, Equatable, DiagnosticError {
    /// libnftables refused the command; `text` is its error buffer.
    case nftables(operation: String, text: String)
    /// The kernel said EPERM. libnftables 1.0.6 prints "you must be root" to the process's
    /// stderr rather than to its error buffer, so this is detected and said here instead.
    case notPermitted(operation: String)
    /// `ip netns` has no namespace of this name (no `/run/netns/NAME`).
    case namespaceNotFound(String)
    /// A system call failed.
    case system(operation: String, errno: Int32)
    /// The in-memory fake refused a command, as the kernel would have.
    case rejected(String)
    /// Something this backend cannot do.
    case unsupported(String)
    /// The sandbox child could not be started or did not answer.
    case sandbox(String)
    /// A reply (from libnftables, the kernel or a sandbox child) that could not be understood.
    case invalidResponse(String)

    public var diagnostics: [Diagnostic] { [.error(message)] }

    var message: String {
        switch self {
        case .nftables(let op, let text):
            let t = Self.tidy(text)
            return t.isEmpty ? "\(op) failed (libnftables gave no error text)" : "\(op) failed: \(t)"
        case .notPermitted(let op):
            return "\(op): operation not permitted: run as root or inside a namespace"
        case .namespaceNotFound(let name):
            return "network namespace \"\(name)\" does not exist (no /run/netns/\(name); see `ip netns list`)"
        case .system(let op, let e):
            return "\(op): \(SystemCall.describe(errno: e))"
        case .rejected(let m): return m
        case .unsupported(let m): return "unsupported: \(m)"
        case .invalidResponse(let m): return "invalid response: \(m)"
        case .sandbox(let m): return "sandbox: \(m)"
        }
    }

    /// libnftables' error buffer, trailing blank lines removed.
    static func tidy(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// True when libnftables said the batch exceeded the socket buffer (user namespaces, 1.0.6).
    public var isMessageTooLong: Bool {
        if case .nftables(_, let text) = self { return text.contains("Message too long") }
        return false
    }
}
