import NFTAnalysis
import NFTCtlKit

extension UserOption {
    /// How the nftctl CLI writes the option in messages: its long flag.
    var flag: String { "--" + rawValue }
}

/// The one place the CLI turns an error into what it prints.
enum ErrorOutput {
    /// nftctl's own errors (`DiagnosticError`): `file:line: error: message`, options spelled
    /// as this CLI's flags. Nil for anyone else's (ArgumentParser's, Foundation's).
    static func report(_ error: any Error) -> String? {
        if let m = error as? any OptionMessage { return m.diagnostics(spelling: { $0.flag }).report(summary: m.summary) }
        return (error as? any DiagnosticError)?.report
    }

    /// Any error, for a command that reports it and exits with a code of its own.
    static func line(_ error: any Error) -> String { report(error) ?? "error: \(error)" }
}
