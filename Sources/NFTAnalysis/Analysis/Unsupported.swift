/// Counting what the model kept raw, so coverage is measurable and strict input can be refused.
extension Expression {
    public var unsupportedCount: Int {
        switch self {
        case .raw: return 1
        case .string, .number, .unsigned, .bool, .payload, .exthdr, .tcpOption, .ipOption, .sctpChunk, .dccpOption,
            .meta, .rt, .ct, .numgen, .symhash, .fib, .verdict, .socket, .osf, .ipsec, .tunnel:
            return 0
        case .list(let l), .set(let l, _), .concat(let l), .binop(_, let l): return l.reduce(0) { $0 + $1.unsupportedCount }
        case .map(let k, let d): return k.unsupportedCount + d.unsupportedCount
        case .prefix(let a, _): return a.unsupportedCount
        case .range(let a, let b): return a.unsupportedCount + b.unsupportedCount
        case .jhash(_, _, let e, _): return e.unsupportedCount
        case .elem(let e): return e.val.unsupportedCount + e.statements.reduce(0) { $0 + $1.unsupportedCount }
        }
    }
}

extension Statement {
    public var unsupportedCount: Int {
        func c(_ e: Expression?) -> Int { e?.unsupportedCount ?? 0 }
        switch self {
        case .raw: return 1
        case .verdict, .counter, .quota, .limit, .notrack, .log, .xt, .flow, .last, .text, .ctCount, .synproxy: return 0
        case .match(let l, _, let r): return c(l) + c(r)
        case .namedCounter(let e), .namedQuota(let e), .namedLimit(let e), .ctHelper(let e), .ctTimeout(let e),
            .ctExpectation(let e), .namedSynproxy(let e), .reset(let e), .secmark(let e):
            return c(e)
        case .mangle(let k, let v), .vmap(let k, let v): return c(k) + c(v)
        case .fwd(let d, _, let a): return c(d) + c(a)
        case .dup(let a, let d): return c(a) + c(d)
        case .nat(let n): return c(n.addr) + c(n.port)
        case .reject(_, let e): return c(e)
        case .set(let u): return c(u.elem) + (u.stmt ?? []).reduce(0) { $0 + $1.unsupportedCount }
        case .map(let u): return c(u.elem) + c(u.data) + (u.stmt ?? []).reduce(0) { $0 + $1.unsupportedCount }
        case .meter(_, let k, let s, _): return c(k) + s.unsupportedCount
        case .queue(let n, _): return c(n)
        case .tproxy(_, let a, let p): return c(a) + c(p)
        }
    }
}
