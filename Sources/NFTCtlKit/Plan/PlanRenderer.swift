import Foundation
import NFTables

/// The plan as people read it (nft syntax, `+` added, `-` removed, `~` changed, grouped by
/// table and chain, a summary line at the end) and as tools read it (JSON). Names print as
/// `SafeText.name` does, and every line is escaped whole: a name or comment can never add a
/// line or a terminal control sequence to the plan.
public struct PlanRenderer {
    public var color: Bool

    public init(color: Bool) { self.color = color }

    /// Plans show intent: no counter values, quota usage or element expiry.
    static let context = PrintContext(stateless: true)

    func paint(_ sign: Change.Sign, _ text: String) -> String {
        guard color else { return text }
        let code: String
        switch sign {
        case .add: code = "32"
        case .delete: code = "31"
        case .change: code = "33"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    public func text(_ plan: Plan) -> String {
        var out: [String] = []
        for t in plan.tables where !t.changes.isEmpty {
            var header = "table \(SafeText.escape(t.key.family)) \(SafeText.name(t.key.name))"
            switch t.mode {
            case .create: header += "  (new table)"
            case .update: break
            case .replace(let why): header += "  (replaced whole, atomically: \(why); its counters and run-time set elements restart)"
            case .delete: header += "  (deleted: no longer declared, --prune)"
            }
            out.append(SafeText.escape(header))
            var currentChain: String?? = .none
            for c in t.changes {
                if c.chain != currentChain ?? nil || currentChain == nil {
                    if let name = c.chain, currentChain != .some(name) {
                        out.append("  chain \(SafeText.name(name))")
                    }
                    currentChain = .some(c.chain)
                }
                let indent = c.chain == nil ? "  " : "    "
                for line in lines(c) {
                    out.append(paint(line.0, SafeText.escape("\(indent)\(line.0.rawValue) \(line.1)")))
                }
            }
        }
        out.append(plan.summary)
        return out.joined(separator: "\n")
    }

    /// One or more `(sign, text)` lines for a change (a change shows old and new).
    func lines(_ c: Change) -> [(Change.Sign, String)] {
        let loc = c.location.map { "  # \($0)" } ?? ""
        switch c.subject {
        case .table(let t):
            return [(c.sign, "table \(SafeText.escape(t.family)) \(SafeText.name(t.name))" + (t.comment.map { " comment " + SafeText.quoted($0) } ?? "") + loc)]
        case .chain(let old, let new):
            switch (old, new) {
            case (nil, let n?): return [(.add, "chain \(SafeText.name(n.name))" + chainSpec(n) + loc)]
            case (let o?, nil): return [(.delete, "chain \(SafeText.name(o.name))" + chainSpec(o))]
            case (let o?, let n?): return [(.change, "chain \(SafeText.name(n.name))" + chainSpec(o) + "  =>" + chainSpec(n) + loc)]
            default: return []
            }
        case .set(let old, let new):
            switch (old, new) {
            case (nil, let n?): return [(.add, setText(n) + loc)]
            case (let o?, nil): return [(.delete, setText(o))]
            case (let o?, let n?): return [(.change, setText(o) + "  =>  " + setText(n) + loc)]
            default: return []
            }
        case .elements(let set, let added, let removed):
            var out: [(Change.Sign, String)] = []
            if !removed.isEmpty {
                out.append((.delete, "element \(SafeText.name(set.name)) { \(removed.map { $0.nftText(context: Self.context) }.joined(separator: ", ")) }"))
            }
            if !added.isEmpty {
                out.append((.add, "element \(SafeText.name(set.name)) { \(added.map { $0.nftText(context: Self.context) }.joined(separator: ", ")) }" + loc))
            }
            return out
        case .object(let old, let new):
            let o = (new ?? old)!
            return [(c.sign, "\(o.body.kind.rawValue) \(SafeText.name(o.name))" + loc)]
        case .flowtable(let old, let new):
            return [(c.sign, "flowtable \(SafeText.name((new ?? old)!.name))" + loc)]
        case .rule(_, let old, let new, _):
            switch (old, new) {
            case (nil, let n?): return [(.add, n.nftText(context: Self.context) + loc)]
            case (let o?, nil): return [(.delete, o.nftText(context: Self.context) + (o.handle.map { "  # handle \($0)" } ?? ""))]
            case (let o?, let n?): return [(.delete, o.nftText(context: Self.context)), (.change, n.nftText(context: Self.context) + loc)]
            default: return []
            }
        }
    }

    /// A line without the `  # file:line` or `  # handle N` that `lines` appends (only that
    /// trailer: a comment may itself hold `  # `).
    static func withoutTrailer(_ text: String, location: SourceLocation?) -> String {
        if let location, text.hasSuffix("  # \(location)") { return String(text.dropLast("  # \(location)".count)) }
        if let r = text.range(of: "  # handle ", options: .backwards), !text[r.upperBound...].isEmpty,
           text[r.upperBound...].allSatisfy(\.isNumber) {
            return String(text[..<r.lowerBound])
        }
        return text
    }

    func chainSpec(_ c: Chain) -> String {
        guard let type = c.type, let hook = c.hook else { return "" }
        var s = " { type \(type) hook \(hook)"
        if let d = c.dev?.values, !d.isEmpty { s += " device \(d.map(SafeText.name).joined(separator: ","))" }
        s += " priority \(ChainPriority.text(c.prio ?? 0, family: c.family, hook: hook)); policy \(c.policy ?? "accept"); }"
        return s
    }

    func setText(_ s: NamedSet) -> String {
        let listing = nftListing([.set(s)], context: Self.context)
        // `nftListing` prints the set inside its table; keep the set's own lines, on one line.
        let inner = listing.split(separator: "\n").map { $0.trimmingCharacters() }.filter {
            !$0.hasPrefix("table ") && $0 != "}" && !$0.isEmpty
        }
        return inner.joined(separator: " ") + " }"
    }

    public func json(_ plan: Plan) -> JSON {
        var tables: [JSON] = []
        for t in plan.tables {
            let mode: JSON
            switch t.mode {
            case .create: mode = "create"
            case .update: mode = "update"
            case .replace(let why): mode = ["replace": .string(why)]
            case .delete: mode = "delete"
            }
            var changes: [JSON] = []
            for c in t.changes {
                for (sign, text) in lines(c) {
                    var o = JSONObject()
                    o.append("op", .string(sign == .add ? "add" : sign == .delete ? "delete" : "change"))
                    o.append("chain", c.chain.map(JSON.string))
                    o.append("text", .string(Self.withoutTrailer(text, location: c.location)))
                    o.append("location", c.location.map { JSON.string($0.description) })
                    changes.append(.object(o))
                }
            }
            tables.append(["family": .string(t.key.family), "name": .string(t.key.name), "mode": mode, "changes": .array(changes)])
        }
        return ["tables": .array(tables), "add": .number(plan.additions), "change": .number(plan.modifications),
                "delete": .number(plan.deletions)]
    }
}
