/// A ruleset grouped by table: what a document declares or what the kernel holds.
/// Commands and listings both reduce to this; everything that reasons about whole
/// tables (compile, validate, apply, verify) works on it.

/// Identifies a table across families.
public struct TableKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var family: String
    public var name: String
    public init(family: String, name: String) { self.family = family; self.name = name }
    public static func < (a: TableKey, b: TableKey) -> Bool { (a.family, a.name) < (b.family, b.name) }
    public var description: String { "\(family) \(name)" }
}

/// A value with the place it was declared.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var location: SourceLocation?
    public init(_ value: Value, _ location: SourceLocation? = nil) { self.value = value; self.location = location }
}

public struct TableContents: Sendable, Hashable {
    public var table: Located<Table>
    public var chains: [Located<Chain>] = []
    public var sets: [Located<NamedSet>] = []
    public var objects: [Located<NamedObject>] = []
    public var flowtables: [Located<Flowtable>] = []
    /// Rules in chain order; the chain is `rule.chain`.
    public var rules: [Located<Rule>] = []

    public init(table: Located<Table>) { self.table = table }
    public var key: TableKey { TableKey(family: table.value.family, name: table.value.name) }

    public func chain(_ name: String) -> Located<Chain>? { chains.first { $0.value.name == name } }
    public func set(_ name: String) -> Located<NamedSet>? { sets.first { $0.value.name == name } }
    public func rules(in chain: String) -> [Located<Rule>] { rules.filter { $0.value.chain == chain } }
}

extension Problem {
    /// Why a document cannot be reduced to tables: one line, whatever the names in it hold.
    static func state(_ message: String, at location: SourceLocation? = nil) -> Problem {
        Problem(message, at: location, keepsLayout: false)
    }
}

public struct RulesetState: Sendable, Hashable {
    public var tables: [TableContents] = []
    /// Keep the kernel's handles (a live listing that an incremental apply will edit).
    var keepHandles = false
    public init() {}

    public var keys: [TableKey] { tables.map(\.key) }
    public func table(_ key: TableKey) -> TableContents? { tables.first { $0.key == key } }

    private func index(of key: TableKey) -> Int? { tables.firstIndex { $0.key == key } }

    /// Reduces a document (a listing or a batch of commands) to the tables it leaves behind,
    /// as if it ran on an empty ruleset. `locations[i]` is where entry i came from.
    public init(document: Document, locations: [SourceLocation?] = [], keepHandles: Bool = false) throws(Problem) {
        self.keepHandles = keepHandles
        for (i, entry) in document.entries.enumerated() {
            let loc = i < locations.count ? locations[i] : nil
            switch entry {
            case .item(.metainfo): continue
            case .item(let item): try apply(.add, item, loc)
            case .command(let c): try apply(c.verb, c.item, loc)
            case .raw(let j):
                throw Problem.state("entry \(i + 1) is not a libnftables command or ruleset element: \(j.serialized())", at: loc)
            }
        }
    }

    /// The tables `keys` of a listing, with the kernel's handles: what
    /// `init(document:keepHandles: true)` makes of the listing's `items` that belong to those
    /// tables, without building that filtered listing first.
    public init(listing: Document, tables keys: Set<TableKey>) throws(Problem) {
        self.init()
        keepHandles = true
        for entry in listing.entries {
            let item: RulesetItem
            switch entry {
            case .item(let i): item = i
            case .command(let c): item = c.item
            case .raw: continue  // belongs to no table
            }
            guard let key = item.tableKey, keys.contains(key) else { continue }
            try apply(.add, item, nil)
        }
    }

    mutating func requireTable(_ family: String, _ name: String, _ what: String, _ loc: SourceLocation?) throws(Problem) -> Int {
        guard let t = index(of: TableKey(family: family, name: name)) else {
            throw Problem.state("\(what) refers to table \(family) \(name), which is not declared", at: loc)
        }
        return t
    }

    /// The index of the declared table holding `what`, which `declared` says exists.
    func requireDeclared(
        _ verb: Verb, _ what: String, _ family: String, _ table: String, _ loc: SourceLocation?,
        _ declared: (TableContents) -> Bool = { _ in true }
    ) throws(Problem) -> Int {
        guard let i = index(of: TableKey(family: family, name: table)), declared(tables[i]) else {
            throw Problem.state(
                "'\(verb.rawValue) \(what)': the file does not declare it before this point. nftctl applies "
                    + "only the tables a file declares, so this command would change nothing; to remove a table "
                    + "nftctl applied before, stop declaring it and use `apply --prune`", at: loc)
        }
        return i
    }

