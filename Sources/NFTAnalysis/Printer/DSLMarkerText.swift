import NFTModel

extension DSLMarker {
    /// The text the marker stands for (markers inside it resolved first): an anonymous chain
    /// as nft writes it (`jump { counter; tcp dport 22 accept; }`); a non-verdict as
    /// `not a verdict: counter`. A payload of another shape gives the marker's text back.
    public var resolved: String {
        let marker = DSLMarker(kind, payload.resolvingDSLMarkers() ?? payload)
        switch kind {
        case .anonymousChain:
            guard let chain = marker.chain else { return text }
            let body = chain.rules.map { r in
                Rule(family: "", table: "", chain: "", expr: r.statements, comment: r.comment).nftText() + "; "
            }
            return chain.verdict + " { " + body.joined() + "}"
        case .notAVerdict:
            guard let statements = marker.statements else { return text }
            return kind.prefix + statements.map { $0.nftText() }.joined(separator: " ")
        }
    }

    /// `text` with the marker it holds resolved; any other text as it is.
    public static func resolved(_ text: String) -> String { DSLMarker(text)?.resolved ?? text }
}

extension JSON {
    /// This JSON with the marker in each of its strings resolved; nil when none holds one
    /// (the usual case: nothing is copied).
    public func resolvingDSLMarkers() -> JSON? {
        switch self {
        case .string(let s):
            let r = DSLMarker.resolved(s)
            return r == s ? nil : .string(r)
        case .array(let items):
            var out = items
            var changed = false
            for (i, item) in items.enumerated() {
                if let r = item.resolvingDSLMarkers() {
                    out[i] = r
                    changed = true
                }
            }
            return changed ? .array(out) : nil
        case .object(let o):
            var out = o
            var changed = false
            for (k, v) in o {
                if let r = v.resolvingDSLMarkers() {
                    out[k] = r
                    changed = true
                }
            }
            return changed ? .object(out) : nil
        default: return nil
        }
    }
}
