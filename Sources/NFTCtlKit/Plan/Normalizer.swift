import Foundation
import NFTAnalysis

/// What turns the declared tables into the kernel's normal form of them (the desired side
/// of a plan). Passed in, so the apply pipeline runs against `FakeBackend` without root.
public protocol Normalizer: Sendable {
    /// The tables of `input` as the kernel would list them, with the input's locations.
    func normalize(_ input: LoadedInput) throws -> DesiredState
}

/// The kernel's own normal form: the declarations and every rule the normal-form cache
/// does not know are loaded into a scratch namespace on this kernel and listed
/// (`NormalizationCache`); `NFTCTL_NO_NORMAL_CACHE` loads every rule.
public struct ScratchNormalizer: Normalizer {
    public init() {}

    public func normalize(_ input: LoadedInput) throws -> DesiredState {
        ProcessInfo.processInfo.environment["NFTCTL_NO_NORMAL_CACHE"] == nil
            ? try NormalizationCache().normalize(input) : try NormalizationCache().full(input)
    }
}
