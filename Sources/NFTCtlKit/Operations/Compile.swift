import NFTAnalysis

/// `nftctl compile`: one canonical batch that creates exactly the declared tables.
public enum CompileOperation {
    /// Validates first: a batch that nftctl knows the kernel will refuse is not printed.
    public static func run(_ input: LoadedInput) throws -> Document {
        let diagnostics = Validator.validate(input.state)
        if diagnostics.hasErrors { throw ValidationFailure(diagnostics: diagnostics) }
        return input.state.creationBatch().document
    }
}

/// Validation found errors; carries all of them (warnings too) for printing.
public struct ValidationFailure: Sendable, DiagnosticError {
    public var diagnostics: [Diagnostic]
    public var summary: String? {
        let errors = diagnostics.errors.count
        return "\(errors) error\(errors == 1 ? "" : "s") found"
    }
}
