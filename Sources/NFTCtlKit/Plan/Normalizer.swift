import Foundation
import NFTAnalysis

/// What turns the declared tables into the kernel's normal form of them (the desired side
/// of a plan). Passed in, so the apply pipeline runs against `FakeBackend` without root.
public protocol Normalizer: Sendable {
    /// The tables of `input` as the kernel would list them, with the input's locations.
    func normalize(_ input: LoadedInput) throws -> DesiredState

    /// As `normalize`, except that the tables of `learnable` (new tables: a plan creates
    /// them whole, so it needs no normal form) may be left as written, marked in
    /// `DesiredState.learning`, where the kernel would be asked about them: their normal form
    /// is then read from the kernel after the commit (`LearnedNormalForm`).
    func normalize(_ input: LoadedInput, learnable: Set<TableKey>) throws -> DesiredState

    /// Keeps normal forms the kernel was seen to give `input`'s tables after a commit.
    func remember(_ input: LoadedInput, normalForms: RulesetState)

    /// Keeps what the kernel's bytes for `input`'s rules were after a verifying listing.
    func remember(_ input: LoadedInput, kernelRuleBytes: LearntRuleBytes)
}

extension Normalizer {
    public func normalize(_ input: LoadedInput, learnable: Set<TableKey>) throws -> DesiredState { try normalize(input) }
    public func remember(_ input: LoadedInput, normalForms: RulesetState) {}
    public func remember(_ input: LoadedInput, kernelRuleBytes: LearntRuleBytes) {}
}

/// The kernel's own normal form: the declarations and every rule the normal-form cache
/// does not know are loaded into a scratch namespace on this kernel and listed
/// (`NormalizationCache`); `NFTCTL_NO_NORMAL_CACHE` loads every rule and learns nothing.
public struct ScratchNormalizer: Normalizer {
    public init() {}

    var cached: Bool { Environment.value("NFTCTL_NO_NORMAL_CACHE") == nil }

    public func normalize(_ input: LoadedInput) throws -> DesiredState {
        try normalize(input, learnable: [])
    }

    public func normalize(_ input: LoadedInput, learnable: Set<TableKey>) throws -> DesiredState {
        cached ? try NormalizationCache().normalize(input, learnable: learnable) : try NormalizationCache().full(input)
    }

    public func remember(_ input: LoadedInput, normalForms: RulesetState) {
        if cached { NormalizationCache().remember(input, normalForms: normalForms) }
    }

    public func remember(_ input: LoadedInput, kernelRuleBytes: LearntRuleBytes) {
        if cached { NormalizationCache().remember(input, kernelRuleBytes: kernelRuleBytes.tables) }
    }
}
