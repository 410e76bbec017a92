import Foundation
import NFTAnalysis

/// The plan as people read it (nft syntax, `+` added, `-` removed, `~` changed with its new
/// text on a `  → ` line below, grouped by table and chain, an added rule with the rule it
/// goes after, a summary line at the end whose counts are the markers shown) and as tools read it (JSON). Names print as
/// `SafeText.name` does, and every line is escaped whole: a name or comment can never add a
/// line or a terminal control sequence to the plan.
public struct PlanRenderer: Sendable {
    public var color: Bool
    /// Show the kernel handles of removed and changed rules (`# handle N`): only when the
    /// live side is a kernel; between two files or against a snapshot they mean nothing here.
    public var showHandles: Bool
    /// How the options a plan names are written (the front end's spelling).
    public var spell: @Sendable (UserOption) -> String

    public init(color: Bool, showHandles: Bool = true, spelling: @escaping @Sendable (UserOption) -> String = UserOption.unspelled) {
        self.color = color
        self.showHandles = showHandles
        self.spell = spelling
    }

    /// Why a table is replaced, as the plan says it.
    func why(_ r: Replacement) -> String {
        switch r {
        case .needed(let text): text
        case .asked: spell(.replace)
        }
    }

    /// Plans show intent: no counter values, quota usage or element expiry.
    static let context = PrintContext(stateless: true)

