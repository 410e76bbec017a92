/// A placeholder the DSL leaves where what the user wrote needs the printer, which the DSL
/// does not have (rules programs link only NFTModel and NFTables): a fixed prefix naming
/// its kind, then JSON, in a string of the rules program's output. The tool resolves every
/// marker once, as it reads that output (`RulesLoader.decodeOutput`, with NFTAnalysis's
/// `resolvingDSLMarkers`).
public struct DSLMarker: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// `jump { … }` / `goto { … }`: nft's anonymous chain. libnftables' JSON cannot carry
        /// one (1.0.6 lists it as bare text), so it resolves to nft's text of the chain, a
        /// text statement.
        case anonymousChain = "anonymous chain"
        /// A non-verdict in a verdict map (`22 => counter`): it resolves to the statements'
        /// nft text behind the same prefix, which validation reports at the user's line.
        case notAVerdict = "not a verdict"

        public var prefix: String { rawValue + ": " }
    }

    public var kind: Kind
    public var payload: JSON

    public init(_ kind: Kind, _ payload: JSON) {
        self.kind = kind
        self.payload = payload
    }

    /// The marker `text` holds; nil for text that is no marker (no prefix, or no JSON after it).
    public init?(_ text: String) {
        guard let kind = Kind.allCases.first(where: { text.hasPrefix($0.prefix) }),
            let payload = try? JSON.parse(String(text.dropFirst(kind.prefix.count)))
        else { return nil }
        self.init(kind, payload)
    }

    /// The marker as the DSL writes it.
    public var text: String { kind.prefix + payload.serialized() }

    public static func anonymousChain(_ verdict: String, _ rules: [(statements: [Statement], comment: String?)]) -> DSLMarker {
        let items = rules.map { r -> JSON in
            var o: [(String, JSON)] = [("expr", .array(r.statements.map(\.json)))]
            if let c = r.comment { o.append(("comment", .string(c))) }
            return .object(JSONObject(o))
        }
        return DSLMarker(.anonymousChain, .object(JSONObject([("verdict", .string(verdict)), ("rules", .array(items))])))
    }

    public static func notAVerdict(_ statements: [Statement]) -> DSLMarker {
        DSLMarker(.notAVerdict, .array(statements.map(\.json)))
    }

    /// The verdict (`jump`/`goto`) and rules of an anonymous-chain marker; nil for another
    /// kind or a payload of another shape.
    public var chain: (verdict: String, rules: [(statements: [Statement], comment: String?)])? {
        guard kind == .anonymousChain, let verdict = payload["verdict"]?.stringValue, case .array(let items)? = payload["rules"]
        else { return nil }
        var rules: [(statements: [Statement], comment: String?)] = []
        for item in items {
            guard case .array(let expr)? = item["expr"], let statements = Self.statements(expr) else { return nil }
            rules.append((statements, item["comment"]?.stringValue))
        }
        return (verdict, rules)
    }

    /// The statements of a not-a-verdict marker; nil for another kind or a payload of
    /// another shape.
    public var statements: [Statement]? {
        guard kind == .notAVerdict, case .array(let items) = payload else { return nil }
        return Self.statements(items)
    }

    static func statements(_ items: [JSON]) -> [Statement]? {
        try? items.map { j throws(Problem) in try Statement.decode(j) }
    }
}
