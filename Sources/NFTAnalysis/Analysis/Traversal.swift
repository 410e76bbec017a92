/// Generic walks over expressions and statements, so analyses (validation, references,
/// explain) need not repeat the shape of every case.
extension Expression {
    /// Direct sub-expressions.
    public var children: [Expression] {
        var out: [Expression] = []
        forEachChild { out.append($0) }
        return out
    }

    /// Calls `body` on each direct sub-expression, in `children`'s order, without building
    /// an array (walks run once per rule of a large ruleset).
    public func forEachChild(_ body: (Expression) -> Void) {
        switch self {
        case .list(let l), .set(let l, _), .concat(let l), .binop(_, let l): for e in l { body(e) }
        case .map(let k, let d): body(k); body(d)
        case .prefix(let a, _): body(a)
        case .range(let a, let b): body(a); body(b)
        case .jhash(_, _, let e, _): body(e)
        case .elem(let e): body(e.val)
        default: break
        }
    }

    /// This expression and every expression below it, depth first.
    public func forEach(_ body: (Expression) -> Void) {
        body(self)
        forEachChild { $0.forEach(body) }
        if case .elem(let e) = self { for s in e.statements { s.forEachExpression(body) } }
    }
}

extension Statement {
    /// Expressions directly held by this statement.
    public var expressions: [Expression] {
        var out: [Expression] = []
        forEachDirectExpression { out.append($0) }
        return out
    }

    /// Calls `body` on each expression directly held by this statement, in `expressions`'
    /// order, without building an array.
    public func forEachDirectExpression(_ body: (Expression) -> Void) {
        switch self {
        case .match(let l, _, let r): body(l); body(r)
        case .namedCounter(let e), .namedQuota(let e), .namedLimit(let e), .ctHelper(let e), .ctTimeout(let e),
            .ctExpectation(let e), .namedSynproxy(let e), .reset(let e), .secmark(let e):
            body(e)
        case .mangle(let k, let v), .vmap(let k, let v): body(k); body(v)
        case .fwd(let d, _, let a):
            if let d { body(d) }
            if let a { body(a) }
        case .dup(let a, let d):
            if let a { body(a) }
            if let d { body(d) }
        case .nat(let n):
            if let a = n.addr { body(a) }
            if let p = n.port { body(p) }
        case .reject(_, let e): if let e { body(e) }
        case .set(let u): body(u.elem)
        case .map(let u): body(u.elem); body(u.data)
        case .meter(_, let k, _, _): body(k)
        case .queue(let n, _): if let n { body(n) }
        case .tproxy(_, let a, let p):
            if let a { body(a) }
            if let p { body(p) }
        default: break
        }
    }

    /// Statements nested inside this one (meter, dynamic set/map updates).
    public var nestedStatements: [Statement] {
        var out: [Statement] = []
        forEachNestedStatement { out.append($0) }
        return out
    }

    /// Calls `body` on each statement nested directly inside this one, in `nestedStatements`' order.
    public func forEachNestedStatement(_ body: (Statement) -> Void) {
        switch self {
        case .meter(_, _, let s, _): body(s)
        case .set(let u): for s in u.stmt ?? [] { body(s) }
        case .map(let u): for s in u.stmt ?? [] { body(s) }
        default: break
        }
    }

    public func forEachExpression(_ body: (Expression) -> Void) {
        forEachDirectExpression { $0.forEach(body) }
        forEachNestedStatement { $0.forEachExpression(body) }
    }

    /// Verdicts this statement can take, directly or through a verdict map.
    public var verdicts: [Verdict] {
        var out: [Verdict] = []
        forEachVerdict { out.append($0) }
        return out
    }

    /// Calls `body` on each verdict this statement can take, in `verdicts`' order.
    public func forEachVerdict(_ body: (Verdict) -> Void) {
        switch self {
        case .verdict(let v): body(v)
        case .vmap(_, let data): data.forEach { if case .verdict(let v) = $0 { body(v) } }
        default: break
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
