import NFTAnalysis
import NFTables

/// Swift source for model values, exactly as the model's own initialisers and enum cases spell
/// them: the import's escape hatch (`statement(.xt(type: "match", name: "conntrack"))`), so that
/// nothing the DSL cannot type is lost.
enum ModelLiteral {
    typealias S = SwiftLiteral

    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    static func int(_ v: Int64?) -> String { v.map { "\($0)" } ?? "nil" }
    static func int(_ v: Int?) -> String { v.map { "\($0)" } ?? "nil" }
    static func time(_ v: TimeSpan?) -> String { v.map { "TimeSpan(milliseconds: \($0.milliseconds))" } ?? "nil" }
    static func uint(_ v: UInt64?) -> String { v.map { "\($0)" } ?? "nil" }
    static func bool(_ v: Bool?) -> String { v.map { $0 ? "true" : "false" } ?? "nil" }

    /// Labelled arguments, dropping those equal to their `nil` default.
    static func args(_ pairs: [(String, String)]) -> String {
        pairs.filter { $0.1 != "nil" }.map { $0.0.isEmpty ? $0.1 : "\($0.0): \($0.1)" }.joined(separator: ", ")
    }

    static func flags(_ f: FlagList?) -> String {
        guard let f else { return "nil" }
        return "FlagList(\(list(f.values.map(S.string)))\(f.scalar ? ", scalar: true" : ""))"
    }

    static func expression(_ e: Expression) -> String {
        switch e {
        case .string(let s): return ".string(\(S.string(s)))"
        case .number(let n): return ".number(\(n))"
        case .unsigned(let u): return ".unsigned(\(u))"
        case .bool(let b): return ".bool(\(b))"
        case .list(let l): return ".list(\(list(l.map(expression))))"
        case .set(let l, let single): return ".set(\(list(l.map(expression))), single: \(single))"
        case .map(let k, let d): return ".map(key: \(expression(k)), data: \(expression(d)))"
        case .prefix(let a, let len): return ".prefix(addr: \(expression(a)), len: \(len))"
        case .range(let a, let b): return ".range(\(expression(a)), \(expression(b)))"
        case .concat(let l): return ".concat(\(list(l.map(expression))))"
        case .payload(.field(let p, let f)): return ".payload(.field(protocol: \(S.string(p)), field: \(S.string(f))))"
        case .payload(.raw(let base, let off, let len)):
            return ".payload(.raw(base: \(S.string(base)), offset: \(off), len: \(len)))"
        case .exthdr(let n, let f, let o):
            return ".exthdr(name: \(S.string(n)), field: \(S.optionalString(f)), offset: \(int(o)))"
        case .tcpOption(.named(let n, let f)): return ".tcpOption(.named(name: \(S.string(n)), field: \(S.optionalString(f))))"
        case .tcpOption(.raw(let b, let o, let l)): return ".tcpOption(.raw(base: \(b), offset: \(o), len: \(l)))"
        case .ipOption(let n, let f): return ".ipOption(name: \(S.string(n)), field: \(S.optionalString(f)))"
        case .sctpChunk(let n, let f): return ".sctpChunk(name: \(S.string(n)), field: \(S.optionalString(f)))"
        case .dccpOption(let t): return ".dccpOption(type: \(t))"
        case .meta(let k): return ".meta(key: \(S.string(k)))"
        case .rt(let k, let f): return ".rt(key: \(S.string(k)), family: \(S.optionalString(f)))"
        case .ct(let k, let f, let d):
            return ".ct(key: \(S.string(k)), family: \(S.optionalString(f)), dir: \(S.optionalString(d)))"
        case .numgen(let m, let mod, let off): return ".numgen(mode: \(S.string(m)), mod: \(mod), offset: \(int(off)))"
        case .jhash(let mod, let off, let ex, let seed):
            return ".jhash(mod: \(mod), offset: \(int(off)), expr: \(expression(ex)), seed: \(int(seed)))"
        case .symhash(let mod, let off): return ".symhash(mod: \(mod), offset: \(int(off)))"
        case .fib(let r, let f): return ".fib(result: \(S.string(r)), flags: \(flags(f)))"
        case .binop(let op, let l): return ".binop(.\(binop(op)), \(list(l.map(expression))))"
        case .verdict(let v): return ".verdict(\(verdict(v)))"
        case .elem(let el): return ".elem(\(element(el)))"
        case .socket(let k, let l): return ".socket(key: \(S.string(k)), level: \(int(l)))"
        case .osf(let k, let t): return ".osf(key: \(S.string(k)), ttl: \(S.optionalString(t)))"
        case .ipsec(let k, let d, let sp, let f):
            return ".ipsec(key: \(S.string(k)), dir: \(S.optionalString(d)), spnum: \(int(sp)), family: \(S.optionalString(f)))"
        case .tunnel(let k): return ".tunnel(key: \(S.string(k)))"
        case .raw(let j): return ".raw(\(json(j)))"
        }
    }

