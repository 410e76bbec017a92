import NFTAnalysis

/// A user option that a kit message refers to. The kit names it by this case, never by a
/// command-line spelling: the front end that offers the option says how it is written
/// (the nftctl CLI spells `.replace` as `--replace`; see Sources/nftctl/OptionSpelling.swift).
public enum UserOption: String, Sendable, Hashable, CaseIterable {
    case replace, confirm, rule, chain, prune, force, wait, table, exclude, netns

    /// How options read where no front end spells them: their bare names in backticks.
    public static let unspelled: @Sendable (UserOption) -> String = { "`\($0.rawValue)`" }
}

/// An error whose message names options, kept typed until a front end spells them.
public protocol OptionMessage: DiagnosticError {
    /// The text, with each option written as `spell` says.
    func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String
}

extension OptionMessage {
    /// The diagnostics with each option written as `spell` says: what a front end prints.
    public func diagnostics(spelling spell: @escaping @Sendable (UserOption) -> String) -> [Diagnostic] {
        [.error(message(spelling: spell))]
    }
    public var diagnostics: [Diagnostic] { diagnostics(spelling: UserOption.unspelled) }
}

/// A usage error the kit finds in the combination of options it was given.
public struct OptionError: Sendable, OptionMessage {
    public enum Reason: Sendable, Hashable {
        /// `confirm` arms a rollback timer, which needs a state directory for its snapshot.
        case confirmNeedsStateDirectory
        /// `rule` picks a rule of one chain: it needs `chain`.
        case ruleNeedsChain
    }
    public var reason: Reason
    public init(_ reason: Reason) { self.reason = reason }
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        switch reason {
        case .confirmNeedsStateDirectory: "\(spell(.confirm)) needs a state directory"
        case .ruleNeedsChain: "\(spell(.rule)) needs \(spell(.chain))"
        }
    }
}
