extension Statement {
    /// Lenient decoding: unknown shapes become `.raw`, bare strings `.text`.
    public init(json: JSON) {
        do { self = try Statement.decode(json) } catch { self = .raw(json) }
    }

    public static func decode(_ json: JSON) throws(Problem) -> Statement {
        if case .string(let s) = json { return .text(s) }
        guard case .object(let o) = json else { throw Problem("statement: expected an object, got \(json.kindName)") }
        guard let (key, v) = o.singleEntry else {
            throw Problem("statement: expected an object with exactly one key, got \(o.count) keys")
        }
        return try decodeKeyed(key, v)
    }

    /// Rejects `{}` where libnftables prints `null` for "no arguments": re-encoding could not
    /// reproduce it.
    private static func nonEmpty(_ v: JSON, _ what: String) throws(Problem) {
        if case .object(let o) = v, o.isEmpty { throw Problem("\(what): empty object") }
    }

    static func decodeKeyed(_ key: String, _ v: JSON) throws(Problem) -> Statement {
        switch key {
        case "accept", "drop", "continue", "return", "jump", "goto":
            return .verdict(try Verdict.decode(key, v))
        case "match":
            var r = try Reader(v, "match")
            let left = try r.expr("left")
            let opText = try r.string("op")
            guard let op = MatchOperator(rawValue: opText) else { throw Problem("match: unknown operator \"\(opText)\"") }
            let right = try r.expr("right")
            try r.finish()
            return .match(left: left, op: op, right: right)
        case "counter":
            if v.isNull { return .counter(packets: nil, bytes: nil) }
            if case .object(let o) = v, o["packets"] != nil || o["bytes"] != nil {
                var r = Reader(object: o, "counter")
                let s = Statement.counter(packets: try r.optUInt("packets"), bytes: try r.optUInt("bytes"))
                try r.finish()
                return s
            }
            return .namedCounter(try objectReference(v, "counter"))
        case "mangle":
            var r = try Reader(v, "mangle")
            let s = Statement.mangle(key: try r.expr("key"), value: try r.expr("value"))
            try r.finish()
            return s
        case "quota":
            if case .object(let o) = v, o["val"] != nil {
                var r = Reader(object: o, "quota")
                let q = Quota(
                    val: try r.int("val"), valUnit: try r.optString("val_unit"), used: try r.optInt("used"),
                    usedUnit: try r.optString("used_unit"), inv: try r.optBool("inv"))
                try r.finish()
                return .quota(q)
            }
            return .namedQuota(try objectReference(v, "quota"))
        case "limit":
            if case .object(let o) = v, o["rate"] != nil {
                var r = Reader(object: o, "limit")
                let l = Limit(
                    rate: try r.int("rate"), per: try r.optString("per"), rateUnit: try r.optString("rate_unit"),
                    burst: try r.optInt("burst"), burstUnit: try r.optString("burst_unit"),
                    inv: try r.optBool("inv"))
                try r.finish()
                return .limit(l)
            }
            return .namedLimit(try objectReference(v, "limit"))
        case "fwd":
            try nonEmpty(v, "fwd")
            var r = try Reader(v, "fwd")
            let s = Statement.fwd(dev: r.optExpr("dev"), family: try r.optString("family"), addr: r.optExpr("addr"))
            try r.finish()
            return s
        case "notrack":
            guard v.isNull else { throw Problem("notrack: expected null") }
            return .notrack
        case "dup":
            try nonEmpty(v, "dup")
            var r = try Reader(v, "dup")
            let s = Statement.dup(addr: r.optExpr("addr"), dev: r.optExpr("dev"))
            try r.finish()
            return s
        case "snat", "dnat", "masquerade", "redirect":
            let kind = NATKind(rawValue: key)!
            if v.isNull { return .nat(NAT(kind)) }
            try nonEmpty(v, key)
            var r = try Reader(v, key)
            let n = NAT(
                kind, family: try r.optString("family"), addr: r.optExpr("addr"), port: r.optExpr("port"),
                flags: try r.optFlags("flags"), typeFlags: try r.optFlags("type_flags"))
            try r.finish()
            return .nat(n)
        case "reject":
            if v.isNull { return .reject(type: nil, expr: nil) }
            try nonEmpty(v, "reject")
            var r = try Reader(v, "reject")
            let s = Statement.reject(type: try r.optString("type"), expr: r.optExpr("expr"))
            try r.finish()
            return s
        case "set":
            var r = try Reader(v, "set")
            let u = SetUpdate(
                op: try r.string("op"), elem: try r.expr("elem"), set: try r.string("set"),
                stmt: try r.optJSON("stmt").map { (j: JSON) throws(Problem) in try statementList(j, "set stmt") })
            try r.finish()
            return .set(u)
        case "map":
            var r = try Reader(v, "map")
            let u = MapUpdate(
                op: try r.string("op"), elem: try r.expr("elem"), data: try r.expr("data"),
                map: try r.string("map"),
                stmt: try r.optJSON("stmt").map { (j: JSON) throws(Problem) in try statementList(j, "map stmt") })
            try r.finish()
            return .map(u)
        case "log":
            if v.isNull { return .log(Log()) }
            try nonEmpty(v, "log")
            var r = try Reader(v, "log")
            let l = Log(
                prefix: try r.optString("prefix"), group: try r.optInt("group"), snaplen: try r.optInt("snaplen"),
                queueThreshold: try r.optInt("queue-threshold"), level: try r.optString("level"),
                flags: try r.optFlags("flags"))
            try r.finish()
            return .log(l)
        case "ct helper": return .ctHelper(try objectReference(v, key))
        case "ct timeout": return .ctTimeout(try objectReference(v, key))
        case "ct expectation": return .ctExpectation(try objectReference(v, key))
        case "meter":
            var r = try Reader(v, "meter")
            let s = Statement.meter(
                name: try r.string("name"), key: try r.expr("key"),
                stmt: Statement(json: try r.json("stmt")), size: try r.optInt("size"))
            try r.finish()
            return s
        case "queue":
            if v.isNull { return .queue(num: nil, flags: nil) }
            try nonEmpty(v, "queue")
            var r = try Reader(v, "queue")
            let s = Statement.queue(num: r.optExpr("num"), flags: try r.optFlags("flags"))
            try r.finish()
            return s
        case "vmap":
            var r = try Reader(v, "vmap")
            let s = Statement.vmap(key: try r.expr("key"), data: try r.expr("data"))
            try r.finish()
            return s
        case "ct count":
            var r = try Reader(v, "ct count")
            let s = Statement.ctCount(val: try r.int("val"), inv: try r.optBool("inv"))
            try r.finish()
            return s
        case "tproxy":
            try nonEmpty(v, "tproxy")
            var r = try Reader(v, "tproxy")
            let s = Statement.tproxy(family: try r.optString("family"), addr: r.optExpr("addr"), port: r.optExpr("port"))
            try r.finish()
            return s
        case "synproxy":
            if v.isNull { return .synproxy(nil) }
            if case .object(let o) = v, o["map"] == nil, !o.isEmpty {
                var r = Reader(object: o, "synproxy")
                let s = Synproxy(mss: try r.optInt("mss"), wscale: try r.optInt("wscale"), flags: try r.optFlags("flags"))
                try r.finish()
                return .synproxy(s)
            }
            return .namedSynproxy(try objectReference(v, "synproxy"))
        case "reset":
            return .reset(try objectReference(v, "reset"))
        case "secmark":
            return .secmark(try objectReference(v, "secmark"))
        case "xt":
            var r = try Reader(v, "xt")
            let s = Statement.xt(type: try r.string("type"), name: try r.string("name"))
            try r.finish()
            return s
        case "flow":
            var r = try Reader(v, "flow")
            let s = Statement.flow(op: try r.string("op"), flowtable: try r.string("flowtable"))
            try r.finish()
            return s
        case "last":
            if v.isNull { return .last(used: nil) }
            var r = try Reader(v, "last")
            let s = Statement.last(used: try r.optInt("used"))
            try r.finish()
            return s
        default:
            throw Problem("unknown statement \"\(key)\"")
        }
    }

