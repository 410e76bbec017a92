/// One finding: what is wrong, where the user wrote it, and which object. Validation reports
/// many; every error nftctl throws is made of them (`DiagnosticError`), so how a problem
/// reads is decided here, once.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    /// The object in nft terms: `chain inet filter input`, `rule 3 of chain inet filter input`.
    public var object: String?
    /// The message is laid out on lines by nftctl (a plan, a list of findings, libnftables'
    /// caret lines): newlines and tabs stay, other control characters are escaped. Without
    /// it the diagnostic is one line whatever the names in it hold.
    public var keepsLayout: Bool
    /// The message is another tool's report (swiftc's, libnftables'), whose lines already say
    /// where and how severe each finding is: printed as written (escaped, layout kept).
    public var verbatim = false

    public init(
        _ severity: Severity, _ message: String, object: String? = nil, at location: SourceLocation? = nil,
        keepsLayout: Bool = false
    ) {
        self.severity = severity; self.message = message; self.object = object; self.location = location
        self.keepsLayout = keepsLayout
    }

    /// Another tool's report, relayed (`verbatim`).
    public static func relayed(_ report: String) -> Diagnostic {
        var d = Diagnostic(.error, report, keepsLayout: true)
        d.verbatim = true
        return d
    }

    /// An error as an error type phrases it: its own line structure kept.
    public static func error(_ message: String, at location: SourceLocation? = nil) -> Diagnostic {
        Diagnostic(.error, message, at: location, keepsLayout: true)
    }

    /// `file:line: error: object: message`: how nftctl prints a diagnostic.
    public var description: String { rendered(severity: true) }

    /// `file:line: object: message`: the diagnostic without its severity, as it reads inside
    /// another sentence ("cannot read the live ruleset: …").
    public var text: String { rendered(severity: false) }

    /// The one rendering: `SafeText` escapes whatever the input put into the parts.
    func rendered(severity withSeverity: Bool) -> String {
        if verbatim { return SafeText.escape(message, keepingLayout: true) }
        var s = location.map { "\($0): " } ?? ""
        if withSeverity { s += severity.rawValue + ": " }
        if let object { s += object + ": " }
        return SafeText.escape(s + message, keepingLayout: keepsLayout)
    }
}

extension Array where Element == Diagnostic {
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// The diagnostics as printed, one after the other, then `summary` (`2 errors found`).
    public func report(summary: String? = nil) -> String { joined(map(\.description), summary) }

    /// The same without severities: how they read inside another message.
    public func text(summary: String? = nil) -> String { joined(map(\.text), summary) }

    private func joined(_ lines: [String], _ summary: String?) -> String {
        (lines + (summary.map { [SafeText.escape($0)] } ?? [])).joined(separator: "\n")
    }
}
