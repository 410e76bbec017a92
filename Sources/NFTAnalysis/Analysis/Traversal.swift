/// Generic walks over expressions and statements, so analyses (validation, references,
/// explain) need not repeat the shape of every case.
extension Expression {
    /// Direct sub-expressions.
    public var children: [Expression] {
        switch self {
        case .list(let l), .set(let l, _), .concat(let l), .binop(_, let l): return l
        case .map(let k, let d): return [k, d]
        case .prefix(let a, _): return [a]
        case .range(let a, let b): return [a, b]
        case .jhash(_, _, let e, _): return [e]
        case .elem(let e): return [e.val]
        default: return []
        }
    }

    /// This expression and every expression below it, depth first.
    public func forEach(_ body: (Expression) -> Void) {
        body(self)
        for c in children { c.forEach(body) }
        if case .elem(let e) = self { for s in e.statements { s.forEachExpression(body) } }
    }
}

extension Statement {
    /// Expressions directly held by this statement.
    public var expressions: [Expression] {
        switch self {
        case .match(let l, _, let r): return [l, r]
        case .namedCounter(let e), .namedQuota(let e), .namedLimit(let e), .ctHelper(let e), .ctTimeout(let e),
            .ctExpectation(let e), .namedSynproxy(let e), .reset(let e), .secmark(let e):
            return [e]
        case .mangle(let k, let v), .vmap(let k, let v): return [k, v]
        case .fwd(let d, _, let a): return [d, a].compactMap { $0 }
        case .dup(let a, let d): return [a, d].compactMap { $0 }
        case .nat(let n): return [n.addr, n.port].compactMap { $0 }
        case .reject(_, let e): return e.map { [$0] } ?? []
        case .set(let u): return [u.elem]
        case .map(let u): return [u.elem, u.data]
        case .meter(_, let k, _, _): return [k]
        case .queue(let n, _): return n.map { [$0] } ?? []
        case .tproxy(_, let a, let p): return [a, p].compactMap { $0 }
        default: return []
        }
    }

    /// Statements nested inside this one (meter, dynamic set/map updates).
    public var nestedStatements: [Statement] {
        switch self {
        case .meter(_, _, let s, _): return [s]
        case .set(let u): return u.stmt ?? []
        case .map(let u): return u.stmt ?? []
        default: return []
        }
    }

    public func forEachExpression(_ body: (Expression) -> Void) {
        for e in expressions { e.forEach(body) }
        for s in nestedStatements { s.forEachExpression(body) }
    }

    /// Verdicts this statement can take, directly or through a verdict map.
    public var verdicts: [Verdict] {
        switch self {
        case .verdict(let v): return [v]
        case .vmap(_, let data):
            var out: [Verdict] = []
            data.forEach { if case .verdict(let v) = $0 { out.append(v) } }
            return out
        default: return []
        }
    }
}

extension Statement {
    /// The names of the sets and maps this statement refers to: `@name` values and the
    /// targets of set and map updates.
    public var setReferences: Set<String> {
        var out: Set<String> = []
        forEachExpression { if let r = $0.setReference { out.insert(r.name) } }
        if case .set(let u) = self { out.insert(u.reference.name) }
        if case .map(let u) = self { out.insert(u.reference.name) }
        return out
    }
}