    static func binop(_ op: BinaryOperator) -> String {
        switch op {
        case .or: return "or"
        case .xor: return "xor"
        case .and: return "and"
        case .lshift: return "lshift"
        case .rshift: return "rshift"
        }
    }

    static func matchOp(_ op: MatchOperator) -> String {
        switch op {
        case .eq: return "eq"
        case .ne: return "ne"
        case .lt: return "lt"
        case .gt: return "gt"
        case .le: return "le"
        case .ge: return "ge"
        case .in: return "in"
        case .not: return "not"
        }
    }

    static func verdict(_ v: Verdict) -> String {
        switch v {
        case .accept: return ".accept"
        case .drop: return ".drop"
        case .continue: return ".continue"
        case .return: return ".return"
        case .jump(let t): return ".jump(\(S.string(t)))"
        case .goto(let t): return ".goto(\(S.string(t)))"
        }
    }

    static func element(_ e: SetElement) -> String {
        let stmts = e.statements.isEmpty ? "nil" : list(e.statements.map(statement))
        return "SetElement("
            + args([
                ("val", expression(e.val)), ("timeout", time(e.timeout)), ("expires", time(e.expires)),
                ("comment", S.optionalString(e.comment)), ("statements", stmts)
            ]) + ")"
    }

    static func statements(_ l: [Statement]?) -> String { l.map { list($0.map(statement)) } ?? "nil" }

    static func statement(_ s: Statement) -> String {
        switch s {
        case .verdict(let v): return ".verdict(\(verdict(v)))"
        case .match(let l, let op, let r):
            return ".match(left: \(expression(l)), op: .\(matchOp(op)), right: \(expression(r)))"
        case .counter(let p, let b): return ".counter(packets: \(uint(p)), bytes: \(uint(b)))"
        case .namedCounter(let e): return ".namedCounter(\(expression(e)))"
        case .mangle(let k, let v): return ".mangle(key: \(expression(k)), value: \(expression(v)))"
        case .quota(let q):
            return ".quota(Quota("
                + args([
                    ("val", "\(q.val)"), ("valUnit", S.optionalString(q.valUnit)), ("used", int(q.used)),
                    ("usedUnit", S.optionalString(q.usedUnit)), ("inv", bool(q.inv))
                ]) + "))"
        case .namedQuota(let e): return ".namedQuota(\(expression(e)))"
        case .limit(let l):
            return ".limit(Limit("
                + args([
                    ("rate", "\(l.rate)"), ("per", S.optionalString(l.per)),
                    ("rateUnit", S.optionalString(l.rateUnit)), ("burst", int(l.burst)),
                    ("burstUnit", S.optionalString(l.burstUnit)), ("inv", bool(l.inv))
                ]) + "))"
        case .namedLimit(let e): return ".namedLimit(\(expression(e)))"
        case .fwd(let dev, let fam, let addr):
            return ".fwd(dev: \(opt(dev)), family: \(S.optionalString(fam)), addr: \(opt(addr)))"
        case .notrack: return ".notrack"
        case .dup(let addr, let dev): return ".dup(addr: \(opt(addr)), dev: \(opt(dev)))"
        case .nat(let n):
            return ".nat(NAT("
                + args([
                    ("", ".\(n.kind.rawValue)"), ("family", S.optionalString(n.family)), ("addr", opt(n.addr)),
                    ("port", opt(n.port)), ("flags", flags(n.flags)), ("typeFlags", flags(n.typeFlags))
                ]) + "))"
        case .reject(let t, let e): return ".reject(type: \(S.optionalString(t)), expr: \(opt(e)))"
        case .set(let u):
            return ".set(SetUpdate("
                + args([
                    ("op", S.string(u.op)), ("elem", expression(u.elem)), ("set", S.string(u.set)),
                    ("stmt", statements(u.stmt))
                ]) + "))"
        case .map(let u):
            return ".map(MapUpdate("
                + args([
                    ("op", S.string(u.op)), ("elem", expression(u.elem)), ("data", expression(u.data)),
                    ("map", S.string(u.map)), ("stmt", statements(u.stmt))
                ]) + "))"
        case .log(let l):
            return ".log(Log("
                + args([
                    ("prefix", S.optionalString(l.prefix)), ("group", int(l.group)), ("snaplen", int(l.snaplen)),
                    ("queueThreshold", int(l.queueThreshold)), ("level", S.optionalString(l.level)),
                    ("flags", flags(l.flags))
                ]) + "))"
        case .ctHelper(let e): return ".ctHelper(\(expression(e)))"
        case .ctTimeout(let e): return ".ctTimeout(\(expression(e)))"
        case .ctExpectation(let e): return ".ctExpectation(\(expression(e)))"
        case .meter(let name, let key, let st, let size):
            return ".meter(name: \(S.string(name)), key: \(expression(key)), stmt: \(statement(st)), size: \(int(size)))"
        case .queue(let num, let f): return ".queue(num: \(opt(num)), flags: \(flags(f)))"
        case .vmap(let k, let d): return ".vmap(key: \(expression(k)), data: \(expression(d)))"
        case .ctCount(let v, let inv): return ".ctCount(val: \(v), inv: \(bool(inv)))"
        case .tproxy(let fam, let addr, let port):
            return ".tproxy(family: \(S.optionalString(fam)), addr: \(opt(addr)), port: \(opt(port)))"
        case .synproxy(nil): return ".synproxy(nil)"
        case .synproxy(let p?):
            return ".synproxy(Synproxy(" + args([("mss", int(p.mss)), ("wscale", int(p.wscale)), ("flags", flags(p.flags))]) + "))"
        case .namedSynproxy(let e): return ".namedSynproxy(\(expression(e)))"
        case .reset(let e): return ".reset(\(expression(e)))"
        case .secmark(let e): return ".secmark(\(expression(e)))"
        case .xt(let t, let n): return ".xt(type: \(S.string(t)), name: \(S.string(n)))"
        case .flow(let op, let ft): return ".flow(op: \(S.string(op)), flowtable: \(S.string(ft)))"
        case .last(let used): return ".last(used: \(int(used)))"
        case .text(let t): return ".text(\(S.string(t)))"
        case .raw(let j): return ".raw(\(json(j)))"
        }
    }

