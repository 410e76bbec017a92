extension RulesetItem {
    public init(json: JSON) {
        do { self = try RulesetItem.decode(json) } catch { self = .raw(json) }
    }

    /// Keys that only select what to list/flush/reset/delete.
    static let selectorKeys: Set<String> = [
        "ruleset", "tables", "chains", "sets", "maps", "counters", "quotas", "limits", "ct helpers",
        "ct timeouts", "ct expectations", "flowtables", "meter", "meters", "secmarks", "synproxys"
    ]

    public static func decode(_ json: JSON) throws(Problem) -> RulesetItem {
        guard case .object(let o) = json, let (key, v) = o.singleEntry else {
            throw Problem("expected an object with exactly one key such as \"table\" or \"rule\"")
        }
        switch key {
        case "metainfo":
            guard case .object(let m) = v else { throw Problem("metainfo: expected an object") }
            return .metainfo(m)
        case "table":
            var r = try Reader(v, "table")
            let t = Table(
                family: try r.string("family"), name: try r.string("name"), handle: try r.optInt("handle"),
                flags: try r.optFlags("flags"), comment: try r.optString("comment"))
            try r.finish()
            return .table(t)
        case "chain":
            var r = try Reader(v, "chain")
            let c = Chain(
                family: try r.string("family"), table: try r.string("table"), name: try r.string("name"),
                newname: try r.optString("newname"), handle: try r.optInt("handle"),
                type: try r.optString("type"), hook: try r.optString("hook"), prio: try r.optInt("prio"),
                dev: try r.optFlags("dev"), policy: try r.optString("policy"),
                comment: try r.optString("comment"))
            try r.finish()
            return .chain(c)
        case "rule":
            var r = try Reader(v, "rule")
            let rule = Rule(
                family: try r.string("family"), table: try r.string("table"), chain: try r.string("chain"),
                handle: try r.optInt("handle"), index: try r.optInt("index"),
                expr: try r.optJSON("expr").map { (j: JSON) throws(Problem) in
                    try Statement.statementList(j, "rule expr")
                },
                comment: try r.optString("comment"))
            try r.finish()
            return .rule(rule)
        case "set", "map":
            var r = try Reader(v, key)
            let s = NamedSet(
                isMap: key == "map", family: try r.string("family"), table: try r.string("table"),
                name: try r.string("name"), handle: try r.optInt("handle"),
                type: try r.optJSON("type").map { (j: JSON) throws(Problem) in try SetKeyType.decode(j, "\(key) type") },
                map: try r.optJSON("map").map { (j: JSON) throws(Problem) in try SetKeyType.decode(j, "\(key) map") },
                policy: try r.optString("policy"), flags: try r.optFlags("flags"), elem: r.optExpr("elem"),
                timeout: try r.optTime("timeout"), gcInterval: try r.optTime("gc-interval"), size: try r.optInt("size"),
                comment: try r.optString("comment"),
                stmt: try r.optJSON("stmt").map { (j: JSON) throws(Problem) in try Statement.statementList(j, "\(key) stmt") },
                autoMerge: try r.optBool("auto-merge"))
            try r.finish()
            if key == "map" && s.map == nil && s.type != nil { throw Problem("map: missing \"map\" (the data type)") }
            return .set(s)
        case "element":
            var r = try Reader(v, "element")
            let e = ElementCommand(
                family: try r.string("family"), table: try r.string("table"),
                name: try r.string("name"), elem: try r.expr("elem"))
            try r.finish()
            return .element(e)
        case "flowtable":
            var r = try Reader(v, "flowtable")
            let f = Flowtable(
                family: try r.string("family"), table: try r.string("table"), name: try r.string("name"),
                handle: try r.optInt("handle"), hook: try r.optString("hook"), prio: try r.optInt("prio"),
                dev: try r.optFlags("dev"), flags: try r.optFlags("flags"))
            try r.finish()
            return .flowtable(f)
        default:
            if let kind = ObjectKind(rawValue: key) {
                return .object(kind: kind, try NamedObject.decode(kind, v))
            }
            if selectorKeys.contains(key) { return .selector(key: key, value: v) }
            throw Problem("unknown ruleset element \"\(key)\"")
        }
    }

    public var json: JSON {
        switch self {
        case .metainfo(let m): return .keyed("metainfo", .object(m))
        case .table(let t):
            var w = Writer(capacity: 5)
            w.put("family", t.family); w.put("name", t.name); w.put("handle", t.handle); w.put("flags", t.flags)
            w.put("comment", t.comment)
            return .keyed("table", w.json)
        case .chain(let c):
            var w = Writer(capacity: 11)
            w.put("family", c.family); w.put("table", c.table); w.put("name", c.name); w.put("newname", c.newname)
            w.put("handle", c.handle); w.put("comment", c.comment); w.put("type", c.type); w.put("hook", c.hook)
            w.put("prio", c.prio); w.put("dev", c.dev); w.put("policy", c.policy)
            return .keyed("chain", w.json)
        case .rule(let r):
            var w = Writer(capacity: 7)
            w.put("family", r.family); w.put("table", r.table); w.put("chain", r.chain); w.put("handle", r.handle)
            w.put("index", r.index); w.put("comment", r.comment)
            w.put("expr", r.expr.map { JSON.array($0.map(\.json)) })
            return .keyed("rule", w.json)
        case .set(let s):
            var w = Writer(capacity: 15)
            w.put("family", s.family); w.put("name", s.name); w.put("table", s.table)
            w.put("type", s.type?.json); w.put("handle", s.handle); w.put("map", s.map?.json)
            w.put("comment", s.comment); w.put("policy", s.policy); w.put("flags", s.flags)
            w.put("timeout", s.timeout); w.put("gc-interval", s.gcInterval); w.put("size", s.size)
            w.put("auto-merge", s.autoMerge)
            w.put("stmt", s.stmt.map { JSON.array($0.map(\.json)) })
            w.put("elem", s.elem)
            return .keyed(s.isMap ? "map" : "set", w.json)
        case .element(let e):
            var w = Writer(capacity: 4)
            w.put("family", e.family); w.put("table", e.table); w.put("name", e.name); w.put("elem", e.elem.json)
            return .keyed("element", w.json)
        case .flowtable(let f):
            var w = Writer(capacity: 8)
            w.put("family", f.family); w.put("name", f.name); w.put("table", f.table); w.put("handle", f.handle)
            w.put("hook", f.hook); w.put("prio", f.prio); w.put("dev", f.dev); w.put("flags", f.flags)
            return .keyed("flowtable", w.json)
        case .object(let kind, let o): return .keyed(kind.rawValue, o.bodyJSON)
        case .selector(let key, let value): return .keyed(key, value)
        case .raw(let j): return j
        }
    }
}

