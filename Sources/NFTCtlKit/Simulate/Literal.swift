import NFTAnalysis

/// Reads a rule's right-hand side in the terms of the field it is compared with.
enum Literal {
    static func number(_ e: Expression, kind: ValueKind) -> UInt128? {
        switch e {
        case .number(let n): return n >= 0 ? UInt128(n) : nil
        case .unsigned(let u): return UInt128(u)
        case .list(let l), .set(let l, _):
            var v: UInt128 = 0
            for x in l { guard let n = number(x, kind: kind) else { return nil }; v |= n }
            return v
        case .binop(.or, let l):
            var v: UInt128 = 0
            for x in l { guard let n = number(x, kind: kind) else { return nil }; v |= n }
            return v
        case .string(let s):
            if kind == .ipv4 || kind == .ipv6 { return IPAddress(s)?.value }
            if let n = kind.symbols?[s] { return n }
            if s.hasPrefix("0x"), let n = UInt128(s.dropFirst(2), radix: 16) { return n }
            return UInt128(s)
        default: return nil
        }
    }

    /// One element for one field.
    static func pattern(_ e: Expression, kind: ValueKind) -> Pattern? {
        switch e {
        case .elem(let el): return pattern(el.val, kind: kind)
        case .string(let s) where kind == .ifname:
            if s.hasSuffix("*") && !s.hasSuffix("\\*") { return .namePrefix(String(s.dropLast())) }
            return .name(s.replacing("\\*", with: "*"))
        case .prefix(let a, let len):
            guard case .string(let s) = a, let addr = IPAddress(s) else { return nil }
            let (lo, hi) = addr.interval(prefix: len)
            return .interval(lo, hi)
        case .range(let a, let b):
            guard let lo = number(a, kind: kind), let hi = number(b, kind: kind) else { return nil }
            return .interval(lo, hi)
        default:
            return number(e, kind: kind).map { .exact($0) }
        }
    }

    /// One element (of a set, or a scalar) for the fields of a (possibly concatenated) key.
    static func element(_ e: Expression, kinds: [ValueKind]) -> [Pattern]? {
        if case .elem(let el) = e { return element(el.val, kinds: kinds) }
        if kinds.count == 1 { return pattern(e, kind: kinds[0]).map { [$0] } }
        guard case .concat(let parts) = e, parts.count == kinds.count else { return nil }
        var out: [Pattern] = []
        for (p, k) in zip(parts, kinds) {
            guard let x = pattern(p, kind: k) else { return nil }
            out.append(x)
        }
        return out
    }
}