    static func opt(_ e: Expression?) -> String { e.map(expression) ?? "nil" }

    static func json(_ j: JSON) -> String {
        switch j {
        case .null: return ".null"
        case .bool(let b): return ".bool(\(b))"
        case .int(let i): return ".int(\(i))"
        case .uint(let u): return ".uint(\(u))"
        case .double(let d): return ".double(\(d))"
        case .string(let s): return ".string(\(S.string(s)))"
        case .array(let a): return ".array(\(list(a.map(json))))"
        case .object(let o): return ".object(\(object(o)))"
        }
    }

    static func object(_ o: JSONObject) -> String {
        "JSONObject(" + (o.isEmpty ? "[]" : list(o.map { "(\(S.string($0.key)), \(json($0.value)))" })) + ")"
    }

    static func objectBody(_ b: ObjectBody) -> String {
        switch b {
        case .counter(let p, let by): return ".counter(packets: \(uint(p)), bytes: \(uint(by)))"
        case .quota(let by, let used, let inv): return ".quota(bytes: \(uint(by)), used: \(uint(used)), inv: \(bool(inv)))"
        case .ctHelper(let t, let p, let l3):
            return ".ctHelper(type: \(S.optionalString(t)), protocol: \(S.optionalString(p)), l3proto: \(S.optionalString(l3)))"
        case .limit(let rate, let per, let burst, let unit, let inv, let ru, let bu):
            return ".limit(rate: \(int(rate)), per: \(S.optionalString(per)), burst: \(int(burst)), unit: \(S.optionalString(unit)), "
                + "inv: \(bool(inv)), rateUnit: \(S.optionalString(ru)), burstUnit: \(S.optionalString(bu)))"
        case .ctTimeout(let p, let l3, let policy):
            return ".ctTimeout(protocol: \(S.optionalString(p)), l3proto: \(S.optionalString(l3)), policy: \(policy.map(object) ?? "nil"))"
        case .ctExpectation(let l3, let p, let dport, let timeout, let size):
            return ".ctExpectation(l3proto: \(S.optionalString(l3)), protocol: \(S.optionalString(p)), dport: \(int(dport)), "
                + "timeout: \(int(timeout)), size: \(int(size)))"
        case .synproxy(let mss, let ws, let f): return ".synproxy(mss: \(int(mss)), wscale: \(int(ws)), flags: \(flags(f)))"
        case .secmark(let c): return ".secmark(context: \(S.optionalString(c)))"
        }
    }
}
