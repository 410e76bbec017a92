import NFTAnalysis

/// Whether something in a listing has counted since it was created: a counter or quota that
/// is not at zero, a `last` that has seen a packet. A scratch namespace lists nothing that
/// has counted; a listing of live tables may, and is then not a record of the normal form
/// alone (`NormalizationCache.remember`).
enum Counted {
    static func any(_ s: Statement) -> Bool {
        switch s {
        case .counter(let p, let b): return (p ?? 0) != 0 || (b ?? 0) != 0
        case .quota(let q): return (q.used ?? 0) != 0
        case .last(let used): return used != nil
        case .set(let u): return (u.stmt ?? []).contains(where: any)
        case .map(let u): return (u.stmt ?? []).contains(where: any)
        case .meter(_, _, let stmt, _): return any(stmt)
        default: return false
        }
    }

    static func any(_ r: Rule) -> Bool { r.statements.contains(where: any) }

    /// An element's statements, in a set's element list (maps list key and data as a pair).
    static func any(_ e: Expression) -> Bool {
        switch e {
        case .elem(let el): return el.statements.contains(where: any) || any(el.val)
        case .list(let l): return l.contains(where: any)
        default: return false
        }
    }

    static func any(_ o: NamedObject) -> Bool {
        switch o.body {
        case .counter(let p, let b): return (p ?? 0) != 0 || (b ?? 0) != 0
        case .quota(_, let used, _): return (used ?? 0) != 0
        default: return false
        }
    }

    /// Anything of a table (its rules included).
    static func any(_ t: TableContents) -> Bool {
        t.rules.contains { any($0.value) } || t.objects.contains { any($0.value) }
            || t.sets.contains { s in s.value.elements.contains(where: any) || (s.value.stmt ?? []).contains(where: any) }
    }
}
