/// The marker the DSL's `=>` leaves for a non-verdict in a verdict map (`22 => counter`):
/// the statements' JSON behind a fixed prefix, so that validation, which has the printer,
/// reports them in nft syntax at the user's line.
public enum NotAVerdict {
    public static let prefix = "not a verdict: "

    public static func marker(_ statements: [Statement]) -> String {
        prefix + JSON.array(statements.map(\.json)).serialized()
    }

    /// The statements of a marker; nil for text that is no marker. A marker whose rest is
    /// not statement JSON (written by hand) gives its text back as it is.
    public static func parse(_ text: String) -> (statements: [Statement], text: String)? {
        guard text.hasPrefix(prefix) else { return nil }
        let rest = String(text.dropFirst(prefix.count))
        guard case .array(let items)? = try? JSON.parse(rest),
            let statements = try? items.map({ j throws(DecodeError) in try Statement.decode(j) })
        else {
            return ([], rest)
        }
        return (statements, rest)
    }
}
