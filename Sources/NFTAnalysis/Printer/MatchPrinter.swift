/// Relational expressions: `left [op] right`, where nft leaves out an implicit `==`
/// and the flag test `in`, and writes a flag mask as `tcp flags syn / fin,syn`.
extension StatementPrinter {
    func match(_ left: Expression, _ op: MatchOperator, _ right: Expression) -> String {
        // `(tcp flags & (fin|syn)) == syn` lists as `tcp flags syn / fin,syn`.
        if op == .eq || op == .ne, case .binop(.and, let operands) = left, operands.count == 2,
            case .list = operands[1]
        {
            let type = ValueType.of(operands[0])
            let base = expr.text(operands[0], as: nil)
            let mask = expr.text(operands[1], as: type)
            return base + (op == .ne ? " != " : " ") + expr.text(right, as: type) + " / " + mask
        }
        let type = ValueType.of(left)
        if context.forLoading, let dependency = loadedAddressDependency(left, right) {
            return dependency + expr.text(left, as: nil) + (op == .eq ? " " : " " + op.rawValue + " ") + expr.text(right, as: type)
        }
        let l = expr.text(Self.withAddressFamily(left, right), as: nil), r = expr.text(right, as: type)
        switch op {
        case .eq: return Self.mustPrintEq(left, right, type) ? l + " == " + r : l + " " + r
        case .in: return l + " " + r
        case .not: return l + " ! " + r
        default: return l + " " + op.rawValue + " " + r
        }
    }

    /// `ct original saddr` without a family lists as `ct original ip saddr`: nft names the
    /// family from the address type.
    static func withAddressFamily(_ left: Expression, _ right: Expression) -> Expression {
        guard case .ct(let key, nil, let dir) = left, key == "saddr" || key == "daddr" else { return left }
        var sample = right
        while true {
            switch sample {
            case .set(let items, _) where !items.isEmpty: sample = items[0]
            case .prefix(let a, _): sample = a
            case .range(let a, _): sample = a
            case .string(let s): return .ct(key: key, family: s.contains(":") ? "ip6" : "ip", dir: dir)
            default: return left
            }
        }
    }

    /// A family-less `ct original saddr` as nft loads it back to the same kernel expression
    /// (a plain `ct src` load, not `ct src_ip`): bare in ip and ip6 tables, after the
    /// `meta nfproto` check it came with elsewhere. nil where the printed form is exact.
    func loadedAddressDependency(_ left: Expression, _ right: Expression) -> String? {
        guard case .ct(_, nil, _) = left, case .ct(_, let fam?, _) = Self.withAddressFamily(left, right) else { return nil }
        switch context.family {
        case "ip", "ip6": return ""
        case "inet": return "meta nfproto " + (fam == "ip6" ? "ipv6 " : "ipv4 ")
        default: return nil
        }
    }

    /// nft's `must_print_eq_op`: `==` is explicit after a binary operation, and before a
    /// single value of a flag type (where the bare form would mean "any of these bits").
    static func mustPrintEq(_ left: Expression, _ right: Expression, _ type: ValueType) -> Bool {
        if case .binop = left { return true }
        guard type.bitmask else { return false }
        switch right {
        case .string: return right.setReference == nil
        case .number, .unsigned, .list: return true
        default: return false
        }
    }
}
