import NFTAnalysis

/// `nftctl check`: nftctl's own checks (validation and lint), then, when they found no
/// error, a real load into a throw-away namespace.
public enum CheckOperation {
    public struct Report: Sendable {
        public var diagnostics: [Diagnostic]
        /// Whether the kernel loaded the ruleset (false: the own checks found an error).
        public var loaded: Bool
        public var tables: Int
        public var rules: Int
    }

    public static func run(_ file: String) throws -> Report {
        let input = try InputLoader.load(file)
        let diagnostics = input.notes + Validator.validate(input.state) + Linter.lint(input.state)
        var report = Report(
            diagnostics: diagnostics, loaded: false, tables: input.state.tables.count,
            rules: input.state.tables.reduce(0) { $0 + $1.rules.count })
        if diagnostics.hasErrors { return report }
        let creation = input.state.creationBatch()
        _ = try KernelCheck.loadAndList(creation.document, locations: creation.locations, origin: input.path)
        report.loaded = true
        return report
    }
}
