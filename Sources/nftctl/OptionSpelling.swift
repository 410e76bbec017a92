import NFTCtlKit

extension UserOption {
    /// How the nftctl CLI writes the option in messages: its long flag.
    var flag: String { "--" + rawValue }
}

/// An error whose message names options, spelled as this CLI's flags: what main prints.
struct SpelledError: Error, CustomStringConvertible {
    var description: String

    /// `error` with its options spelled as flags; any other error as it is.
    static func spelled(_ error: any Error) -> any Error {
        guard let m = error as? any OptionMessage else { return error }
        return SpelledError(description: m.message(spelling: { $0.flag }))
    }
}
