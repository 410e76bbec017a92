import NFTables

/// How a batch reaches libnftables: as nft syntax (`TextBatch`) whenever it can be written
/// safely, since 1.0.6's JSON input loses what its text input keeps; as JSON otherwise (a
/// name that is not an identifier, a string with a quote). Either way one call, one
/// transaction. A refusal names the user's `file:line` of the command libnftables points at.
public enum Transport {
    public enum Path: String, Sendable { case text, json }

    /// Commits (or dry-runs) `batch`; returns the path it took.
    @discardableResult
    public static func send(_ batch: Document, locations: [SourceLocation?], sets: [NamedSet] = [],
                            backend: Backend, dryRun: Bool = false) throws -> Path {
        let text: TextBatch
        do { text = try TextBatch.render(batch, sets: sets) } catch {
            try backend.apply(batch, dryRun: dryRun)
            return .json
        }
        do {
            try backend.applyText(text.text, dryRun: dryRun)
        } catch let error as BackendError {
            var message = error.description
            if case .nftables(_, let t) = error,
               let i = text.entry(forError: t), i < locations.count, let loc = locations[i] {
                message = "\(loc): \(message)"
            }
            throw TransportRefusal(message: message, underlying: error)
        }
        return .text
    }
}

/// libnftables refused a batch sent as text; the message starts with the user's location
/// when the failing command has one.
public struct TransportRefusal: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var underlying: BackendError
    public var description: String { message }
}
