/// The DSL's `jump { … }` / `goto { … }`: nft's anonymous chain. libnftables' JSON cannot
/// carry one (1.0.6 lists it as bare text) and the DSL has no printer, so the DSL leaves the
/// rules' JSON behind a fixed prefix in a text statement; the tool, which has the printer,
/// turns the marker into nft text when it reads the rules program's output.
public enum AnonymousChain {
    public static let prefix = "anonymous chain: "

    public static func marker(_ verdict: String, _ rules: [(statements: [Statement], comment: String?)]) -> String {
        let items = rules.map { r -> JSON in
            var o: [(String, JSON)] = [("expr", .array(r.statements.map(\.json)))]
            if let c = r.comment { o.append(("comment", .string(c))) }
            return .object(JSONObject(o))
        }
        return prefix + JSON.object(JSONObject([("verdict", .string(verdict)), ("rules", .array(items))])).serialized()
    }

    /// The verdict (`jump`/`goto`) and rules of a marker; nil for text that is no marker.
    public static func parse(_ text: String) -> (verdict: String, rules: [(statements: [Statement], comment: String?)])? {
        guard text.hasPrefix(prefix), let json = try? JSON.parse(String(text.dropFirst(prefix.count))),
            let verdict = json["verdict"]?.stringValue, case .array(let items)? = json["rules"]
        else { return nil }
        var rules: [(statements: [Statement], comment: String?)] = []
        for item in items {
            guard case .array(let expr)? = item["expr"],
                let statements = try? expr.map({ j throws(DecodeError) in try Statement.decode(j) })
            else { return nil }
            rules.append((statements, item["comment"]?.stringValue))
        }
        return (verdict, rules)
    }
}
