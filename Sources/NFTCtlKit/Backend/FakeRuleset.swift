import NFTAnalysis

/// The state of `FakeBackend`: tables in creation order, each with its own objects, sets,
/// flowtables, chains and rules, and handle counters like the kernel's (table handles are
/// per namespace; chain, rule, set and object handles share one counter per table).
struct FakeRuleset: Sendable {
    struct TableState: Sendable {
        var table: Table
        var objects: [(kind: ObjectKind, object: NamedObject)] = []
        var sets: [NamedSet] = []
        var flowtables: [Flowtable] = []
        var chains: [Chain] = []
        var rules: [String: [Rule]] = [:]
        var nextHandle: Int64 = 1

        mutating func allocate() -> Int64 { defer { nextHandle += 1 }; return nextHandle }
    }

    var tables: [TableState] = []
    var nextTableHandle: Int64 = 1
    var generation: UInt32 = 1

    /// The listing, in libnftables 1.0.6's order: per table, the table, its named objects,
    /// sets and maps, flowtables, chains, then every chain's rules in chain order.
    var items: [RulesetItem] {
        var out: [RulesetItem] = []
        for t in tables {
            out.append(.table(t.table))
            out += t.objects.map { .object(kind: $0.kind, $0.object) }
            out += t.sets.map { .set($0) }
            out += t.flowtables.map { .flowtable($0) }
            out += t.chains.map { .chain($0) }
            for c in t.chains { out += (t.rules[c.name] ?? []).map { .rule($0) } }
        }
        return out
    }

    func tableIndex(_ family: String, _ name: String) -> Int? {
        tables.firstIndex { $0.table.family == family && $0.table.name == name }
    }
}

/// Walks statement JSON for what a rule or element refers to: jump/goto targets and
/// `@set` references.
enum FakeReferences {
    static func jumpTargets(_ json: JSON) -> [String] {
        var out: [String] = []
        walk(json) { key, value in
            if key == "jump" || key == "goto", let t = value["target"]?.stringValue { out.append(t) }
        }
        return out
    }

    static func setReferences(_ json: JSON) -> [String] {
        var out: [String] = []
        func visit(_ j: JSON) {
            switch j {
            case .string(let s): if let ref = SetReference(reference: s) { out.append(ref.name) }
            case .array(let a): a.forEach(visit)
            case .object(let o): o.forEach { visit($0.value) }
            default: break
            }
        }
        visit(json)
        return out
    }

    private static func walk(_ j: JSON, _ f: (String, JSON) -> Void) {
        switch j {
        case .array(let a): a.forEach { walk($0, f) }
        case .object(let o):
            for (k, v) in o { f(k, v); walk(v, f) }
        default: break
        }
    }

    /// `json` with every jump/goto to `old` pointed at `new` (a renamed chain).
    static func renamingTarget(_ json: JSON, from old: String, to new: String) -> JSON {
        switch json {
        case .array(let a): return .array(a.map { renamingTarget($0, from: old, to: new) })
        case .object(let o):
            var out = JSONObject()
            for (k, v) in o {
                if k == "jump" || k == "goto", v["target"]?.stringValue == old {
                    out.append(k, ["target": .string(new)])
                } else {
                    out.append(k, renamingTarget(v, from: old, to: new))
                }
            }
            return .object(out)
        default: return json
        }
    }
}