    /// A reference to a named object: a name, or an expression (a map) selecting one.
    private static func objectReference(_ v: JSON, _ what: String) throws(Problem) -> Expression {
        switch v {
        case .string(let s):
            guard !s.isEmpty else { throw Problem("\(what): empty name") }
            return .string(s)
        case .object: return Expression(json: v)
        default: throw Problem("\(what): expected a name or an expression, got \(v.kindName)")
        }
    }

    static func statementList(_ j: JSON, _ what: String) throws(Problem) -> [Statement] {
        guard case .array(let a) = j else { throw Problem("\(what): expected an array of statements") }
        return a.map(Statement.init(json:))
    }

    public var json: JSON {
        func keyed(_ k: String, _ v: JSON) -> JSON { .keyed(k, v) }
        switch self {
        case .verdict(let v): return v.json
        case .match(let l, let op, let r):
            return keyed("match", .object(JSONObject("op", .string(op.rawValue), "left", l.json, "right", r.json)))
        case .counter(let p, let b):
            if p == nil && b == nil { return keyed("counter", .null) }
            var w = Writer(capacity: 2)
            w.put("packets", p); w.put("bytes", b)
            return keyed("counter", w.json)
        case .namedCounter(let e): return keyed("counter", e.json)
        case .mangle(let k, let v): return keyed("mangle", .object(JSONObject("key", k.json, "value", v.json)))
        case .quota(let q):
            var w = Writer(capacity: 5)
            w.put("val", q.val); w.put("val_unit", q.valUnit); w.put("used", q.used); w.put("used_unit", q.usedUnit)
            w.put("inv", q.inv)
            return keyed("quota", w.json)
        case .namedQuota(let e): return keyed("quota", e.json)
        case .limit(let l):
            var w = Writer(capacity: 6)
            w.put("rate", l.rate); w.put("burst", l.burst); w.put("per", l.per); w.put("inv", l.inv)
            w.put("rate_unit", l.rateUnit); w.put("burst_unit", l.burstUnit)
            return keyed("limit", w.json)
        case .namedLimit(let e): return keyed("limit", e.json)
        case .fwd(let dev, let family, let addr):
            var w = Writer(capacity: 3)
            w.put("dev", dev); w.put("family", family); w.put("addr", addr)
            return keyed("fwd", w.json)
        case .notrack: return keyed("notrack", .null)
        case .dup(let addr, let dev):
            var w = Writer(capacity: 2)
            w.put("addr", addr); w.put("dev", dev)
            return keyed("dup", w.json)
        case .nat(let n):
            var w = Writer(capacity: 5)
            w.put("family", n.family); w.put("addr", n.addr); w.put("port", n.port); w.put("flags", n.flags)
            w.put("type_flags", n.typeFlags)
            return keyed(n.kind.rawValue, w.object.isEmpty ? .null : w.json)
        case .reject(let type, let expr):
            if type == nil && expr == nil { return keyed("reject", .null) }
            var w = Writer(capacity: 2)
            w.put("type", type); w.put("expr", expr)
            return keyed("reject", w.json)
        case .set(let u):
            var w = Writer(capacity: 4)
            w.put("op", u.op); w.put("elem", u.elem); w.put("set", u.set)
            w.put("stmt", u.stmt.map { JSON.array($0.map(\.json)) })
            return keyed("set", w.json)
        case .map(let u):
            var w = Writer(capacity: 5)
            w.put("op", u.op); w.put("elem", u.elem); w.put("data", u.data); w.put("map", u.map)
            w.put("stmt", u.stmt.map { JSON.array($0.map(\.json)) })
            return keyed("map", w.json)
        case .log(let l):
            if l.isEmpty { return keyed("log", .null) }
            var w = Writer(capacity: 6)
            w.put("prefix", l.prefix); w.put("group", l.group); w.put("snaplen", l.snaplen)
            w.put("queue-threshold", l.queueThreshold); w.put("level", l.level); w.put("flags", l.flags)
            return keyed("log", w.json)
        case .ctHelper(let e): return keyed("ct helper", e.json)
        case .ctTimeout(let e): return keyed("ct timeout", e.json)
        case .ctExpectation(let e): return keyed("ct expectation", e.json)
        case .meter(let name, let key, let stmt, let size):
            var w = Writer(capacity: 4)
            w.put("name", name); w.put("key", key); w.put("stmt", stmt.json); w.put("size", size)
            return keyed("meter", w.json)
        case .queue(let num, let flags):
            if num == nil && flags == nil { return keyed("queue", .null) }
            var w = Writer(capacity: 2)
            w.put("num", num); w.put("flags", flags)
            return keyed("queue", w.json)
        case .vmap(let k, let d): return keyed("vmap", .object(JSONObject("key", k.json, "data", d.json)))
        case .ctCount(let val, let inv):
            var w = Writer(capacity: 2)
            w.put("val", val); w.put("inv", inv)
            return keyed("ct count", w.json)
        case .tproxy(let family, let addr, let port):
            var w = Writer(capacity: 3)
            w.put("family", family); w.put("addr", addr); w.put("port", port)
            return keyed("tproxy", w.json)
        case .synproxy(nil): return keyed("synproxy", .null)
        case .synproxy(let s?):
            var w = Writer(capacity: 3)
            w.put("mss", s.mss); w.put("wscale", s.wscale); w.put("flags", s.flags)
            return keyed("synproxy", w.json)
        case .namedSynproxy(let e): return keyed("synproxy", e.json)
        case .reset(let e): return keyed("reset", e.json)
        case .secmark(let e): return keyed("secmark", e.json)
        case .xt(let type, let name): return keyed("xt", .object(JSONObject("type", .string(type), "name", .string(name))))
        case .flow(let op, let ft): return keyed("flow", .object(JSONObject("op", .string(op), "flowtable", .string(ft))))
        case .last(nil): return keyed("last", .null)
        case .last(let used?): return keyed("last", .keyed("used", .int(used)))
        case .text(let s): return .string(s)
        case .raw(let j): return j
        }
    }
}
