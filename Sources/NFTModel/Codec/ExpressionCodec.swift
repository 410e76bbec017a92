extension Expression {
    /// Lenient decoding: any shape the model does not know becomes `.raw`, losing nothing.
    public init(json: JSON) {
        do { self = try Expression.decode(json) } catch { self = .raw(json) }
    }

    /// Strict decoding of this node's own shape (children are decoded leniently).
    public static func decode(_ json: JSON) throws(Problem) -> Expression {
        switch json {
        case .string(let s): return .string(s)
        case .int(let i): return .number(i)
        case .uint(let u): return .unsigned(u)
        case .bool(let b): return .bool(b)
        case .array(let a): return .list(a.map(Expression.init(json:)))
        case .null: throw Problem("expression: null is not an expression")
        case .double: throw Problem("expression: fractional numbers are not nftables values")
        case .object(let o):
            guard let (key, value) = o.singleEntry else {
                throw Problem("expression: expected an object with exactly one key, got \(o.count) keys")
            }
            return try decodeKeyed(key, value)
        }
    }

    static func decodeKeyed(_ key: String, _ v: JSON) throws(Problem) -> Expression {
        switch key {
        case "payload":
            var r = try Reader(v, "payload")
            if r.object["base"] != nil {
                let p = Payload.raw(base: try r.string("base"), offset: try r.smallInt("offset"), len: try r.smallInt("len"))
                try r.finish()
                return .payload(p)
            }
            let p = Payload.field(protocol: try r.string("protocol"), field: try r.string("field"))
            try r.finish()
            return .payload(p)
        case "exthdr":
            var r = try Reader(v, "exthdr")
            let e = Expression.exthdr(
                name: try r.string("name"), field: try r.optString("field"),
                offset: try r.optSmallInt("offset"))
            try r.finish()
            return e
        case "tcp option":
            var r = try Reader(v, "tcp option")
            if r.object["base"] != nil {
                let o = TCPOption.raw(base: try r.smallInt("base"), offset: try r.smallInt("offset"), len: try r.smallInt("len"))
                try r.finish()
                return .tcpOption(o)
            }
            let o = TCPOption.named(name: try r.string("name"), field: try r.optString("field"))
            try r.finish()
            return .tcpOption(o)
        case "ip option":
            var r = try Reader(v, "ip option")
            let e = Expression.ipOption(name: try r.string("name"), field: try r.optString("field"))
            try r.finish()
            return e
        case "sctp chunk":
            var r = try Reader(v, "sctp chunk")
            let e = Expression.sctpChunk(name: try r.string("name"), field: try r.optString("field"))
            try r.finish()
            return e
        case "dccp option":
            var r = try Reader(v, "dccp option")
            let e = Expression.dccpOption(type: try r.smallInt("type"))
            try r.finish()
            return e
        case "meta":
            var r = try Reader(v, "meta")
            let e = Expression.meta(key: try r.string("key"))
            try r.finish()
            return e
        case "rt":
            var r = try Reader(v, "rt")
            let e = Expression.rt(key: try r.string("key"), family: try r.optString("family"))
            try r.finish()
            return e
        case "ct":
            var r = try Reader(v, "ct")
            let e = Expression.ct(key: try r.string("key"), family: try r.optString("family"), dir: try r.optString("dir"))
            try r.finish()
            return e
        case "numgen":
            var r = try Reader(v, "numgen")
            let e = Expression.numgen(mode: try r.string("mode"), mod: try r.int("mod"), offset: try r.optInt("offset"))
            try r.finish()
            return e
        case "jhash":
            var r = try Reader(v, "jhash")
            let e = Expression.jhash(
                mod: try r.int("mod"), offset: try r.optInt("offset"), expr: try r.expr("expr"),
                seed: try r.optInt("seed"))
            try r.finish()
            return e
        case "symhash":
            var r = try Reader(v, "symhash")
            let e = Expression.symhash(mod: try r.int("mod"), offset: try r.optInt("offset"))
            try r.finish()
            return e
        case "fib":
            var r = try Reader(v, "fib")
            let e = Expression.fib(result: try r.string("result"), flags: try r.optFlags("flags"))
            try r.finish()
            return e
        case "|", "^", "&", "<<", ">>":
            guard case .array(let ops) = v, ops.count >= 2 else {
                throw Problem("binary operation \"\(key)\": expected an array of at least two operands")
            }
            return .binop(BinaryOperator(rawValue: key)!, ops.map(Expression.init(json:)))
        case "accept", "drop", "continue", "return", "jump", "goto":
            return .verdict(try Verdict.decode(key, v))
        case "elem":
            return .elem(try SetElement.decode(v))
        case "socket":
            var r = try Reader(v, "socket")
            let e = Expression.socket(key: try r.string("key"), level: try r.optSmallInt("level"))
            try r.finish()
            return e
        case "osf":
            var r = try Reader(v, "osf")
            let e = Expression.osf(key: try r.string("key"), ttl: try r.optString("ttl"))
            try r.finish()
            return e
        case "ipsec":
            var r = try Reader(v, "ipsec")
            let e = Expression.ipsec(
                key: try r.string("key"), dir: try r.optString("dir"),
                spnum: try r.optSmallInt("spnum"), family: try r.optString("family"))
            try r.finish()
            return e
        case "tunnel":
            var r = try Reader(v, "tunnel")
            let e = Expression.tunnel(key: try r.string("key"))
            try r.finish()
            return e
        case "set":
            if case .array(let a) = v { return .set(a.map(Expression.init(json:)), single: false) }
            if case .null = v { throw Problem("set: null is not a set") }
            return .set([Expression(json: v)], single: true)
        case "map":
            var r = try Reader(v, "map")
            let e = Expression.map(key: try r.expr("key"), data: try r.expr("data"))
            try r.finish()
            return e
        case "prefix":
            var r = try Reader(v, "prefix")
            let addr = try r.expr("addr")
            guard let len = try r.optSmallInt("len"), len >= 0, len <= 128 else {
                throw Problem("prefix: \"len\" must be an integer from 0 to 128")
            }
            try r.finish()
            return .prefix(addr: addr, len: len)
        case "range":
            guard case .array(let a) = v, a.count == 2 else { throw Problem("range: expected an array of two values") }
            return .range(Expression(json: a[0]), Expression(json: a[1]))
        case "concat":
            guard case .array(let a) = v, !a.isEmpty else { throw Problem("concat: expected a non-empty array") }
            return .concat(a.map(Expression.init(json:)))
        default:
            throw Problem("unknown expression \"\(key)\"")
        }
    }

    public var json: JSON {
        switch self {
        case .string(let s): return .string(s)
        case .number(let n): return .int(n)
        case .unsigned(let u): return .number(u)
        case .bool(let b): return .bool(b)
        case .list(let l): return .array(l.map(\.json))
        case .set(let l, let single):
            return .keyed("set", single && l.count == 1 ? l[0].json : .array(l.map(\.json)))
        case .map(let key, let data):
            return .keyed("map", .object(JSONObject("key", key.json, "data", data.json)))
        case .prefix(let addr, let len):
            return .keyed("prefix", .object(JSONObject("addr", addr.json, "len", .number(len))))
        case .range(let a, let b): return .keyed("range", .array([a.json, b.json]))
        case .concat(let l): return .keyed("concat", .array(l.map(\.json)))
        case .payload(.field(let p, let f)):
            return .keyed("payload", .object(JSONObject("protocol", .string(p), "field", .string(f))))
        case .payload(.raw(let base, let off, let len)):
            return .keyed("payload", .object(JSONObject("base", .string(base), "offset", .number(off), "len", .number(len))))
        case .exthdr(let name, let field, let offset):
            var w = Writer(capacity: 3)
            w.put("name", name); w.put("field", field); w.put("offset", offset)
            return .keyed("exthdr", w.json)
        case .tcpOption(.named(let name, let field)):
            var w = Writer(capacity: 2)
            w.put("name", name); w.put("field", field)
            return .keyed("tcp option", w.json)
        case .tcpOption(.raw(let base, let off, let len)):
            return .keyed("tcp option", .object(JSONObject("base", .number(base), "offset", .number(off), "len", .number(len))))
        case .ipOption(let name, let field):
            var w = Writer(capacity: 2)
            w.put("name", name); w.put("field", field)
            return .keyed("ip option", w.json)
        case .sctpChunk(let name, let field):
            var w = Writer(capacity: 2)
            w.put("name", name); w.put("field", field)
            return .keyed("sctp chunk", w.json)
        case .dccpOption(let t): return .keyed("dccp option", .keyed("type", .number(t)))
        case .meta(let key): return .keyed("meta", .keyed("key", .string(key)))
        case .rt(let key, let family):
            var w = Writer(capacity: 2)
            w.put("key", key); w.put("family", family)
            return .keyed("rt", w.json)
        case .ct(let key, let family, let dir):
            var w = Writer(capacity: 3)
            w.put("key", key); w.put("family", family); w.put("dir", dir)
            return .keyed("ct", w.json)
        case .numgen(let mode, let mod, let offset):
            var w = Writer(capacity: 3)
            w.put("mode", mode); w.put("mod", mod); w.put("offset", offset)
            return .keyed("numgen", w.json)
        case .jhash(let mod, let offset, let expr, let seed):
            var w = Writer(capacity: 4)
            w.put("mod", mod); w.put("offset", offset); w.put("expr", expr); w.put("seed", seed)
            return .keyed("jhash", w.json)
        case .symhash(let mod, let offset):
            var w = Writer(capacity: 2)
            w.put("mod", mod); w.put("offset", offset)
            return .keyed("symhash", w.json)
        case .fib(let result, let flags):
            var w = Writer(capacity: 2)
            w.put("result", result); w.put("flags", flags)
            return .keyed("fib", w.json)
        case .binop(let op, let l): return .keyed(op.rawValue, .array(l.map(\.json)))
        case .verdict(let v): return v.json
        case .elem(let e): return e.json
        case .socket(let key, let level):
            var w = Writer(capacity: 2)
            w.put("key", key); w.put("level", level)
            return .keyed("socket", w.json)
        case .osf(let key, let ttl):
            var w = Writer(capacity: 2)
            w.put("key", key); w.put("ttl", ttl)
            return .keyed("osf", w.json)
        case .ipsec(let key, let dir, let spnum, let family):
            var w = Writer(capacity: 4)
            w.put("key", key); w.put("dir", dir); w.put("spnum", spnum); w.put("family", family)
            return .keyed("ipsec", w.json)
        case .tunnel(let key): return .keyed("tunnel", .keyed("key", .string(key)))
        case .raw(let j): return j
        }
    }
}