    mutating func apply(_ verb: Verb, _ item: RulesetItem, _ loc: SourceLocation?) throws(Problem) {
        switch (verb, item) {
        case (.list, _), (.reset, _): return
        case (.add, .table(let t)), (.create, .table(let t)):
            let key = TableKey(family: t.family, name: t.name)
            if let i = index(of: key) {
                if verb == .create { throw Problem.state("table \(key) is created twice", at: loc) }
                if t.flags != nil { tables[i].table.value.flags = t.flags }
                if t.comment != nil { tables[i].table.value.comment = t.comment }
            } else {
                var clean = t
                if !keepHandles { clean.handle = nil }
                tables.append(TableContents(table: Located(clean, loc)))
            }
        case (.add, .chain(let c)), (.create, .chain(let c)):
            let t = try requireTable(c.family, c.table, "chain \(c.name)", loc)
            var clean = c
            if !keepHandles { clean.handle = nil }
            if let i = tables[t].chains.firstIndex(where: { $0.value.name == c.name }) {
                if verb == .create { throw Problem.state("chain \(c.name) is created twice", at: loc) }
                var old = tables[t].chains[i].value
                if c.type != nil { old.type = c.type }
                if c.hook != nil { old.hook = c.hook }
                if c.prio != nil { old.prio = c.prio }
                if c.dev != nil { old.dev = c.dev }
                if c.policy != nil { old.policy = c.policy }
                if c.comment != nil { old.comment = c.comment }
                tables[t].chains[i].value = old
            } else {
                tables[t].chains.append(Located(clean, loc))
            }
        case (.add, .rule(let r)), (.create, .rule(let r)), (.insert, .rule(let r)):
            let t = try requireTable(r.family, r.table, "a rule", loc)
            guard tables[t].chains.contains(where: { $0.value.name == r.chain }) else {
                throw Problem.state("a rule refers to chain \(r.chain) in table \(r.family) \(r.table), which is not declared", at: loc)
            }
            var clean = r
            if !keepHandles { clean.handle = nil }
            clean.index = nil
            if verb != .insert && r.index == nil {
                tables[t].rules.append(Located(clean, loc))
                return
            }
            let inChain = tables[t].rules.indices.filter { tables[t].rules[$0].value.chain == r.chain }
            if verb == .insert {
                let pos = r.index.map { Int($0) }.flatMap { $0 < inChain.count ? inChain[$0] : nil }
                tables[t].rules.insert(Located(clean, loc), at: pos ?? inChain.first ?? tables[t].rules.count)
            } else if let idx = r.index, Int(idx) + 1 < inChain.count {
                tables[t].rules.insert(Located(clean, loc), at: inChain[Int(idx) + 1])
            } else {
                tables[t].rules.append(Located(clean, loc))
            }
        case (.add, .set(let s)), (.create, .set(let s)):
            let t = try requireTable(s.family, s.table, "set \(s.name)", loc)
            var clean = s
            if !keepHandles { clean.handle = nil }
            if let i = tables[t].sets.firstIndex(where: { $0.value.name == s.name }) {
                if verb == .create { throw Problem.state("set \(s.name) is created twice", at: loc) }
                let extra = s.elements
                if !extra.isEmpty { tables[t].sets[i].value.elem = .list(tables[t].sets[i].value.elements + extra) }
            } else {
                tables[t].sets.append(Located(clean, loc))
            }
        case (.add, .element(let e)), (.create, .element(let e)):
            let t = try requireTable(e.family, e.table, "elements of \(e.name)", loc)
            guard let i = tables[t].sets.firstIndex(where: { $0.value.name == e.name }) else {
                throw Problem.state("elements are added to set \(e.name), which is not declared in table \(e.family) \(e.table)", at: loc)
            }
            let new: [Expression]
            if case .list(let l) = e.elem { new = l } else if case .set(let l, _) = e.elem { new = l } else { new = [e.elem] }
            tables[t].sets[i].value.elem = .list(tables[t].sets[i].value.elements + new)
        case (.delete, .element(let e)):
            let t = try requireTable(e.family, e.table, "elements of \(e.name)", loc)
            guard let i = tables[t].sets.firstIndex(where: { $0.value.name == e.name }) else {
                throw Problem.state("elements are deleted from set \(e.name), which is not declared", at: loc)
            }
            let gone: [Expression]
            if case .list(let l) = e.elem { gone = l } else { gone = [e.elem] }
            let kept = tables[t].sets[i].value.elements.filter { !gone.contains($0) }
            tables[t].sets[i].value.elem = kept.isEmpty ? nil : .list(kept)
        case (.add, .flowtable(let f)), (.create, .flowtable(let f)):
            let t = try requireTable(f.family, f.table, "flowtable \(f.name)", loc)
            var clean = f
            if !keepHandles { clean.handle = nil }
            tables[t].flowtables.removeAll { $0.value.name == f.name }
            tables[t].flowtables.append(Located(clean, loc))
        case (.add, .object(_, let o)), (.create, .object(_, let o)):
            let t = try requireTable(o.family, o.table, "\(o.body.kind.rawValue) \(o.name)", loc)
            var clean = o
            if !keepHandles { clean.handle = nil }
            tables[t].objects.removeAll { $0.value.name == o.name && $0.value.body.kind == o.body.kind }
            tables[t].objects.append(Located(clean, loc))
        case (.flush, .selector("ruleset", _)), (.delete, .selector("ruleset", _)):
            tables.removeAll()
        // A delete or flush only edits what the file declared before it. Aimed at anything
        // else it would do nothing (only declared tables are applied), so it is an error, not
        // a silent no-op: the user meant to remove something that would stay.
        case (.delete, .table(let t)):
            _ = try requireDeclared(verb, "table \(t.family) \(t.name)", t.family, t.name, loc)
            tables.removeAll { $0.key == TableKey(family: t.family, name: t.name) }
        case (.flush, .table(let t)):
            let i = try requireDeclared(verb, "table \(t.family) \(t.name)", t.family, t.name, loc)
            tables[i].rules.removeAll()
        case (.flush, .chain(let c)), (.delete, .chain(let c)):
            let i = try requireDeclared(verb, "chain \(c.family) \(c.table) \(c.name)", c.family, c.table, loc) {
                $0.chain(c.name) != nil
            }
            tables[i].rules.removeAll { $0.value.chain == c.name }
            if verb == .delete { tables[i].chains.removeAll { $0.value.name == c.name } }
        case (.flush, .set(let s)), (.delete, .set(let s)):
            let i = try requireDeclared(verb, "\(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)", s.family, s.table, loc) {
                $0.set(s.name) != nil
            }
            if verb == .delete {
                tables[i].sets.removeAll { $0.value.name == s.name }
            } else {
                for k in tables[i].sets.indices where tables[i].sets[k].value.name == s.name { tables[i].sets[k].value.elem = nil }
            }
        case (.delete, .object(_, let o)):
            let i = try requireDeclared(verb, "\(o.body.kind.rawValue) \(o.family) \(o.table) \(o.name)", o.family, o.table, loc) {
                $0.objects.contains { $0.value.name == o.name && $0.value.body.kind == o.body.kind }
            }
            tables[i].objects.removeAll { $0.value.name == o.name && $0.value.body.kind == o.body.kind }
        case (.delete, .flowtable(let f)):
            let i = try requireDeclared(verb, "flowtable \(f.family) \(f.table) \(f.name)", f.family, f.table, loc) {
                $0.flowtables.contains { $0.value.name == f.name }
            }
            tables[i].flowtables.removeAll { $0.value.name == f.name }
        case (.rename, .chain(let c)):
            guard let newname = c.newname, let i = index(of: TableKey(family: c.family, name: c.table)),
                let k = tables[i].chains.firstIndex(where: { $0.value.name == c.name })
            else {
                throw Problem.state("rename of chain \(c.name), which is not declared", at: loc)
            }
            tables[i].chains[k].value.name = newname
            for r in tables[i].rules.indices where tables[i].rules[r].value.chain == c.name { tables[i].rules[r].value.chain = newname }
        default:
            throw Problem.state(Self.notDeclarative(verb, item), at: loc)
        }
    }
}

