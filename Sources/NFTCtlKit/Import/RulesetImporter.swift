import NFTAnalysis
import NFTables

/// `nftctl import`: a ruleset (model) → DSL source that evaluates back to it.
///
/// Layout: per table, one top-level `let` per named object, flowtable, set, map and chain
/// (one `let` per chain keeps type-checking linear: see DSLFields.swift), then
/// `let ruleset = Ruleset { table(...) { ... } }` naming them. What the typed DSL cannot
/// spell is written in the model's own form (`statement(...)`, `Value(...)`,
/// `object(...)`), so the import is never lossy; `notes` lists what even that cannot carry.
public struct RulesetImporter {
    public struct Result: Sendable {
        public var source: String
        /// Parts of the ruleset the DSL cannot express at all (nothing else is lost).
        public var notes: [String]
        /// How many statements had no typed spelling and were written in the model's form.
        public var rawStatements: Int
    }

    /// Chains with more rules than this are split into parts of this size (each its own
    /// top-level `let` of `[RuleDecl]`), which keeps swiftc's time linear.
    public var chunkSize = 100
    /// Sets and maps with more elements than this get their elements as a separate array.
    public var inlineElements = 64

    /// How the generated notes write the options that pick tables (the front end's spelling).
    public var spell: @Sendable (UserOption) -> String = UserOption.unspelled

    public init() {}

    public func importRuleset(_ state: RulesetState, origin: String? = nil) -> Result {
        var w = SourceWriter()
        var pool = IdentifierPool()
        var notes: [String] = []
        var raw = 0
        w.comment("Imported by `nftctl import`" + (origin.map { " from \($0)" } ?? "") + ".")
        w.line("import NFTables")
        var tableBodies: [(head: String, members: [String])] = []

        for t in state.tables {
            let table = t.table.value
            let family = Family(rawValue: table.family)
            let tname = table.name
            var names = TableNames(family: family)
            var members: [String] = []
            var ctx = TableEmitter(importer: self, names: names, family: family, table: table)

            // Names first: rules refer to sets, maps, objects and flowtables by their `let`.
            let objectIDs = t.objects.map { pool.make($0.value.name, kind: Self.objectKind($0.value.body.kind), qualifier: tname) }
            for (o, id) in zip(t.objects, objectIDs) { names.objects[o.value.body.kind, default: [:]][o.value.name] = id }
            let flowIDs = t.flowtables.map { pool.make($0.value.name, kind: "flowtable", qualifier: tname) }
            for (f, id) in zip(t.flowtables, flowIDs) { names.flowtables[f.value.name] = id }
            let setIDs = t.sets.map { pool.make($0.value.name, kind: $0.value.isMap ? "map" : "set", qualifier: tname) }
            for (s, id) in zip(t.sets, setIDs) {
                if s.value.isMap { names.maps[s.value.name] = id } else { names.sets[s.value.name] = id }
            }
            let chainIDs = t.chains.map { pool.make($0.value.name, kind: "chain", qualifier: tname) }
            for (c, id) in zip(t.chains, chainIDs) { names.chains[c.value.name] = id }
            ctx.names = names

            w.line()
            w.comment("table \(table.family) \(table.name)")
            if let owner = TableOwners.owner(t) {
                w.comment(
                    "This table looks like \(owner)'s: nftctl would replace what \(owner) writes here. Import only your own tables (\(spell(.table)), \(spell(.exclude)))."
                )
            }
            for (o, id) in zip(t.objects, objectIDs) {
                w.line("let \(id) = \(ctx.object(o.value, notes: &notes))")
                members.append(id)
            }
            for (f, id) in zip(t.flowtables, flowIDs) {
                w.line("let \(id) = \(ctx.flowtable(f.value, notes: &notes))")
                members.append(id)
            }
            for (s, id) in zip(t.sets, setIDs) {
                w.line()
                ctx.set(s.value, id: id, pool: &pool, into: &w, notes: &notes)
                members.append(id)
            }
            for (c, id) in zip(t.chains, chainIDs) {
                w.line()
                let rules = t.rules.filter { $0.value.chain == c.value.name }.map(\.value)
                raw += ctx.chain(c.value, rules: rules, id: id, pool: &pool, into: &w, notes: &notes)
                members.append(id)
            }
            tableBodies.append((ctx.tableHead(notes: &notes), members))
        }

        w.line()
        w.block("let ruleset = Ruleset") { w in
            for (head, members) in tableBodies {
                if members.isEmpty { w.line(head + " {}"); continue }
                w.block(head) { w in for m in members { w.line(m) } }
            }
        }
        if !notes.isEmpty {
            w.line()
            w.comment("nftctl import could not express:\n" + notes.map { "- " + $0 }.joined(separator: "\n"))
        }
        return Result(source: w.text, notes: notes, rawStatements: raw)
    }

    static func objectKind(_ k: ObjectKind) -> String {
        switch k {
        case .counter: return "counter"
        case .quota: return "quota"
        case .limit: return "limit"
        case .synproxy: return "synproxy"
        case .secmark: return "secmark"
        case .ctHelper: return "helper"
        case .ctTimeout: return "timeout"
        case .ctExpectation: return "expectation"
        }
    }
}
