import NFTAnalysis

/// One finding of validation: what is wrong, where the user wrote it, and which object.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    /// The object in nft terms: `chain inet filter input`, `rule 3 of chain inet filter input`.
    public var object: String

    public init(_ severity: Severity, _ message: String, object: String, at location: SourceLocation?) {
        self.severity = severity; self.message = message; self.object = object; self.location = location
    }

    /// One line, whatever the names in it hold (`SafeText`).
    public var description: String {
        let loc = location.map { "\($0): " } ?? ""
        return SafeText.escape("\(loc)\(severity.rawValue): \(object): \(message)")
    }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