extension Verdict {
    static func decode(_ key: String, _ v: JSON) throws(Problem) -> Verdict {
        switch key {
        case "accept", "drop", "continue", "return":
            guard v.isNull else { throw Problem("\(key): expected null") }
            switch key {
            case "accept": return .accept
            case "drop": return .drop
            case "continue": return .continue
            default: return .return
            }
        default:
            var r = try Reader(v, key)
            let target = try r.string("target")
            try r.finish()
            guard !target.isEmpty else { throw Problem("\(key): the target chain name is empty") }
            return key == "jump" ? .jump(target) : .goto(target)
        }
    }

    public var json: JSON {
        switch self {
        case .jump(let t), .goto(let t): return .keyed(keyword, .keyed("target", .string(t)))
        default: return .keyed(keyword, .null)
        }
    }
}

extension SetElement {
    static let attributeKeys: Set<String> = ["val", "timeout", "expires", "comment"]

    static func decode(_ v: JSON) throws(Problem) -> SetElement {
        guard case .object(let o) = v else { throw Problem("elem: expected an object") }
        var r = Reader(object: o, "elem")
        var e = SetElement(
            val: try r.expr("val"), timeout: try r.optTime("timeout"), expires: try r.optTime("expires"),
            comment: try r.optString("comment"))
        for (k, value) in o where !attributeKeys.contains(k) {
            let s = Statement(json: .keyed(k, value))
            if case .raw = s { throw Problem("elem: unknown property \"\(k)\"") }
            e.statements.append(s)
        }
        return e
    }

    public var json: JSON {
        var w = Writer(capacity: 4 + statements.count)
        w.put("val", val)
        w.put("timeout", timeout)
        w.put("expires", expires)
        w.put("comment", comment)
        for s in statements {
            if case .object(let o) = s.json, let (k, v) = o.singleEntry { w.put(k, v) }
        }
        return .keyed("elem", w.json)
    }
}
