/// An error made of diagnostics. Every error nftctl throws is one: the text of each is
/// rendered by `Diagnostic` alone, and a front end prints `report` (the nftctl CLI does
/// so in one place, its `main`). Errors that carry data a caller acts on (a set of cases
/// compared in tests, an option to spell, a token) keep it in their own type and say here
/// how they read.
public protocol DiagnosticError: Error, CustomStringConvertible {
    /// What went wrong, in the order it is printed.
    var diagnostics: [Diagnostic] { get }
    /// A closing line after the diagnostics (`2 errors found`), or nil.
    var summary: String? { get }
}

extension DiagnosticError {
    public var summary: String? { nil }

    /// The error as it reads inside another message: its diagnostics without severity.
    public var description: String { diagnostics.text(summary: summary) }

    /// The error as printed: `file:line: error: message`, one diagnostic after the other.
    public var report: String { diagnostics.report(summary: summary) }
}

/// An error that is nothing but what it says, phrased where it was found ("FILE: cannot be
/// read", "the rules program crashed"). Errors with data of their own have their own types.
public struct Problem: DiagnosticError, Sendable, Hashable {
    public var diagnostics: [Diagnostic]
    /// `keepsLayout`: see `Diagnostic.keepsLayout`; a message that holds input and is one
    /// line by construction passes false.
    public init(_ message: String, at location: SourceLocation? = nil, keepsLayout: Bool = true) {
        diagnostics = [Diagnostic(.error, message, at: location, keepsLayout: keepsLayout)]
    }
    /// `message` in `file` (line 0: the file as a whole).
    public init(_ message: String, file: String, line: Int = 0, keepsLayout: Bool = true) {
        self.init(message, at: SourceLocation(file: file, line: line), keepsLayout: keepsLayout)
    }
    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    /// Another tool's report, whose lines say where and how severe: printed as written.
    public init(relaying report: String) { diagnostics = [.relayed(report)] }

    /// The text without severities (`description`).
    public var message: String { description }

    /// The problem placed in `file` where its diagnostics do not say where they are.
    public func placed(in file: String) -> Problem {
        Problem(
            diagnostics: diagnostics.map { d in
                var d = d
                if d.location == nil { d.location = SourceLocation(file: file, line: 0) }
                return d
            })
    }
}