extension SetKeyType {
    static func decode(_ j: JSON, _ what: String) throws(Problem) -> SetKeyType {
        switch j {
        case .string(let s): return .named(s)
        case .array(let a):
            var out: [String] = []
            for x in a {
                guard case .string(let s) = x else { throw Problem("\(what): concatenated types must be strings") }
                out.append(s)
            }
            guard !out.isEmpty else { throw Problem("\(what): empty type list") }
            return .concat(out)
        case .object(let o):
            guard let (k, v) = o.singleEntry, k == "typeof" else { throw Problem("\(what): expected {\"typeof\": EXPR}") }
            return .typeof(Expression(json: v))
        default: throw Problem("\(what): expected a type name, an array of names or {\"typeof\": ...}")
        }
    }

    public var json: JSON {
        switch self {
        case .named(let s): return .string(s)
        case .concat(let l): return .array(l.map { .string($0) })
        case .typeof(let e): return .keyed("typeof", e.json)
        }
    }
}

extension NamedObject {
    static func decode(_ kind: ObjectKind, _ v: JSON) throws(Problem) -> NamedObject {
        var r = try Reader(v, kind.rawValue)
        let family = try r.string("family"), table = try r.string("table"), name = try r.string("name")
        let handle = try r.optInt("handle"), comment = try r.optString("comment")
        let body: ObjectBody
        switch kind {
        case .counter: body = .counter(packets: try r.optUInt("packets"), bytes: try r.optUInt("bytes"))
        case .quota: body = .quota(bytes: try r.optUInt("bytes"), used: try r.optUInt("used"), inv: try r.optBool("inv"))
        case .ctHelper:
            body = .ctHelper(
                type: try r.optString("type"), protocol: try r.optString("protocol"),
                l3proto: try r.optString("l3proto"))
        case .limit:
            body = .limit(
                rate: try r.optInt("rate"), per: try r.optString("per"), burst: try r.optInt("burst"),
                unit: try r.optString("unit"), inv: try r.optBool("inv"), rateUnit: try r.optString("rate_unit"),
                burstUnit: try r.optString("burst_unit"))
        case .ctTimeout:
            let policy = r.optJSON("policy")
            if let policy, policy.objectValue == nil { throw Problem("ct timeout: \"policy\" must be an object") }
            body = .ctTimeout(
                protocol: try r.optString("protocol"), l3proto: try r.optString("l3proto"),
                policy: policy?.objectValue)
        case .ctExpectation:
            body = .ctExpectation(
                l3proto: try r.optString("l3proto"), protocol: try r.optString("protocol"),
                dport: try r.optInt("dport"), timeout: try r.optInt("timeout"), size: try r.optInt("size"))
        case .synproxy:
            body = .synproxy(mss: try r.optInt("mss"), wscale: try r.optInt("wscale"), flags: try r.optFlags("flags"))
        case .secmark: body = .secmark(context: try r.optString("context"))
        }
        try r.finish()
        return NamedObject(family: family, table: table, name: name, handle: handle, comment: comment, body: body)
    }