extension RulesetState {
    /// Why a command that edits by handle has no place in a file that declares tables.
    public static func notDeclarative(_ verb: Verb, _ item: RulesetItem) -> String {
        "'\(verb.rawValue)' of \(item.kindName) cannot be part of a declared ruleset (rules need no handles: declare the final state)"
    }
}

extension RulesetItem {
    /// A short name of the item's kind, for messages.
    public var kindName: String {
        switch self {
        case .metainfo: return "metainfo"
        case .table: return "a table"
        case .chain: return "a chain"
        case .rule: return "a rule"
        case .set(let s): return s.isMap ? "a map" : "a set"
        case .element: return "set elements"
        case .flowtable: return "a flowtable"
        case .object(let kind, _): return "a \(kind.rawValue)"
        case .selector(let k, _): return k
        case .raw: return "an unknown object"
        }
    }
}

extension RulesetState {
    /// One canonical batch of `add` commands that creates exactly these tables from nothing.
    /// Order: table, chains (empty, so verdict maps can name them), named objects,
    /// flowtables, sets and maps with their elements, then rules. Handles are never emitted.
    public func creationBatch() -> (document: Document, locations: [SourceLocation?]) {
        var entries: [Document.Entry] = []
        var locs: [SourceLocation?] = []
        func add(_ item: RulesetItem, _ loc: SourceLocation?) {
            entries.append(.command(Command(.add, item)))
            locs.append(loc)
        }
        for t in tables {
            add(.table(t.table.value), t.table.location)
            for c in t.chains { add(.chain(c.value), c.location) }
            for o in t.objects { add(.object(kind: o.value.body.kind, o.value), o.location) }
            for f in t.flowtables { add(.flowtable(f.value), f.location) }
            for s in t.sets { add(.set(s.value), s.location) }
            for r in t.rules { add(.rule(r.value), r.location) }
        }
        return (Document(entries), locs)
    }

    /// The same tables as a flat listing (what `nft -j list ruleset` would show).
    public var listingItems: [RulesetItem] {
        var out: [RulesetItem] = []
        for t in tables {
            out.append(.table(t.table.value))
            for o in t.objects { out.append(.object(kind: o.value.body.kind, o.value)) }
            for f in t.flowtables { out.append(.flowtable(f.value)) }
            for s in t.sets { out.append(.set(s.value)) }
            for c in t.chains { out.append(.chain(c.value)) }
            for r in t.rules { out.append(.rule(r.value)) }
        }
        return out
    }
}
