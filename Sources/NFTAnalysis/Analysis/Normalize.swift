/// Comparing intent with what the kernel holds: the kernel assigns handles, counts packets,
/// expires elements and lists hash sets in no fixed order. None of that is a difference
/// in what the user asked for, so it is erased before comparing; time values are compared
/// at the kernel's coarsest tick.
extension Expression {
    public func normalizedForComparison() -> Expression {
        switch self {
        case .set(let l, _):
            let n = l.map { $0.normalizedForComparison() }
            // `{ x }` matches exactly what `x` matches; nft 1.0.6 lists one as the other
            // depending on the path a rule took (text or JSON).
            if n.count == 1, !n[0].isElementWithAttributes { return n[0] }
            return .set(n.sorted { $0.json.serialized() < $1.json.serialized() }, single: false)
        case .list(let l): return .list(l.map { $0.normalizedForComparison() })
        case .concat(let l): return .concat(l.map { $0.normalizedForComparison() })
        case .binop(let op, let l): return .binop(op, l.map { $0.normalizedForComparison() })
        case .map(let k, let d): return .map(key: k.normalizedForComparison(), data: d.normalizedForComparison())
        case .prefix(let a, let len): return .prefix(addr: a.normalizedForComparison(), len: len)
        case .range(let a, let b): return .range(a.normalizedForComparison(), b.normalizedForComparison())
        case .jhash(let m, let o, let e, let s): return .jhash(mod: m, offset: o, expr: e.normalizedForComparison(), seed: s)
        case .elem(var e):
            e.val = e.val.normalizedForComparison()
            e.expires = nil
            e.timeout = e.timeout?.tickRounded
            e.statements = e.statements.map { $0.normalizedForComparison() }
            if e.timeout == nil && e.comment == nil && e.statements.isEmpty { return e.val }
            return .elem(e)
        default: return self
        }
    }
}

extension Statement {
    public func normalizedForComparison() -> Statement {
        switch self {
        case .counter: return .counter(packets: nil, bytes: nil)
        case .quota(var q):
            q.used = nil; q.usedUnit = nil
            return .quota(q)
        case .last: return .last(used: nil)
        case .limit(var l) where l.hasDefaultBurst:
            l.burst = nil; l.burstUnit = nil
            return .limit(l)
        case .match(let l, let op, let r): return .match(left: l.normalizedForComparison(), op: op, right: r.normalizedForComparison())
        case .vmap(let k, let d): return .vmap(key: k.normalizedForComparison(), data: d.normalizedForComparison())
        case .nat(var n):
            n.addr = n.addr?.normalizedForComparison(); n.port = n.port?.normalizedForComparison()
            return .nat(n)
        case .mangle(let k, let v): return .mangle(key: k.normalizedForComparison(), value: v.normalizedForComparison())
        case .set(var u):
            u.stmt = u.stmt?.map { $0.normalizedForComparison() }
            return .set(u)
        case .map(var u):
            u.stmt = u.stmt?.map { $0.normalizedForComparison() }
            return .map(u)
        default: return self
        }
    }
}

extension Limit {
    /// A packet limit's burst of 5, which nft adds when none is given and lists always:
    /// the same limit as one without a burst.
    public var hasDefaultBurst: Bool {
        burst == 5 && (rateUnit == nil || rateUnit == "packets") && (burstUnit == nil || burstUnit == "packets")
    }
}

extension RulesetItem {
    /// The item with handles, counter values, quota usage and element expiry erased, and
    /// set elements in a fixed order.
    public func normalizedForComparison() -> RulesetItem {
        switch self {
        case .table(var t): t.handle = nil; return .table(t)
        case .chain(var c): c.handle = nil; return .chain(c)
        case .rule(var r):
            r.handle = nil; r.index = nil
            r.expr = r.expr?.map { $0.normalizedForComparison() }
            return .rule(r)
        case .set(var s):
            s.handle = nil
            s.timeout = s.timeout?.tickRounded; s.gcInterval = s.gcInterval?.tickRounded
            let elems = s.elements.map { $0.normalizedForComparison() }.sorted { $0.json.serialized() < $1.json.serialized() }
            s.elem = elems.isEmpty ? nil : .list(elems)
            s.stmt = s.stmt?.map { $0.normalizedForComparison() }
            return .set(s)
        case .object(let kind, var o):
            o.handle = nil
            switch o.body {
            case .counter: o.body = .counter(packets: nil, bytes: nil)
            case .quota(let b, _, let inv): o.body = .quota(bytes: b, used: nil, inv: inv)
            default: break
            }
            return .object(kind: kind, o)
        case .flowtable(var f): f.handle = nil; return .flowtable(f)
        default: return self
        }
    }

    /// The table an item belongs to, if any.
    public var tableKey: TableKey? {
        switch self {
        case .table(let t): return TableKey(family: t.family, name: t.name)
        case .chain(let c): return TableKey(family: c.family, name: c.table)
        case .rule(let r): return TableKey(family: r.family, name: r.table)
        case .set(let s): return TableKey(family: s.family, name: s.table)
        case .element(let e): return TableKey(family: e.family, name: e.table)
        case .flowtable(let f): return TableKey(family: f.family, name: f.table)
        case .object(_, let o): return TableKey(family: o.family, name: o.table)
        default: return nil
        }
    }
}

extension Document {
    /// The listing's items (commands unwrapped, metainfo dropped).
    public var items: [RulesetItem] {
        entries.compactMap {
            switch $0 {
            case .item(.metainfo): return nil
            case .item(let i): return i
            case .command(let c): return c.item
            case .raw(let j): return .raw(j)
            }
        }
    }
}

extension Expression {
    var isElementWithAttributes: Bool { if case .elem = self { return true }; return false }
}