    /// One marked entry of the plan: a `+`, `-` or `~` line (a change also shows its new
    /// text on a line of its own, below the old one).
    struct Entry {
        var sign: Change.Sign
        /// The text added or deleted; for a change, the old text.
        var text: String
        /// For a change, the new text.
        var new: String?
        /// For a rule added to a chain that already exists: the rule it goes after (nil: at
        /// the top of the chain). `.none`: no position shown.
        var after: String??
        /// The kernel handle of a removed or changed rule.
        var handle: Int64?
        var location: SourceLocation?
    }

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
        for t in plan.tables where !t.changes.isEmpty || t.isReplaced {
            out.append(tableHeader(t.key, mode: t.mode))
            if t.changes.isEmpty { out.append("  (nothing in it changes: the same declarations go in again)") }
            var currentChain: String?? = .none
            var positions = RulePositions(t)
            for c in t.changes {
                if c.chain != currentChain ?? nil || currentChain == nil {
                    if let name = c.chain, currentChain != .some(name) { out.append(chainHeader(name)) }
                    currentChain = .some(c.chain)
                }
                let indent = c.chain == nil ? "  " : "    "
                for e in entries(c, positions: &positions) { out += painted(e, indent: indent, chain: c.chain) }
            }
        }
        out.append(plan.summary)
        return out.joined(separator: "\n")
    }

    /// A rule as the plan shows it.
    static func ruleText(_ r: Rule) -> String { r.nftText(context: context) }

    /// How a table's part of the plan starts, and a chain's.
    func tableHeader(_ key: TableKey, mode: TablePlan.Mode) -> String {
        var header = "table \(SafeText.escape(key.family)) \(SafeText.name(key.name))"
        switch mode {
        case .create: header += "  (new table)"
        case .update: break
        case .replace(let r): header += "  (replaced whole, atomically: \(why(r)); its counters and run-time set elements restart)"
        case .delete: header += "  (deleted: no longer declared, \(spell(.prune)))"
        }
        return SafeText.escape(header)
    }
    func chainHeader(_ name: String) -> String { "  chain \(SafeText.name(name))" }

    /// The lines an entry shows, escaped whole and coloured by its sign.
    func painted(_ e: Entry, indent: String, chain: String?) -> [String] {
        lines(e, chain: chain).map { paint(e.sign, SafeText.escape(indent + $0)) }
    }

    /// The line of a rule added to a new chain, as `text` shows it.
    func addedRule(_ r: Rule, location: SourceLocation?) -> String {
        painted(Entry(sign: .add, text: Self.ruleText(r), location: location), indent: "    ", chain: r.chain)[0]
    }

    /// The lines of one entry, without indent: the marker line, and for a change the new
    /// text below it (`  → new`, no marker: it is the same entry).
    func lines(_ e: Entry, chain: String?) -> [String] {
        let handle = showHandles ? e.handle.map { "  # handle \($0)" } ?? "" : ""
        let loc = e.location.map { "  # \($0)" } ?? ""
        if let new = e.new {
            return ["\(e.sign.rawValue) \(e.text)" + handle, "  → \(new)" + loc]
        }
        var position = ""
        if let after = e.after {
            position = after.map { "  # after: \($0)" } ?? "  # at the top of chain \(SafeText.name(chain ?? ""))"
        }
        return ["\(e.sign.rawValue) \(e.text)" + position + handle + loc]
    }

    /// Where each added rule goes: the desired rule before it in its chain, for chains that
    /// exist already (in a new chain the rules are all added, in the order shown).
    struct RulePositions {
        let desired: [Located<Rule>]
        let liveChains: Set<String>
        var used = Set<Int>()

        init(_ t: TablePlan) {
            desired = t.desired?.rules ?? []
            liveChains = Set(t.live?.chains.map(\.value.name) ?? [])
        }

        /// `.none` when no position is shown; `.some(nil)` at the top of the chain.
        mutating func after(_ rule: Rule, chain: String, location: SourceLocation?) -> Rule?? {
            guard liveChains.contains(chain),
                let i = desired.indices.first(where: { !used.contains($0) && desired[$0].value == rule && desired[$0].location == location }
                )
            else { return .none }
            used.insert(i)
            return .some(desired[..<i].last { $0.value.chain == chain }?.value)
        }
    }

    /// The entries a change shows, one per marker (`Change.markers`).
    func entries(_ c: Change, positions: inout RulePositions) -> [Entry] {
        let loc = c.location
        let rule = Self.ruleText
        switch c.subject {
        case .table(let t):
            return [
                Entry(
                    sign: c.sign,
                    text: "table \(SafeText.escape(t.family)) \(SafeText.name(t.name))"
                        + (t.comment.map { " comment " + SafeText.quoted($0) } ?? ""), location: loc)
            ]
        case .chain(let old, let new):
            switch (old, new) {
            case (nil, let n?): return [Entry(sign: .add, text: "chain \(SafeText.name(n.name))" + chainSpec(n), location: loc)]
            case (let o?, nil): return [Entry(sign: .delete, text: "chain \(SafeText.name(o.name))" + chainSpec(o))]
            case (let o?, let n?):
                return [
                    Entry(
                        sign: .change, text: "chain \(SafeText.name(o.name))" + chainSpec(o) + chainExtras(o),
                        new: "chain \(SafeText.name(n.name))" + chainSpec(n) + chainExtras(n), location: loc)
                ]
            default: return []
            }
        case .set(let old, let new):
            switch (old, new) {
            case (nil, let n?): return [Entry(sign: .add, text: setText(n), location: loc)]
            case (let o?, nil): return [Entry(sign: .delete, text: setText(o))]
            case (let o?, let n?): return [Entry(sign: .change, text: setText(o), new: setText(n), location: loc)]
            default: return []
            }
        case .elements(let set, let added, let removed):
            // As the set printer writes them, in the set's types (a map's `key : value`).
            func line(_ e: [NFTModel.Expression]) -> String {
                var decl = set
                decl.elem = .list(e)
                let text =
                    TextBatch.elementsText(decl, context: Self.context)
                    ?? "{ \(e.map { $0.nftText(context: Self.context) }.joined(separator: ", ")) }"
                return "element \(SafeText.name(set.name)) \(text)"
            }
            return c.markers.map {
                $0 == .delete ? Entry(sign: .delete, text: line(removed)) : Entry(sign: .add, text: line(added), location: loc)
            }
        case .object(let old, let new):
            let o = (new ?? old)!
            return [Entry(sign: c.sign, text: "\(o.body.kind.rawValue) \(SafeText.name(o.name))", location: c.sign == .delete ? nil : loc)]
        case .flowtable(let old, let new):
            return [Entry(sign: c.sign, text: "flowtable \(SafeText.name((new ?? old)!.name))", location: c.sign == .delete ? nil : loc)]
        case .rule(let chain, let old, let new, _):
            switch (old, new) {
            case (nil, let n?):
                let after = positions.after(n, chain: chain, location: loc).map { $0.map(rule) }
                return [Entry(sign: .add, text: rule(n), after: after, location: loc)]
            case (let o?, nil): return [Entry(sign: .delete, text: rule(o), handle: o.handle)]
            case (let o?, let n?): return [Entry(sign: .change, text: rule(o), new: rule(n), handle: o.handle, location: loc)]
            default: return []
            }
        }
    }

    /// What a chain change shows beyond its hook spec: a policy change shows in the spec; a
    /// comment change would otherwise show two identical lines.
    func chainExtras(_ c: Chain) -> String { c.comment.map { " comment " + SafeText.quoted($0) } ?? "" }

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
            case .replace(let r): mode = ["replace": .string(why(r))]
            case .delete: mode = "delete"
            }
            var changes: [JSON] = []
            var positions = RulePositions(t)
            for c in t.changes {
                for e in entries(c, positions: &positions) {
                    var o = JSONObject()
                    o.append("op", .string(e.sign == .add ? "add" : e.sign == .delete ? "delete" : "change"))
                    o.append("chain", c.chain.map(JSON.string))
                    o.append("text", .string(e.new ?? e.text))
                    if e.new != nil { o.append("old", .string(e.text)) }
                    if let after = e.after { o.append("after", after.map(JSON.string) ?? .null) }
                    if showHandles, let h = e.handle { o.append("handle", .int(h)) }
                    o.append("location", c.location.map { JSON.string($0.description) })
                    changes.append(.object(o))
                }
            }
            tables.append(["family": .string(t.key.family), "name": .string(t.key.name), "mode": mode, "changes": .array(changes)])
        }
        return [
            "tables": .array(tables), "add": .number(plan.additions), "change": .number(plan.modifications),
            "delete": .number(plan.deletions)
        ]
    }
}
