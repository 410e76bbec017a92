import NFTAnalysis

/// Whether one match admits every packet another admits: the relation the linter's
/// shadowing check needs. Equal matches, and `==` matches on the same field whose
/// values (a single value, an anonymous set, a prefix or a range) all lie inside the
/// earlier match's values. Anything it cannot compare is not covered, so the linter
/// stays quiet when unsure.
enum MatchCoverage {
    /// What a match is indexed by: its field for `==`/`!=` matches, the whole statement otherwise.
    enum Key: Hashable {
        case field(Expression)
        case statement(Statement)
    }

    static func key(_ s: Statement) -> Key {
        if case .match(let left, _, _) = s { return .field(left) }
        return .statement(s)
    }

    /// Whether `earlier` matches every packet `later` matches.
    static func covers(_ earlier: Statement, _ later: Statement) -> Bool {
        if earlier == later { return true }
        guard case .match(let el, .eq, let er) = earlier, case .match(let ll, .eq, let lr) = later, el == ll
        else { return false }
        let pool = elements(er)
        return elements(lr).allSatisfy { v in pool.contains { contains($0, v) } }
    }

    static func elements(_ e: Expression) -> [Expression] {
        if case .set(let xs, _) = e { return xs }
        return [e]
    }

    /// Whether set element `outer` holds every value `inner` stands for.
    static func contains(_ outer: Expression, _ inner: Expression) -> Bool {
        if outer == inner { return true }
        guard let o = interval(outer), let i = interval(inner), o.kind == i.kind else { return false }
        return o.lo <= i.lo && i.hi <= o.hi
    }

    /// A number, an address, a prefix or a range as a closed interval; `kind` keeps
    /// numbers, IPv4 and IPv6 apart.
    static func interval(_ e: Expression) -> (kind: Int, lo: UInt128, hi: UInt128)? {
        switch e {
        case .number(let n) where n >= 0: return (0, UInt128(n), UInt128(n))
        case .unsigned(let n): return (0, UInt128(n), UInt128(n))
        case .string(let s):
            guard let a = IPAddress(s) else { return nil }
            return (a.version, a.value, a.value)
        case .prefix(.string(let s), let len):
            guard let a = IPAddress(s), len >= 0, len <= (a.version == 4 ? 32 : 128) else { return nil }
            let (lo, hi) = a.interval(prefix: len)
            return (a.version, lo, hi)
        case .range(let a, let b):
            guard let x = interval(a), let y = interval(b), x.kind == y.kind, x.lo == x.hi, y.lo == y.hi, x.lo <= y.lo
            else { return nil }
            return (x.kind, x.lo, y.hi)
        default: return nil
        }
    }
}