    var bodyJSON: JSON {
        var w = Writer(capacity: 12)
        w.put("family", family); w.put("name", name); w.put("table", table); w.put("handle", handle)
        w.put("comment", comment)
        switch body {
        case .counter(let p, let b): w.put("packets", p); w.put("bytes", b)
        case .quota(let b, let u, let inv): w.put("bytes", b); w.put("used", u); w.put("inv", inv)
        case .ctHelper(let t, let p, let l3): w.put("type", t); w.put("protocol", p); w.put("l3proto", l3)
        case .limit(let rate, let per, let burst, let unit, let inv, let rateUnit, let burstUnit):
            w.put("rate", rate); w.put("per", per); w.put("rate_unit", rateUnit); w.put("inv", inv); w.put("burst", burst)
            w.put("burst_unit", burstUnit); w.put("unit", unit)
        case .ctTimeout(let p, let l3, let policy):
            w.put("protocol", p); w.put("l3proto", l3); w.put("policy", policy.map(JSON.object))
        case .ctExpectation(let l3, let p, let dport, let timeout, let size):
            w.put("l3proto", l3); w.put("protocol", p); w.put("dport", dport); w.put("timeout", timeout); w.put("size", size)
        case .synproxy(let mss, let ws, let flags): w.put("mss", mss); w.put("wscale", ws); w.put("flags", flags)
        case .secmark(let ctx): w.put("context", ctx)
        }
        return w.json
    }
}

extension Document {
    /// Reads `{"nftables": [...]}`. Entries the model does not know are kept raw.
    public static func decode(_ json: JSON) throws(Problem) -> Document {
        guard case .object(let o) = json, let (k, v) = o.singleEntry, k == "nftables" else {
            throw Problem("expected a libnftables JSON document: {\"nftables\": [...]}")
        }
        guard case .array(let a) = v else { throw Problem("\"nftables\" must be an array") }
        return Document(a.map(Entry.init(json:)))
    }

    public static func parse(_ text: String) throws -> Document {
        try decode(try JSON.parse(text))
    }

    public var json: JSON { .keyed("nftables", .array(entries.map(\.json))) }
}

extension Document.Entry {
    public init(json: JSON) {
        if case .object(let o) = json, let (k, v) = o.singleEntry, let verb = Verb(rawValue: k) {
            let item = RulesetItem(json: v)
            if case .raw = item { self = .raw(json) } else { self = .command(Command(verb, item)) }
            return
        }
        let item = RulesetItem(json: json)
        if case .raw = item { self = .raw(json) } else { self = .item(item) }
    }

    public var json: JSON {
        switch self {
        case .item(let i): return i.json
        case .command(let c): return .keyed(c.verb.rawValue, c.item.json)
        case .raw(let j): return j
        }
    }
}
