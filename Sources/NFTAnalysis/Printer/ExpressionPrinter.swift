extension Expression {
    /// This expression in nft syntax. Values print with the type they would have on the
    /// right of a match only when printed inside a statement; alone they print plainly.
    public func nftText(context: PrintContext = .init()) -> String {
        ExpressionPrinter(context: context).text(self, as: nil)
    }
}

/// Prints expressions. `as` is the type of the position a value sits in (the left side of
/// its match, the key of its mangle, a map's key or data); nil means "infer from the
/// expression itself", which is what selectors (`ip saddr`, `meta mark`) need.
struct ExpressionPrinter {
    let context: PrintContext

    func text(_ e: Expression, as type: ValueType?) -> String {
        switch e {
        case .string(let s): return ValueFormat.string(s, type)
        case .number(let n): return ValueFormat.number(n, type, context)
        case .unsigned(let n): return ValueFormat.unsigned(n, type, context)
        case .bool(let b): return b ? "exists" : "missing"
        case .list(let items): return items.map { text($0, as: type) }.joined(separator: ",")
        case .set(let items, _): return setText(items, keyType: type, dataType: nil)
        case .map(let key, let data):
            return text(key, as: nil) + " map " + mapData(data, keyType: .of(key), dataType: type)
        case .prefix(let addr, let len): return text(addr, as: type) + "/" + String(len)
        case .range(let a, let b): return numeric(a, type) + "-" + numeric(b, type)
        case .concat(let parts):
            return parts.enumerated().map { i, p in text(p, as: type?.component(i)) }.joined(separator: " . ")
        case .binop(let op, let operands): return binop(op, operands, type)
        case .verdict(let v): return Self.verdict(v)
        case .elem(let el): return element(el, type)
        case .raw(let j): return j.serialized(.spaced)
        default: return selector(e)
        }
    }

    /// A range end: nft prints ranges with every numeric output flag set, so names
    /// become numbers, protocols stay numbers and durations print as plain seconds.
    private func numeric(_ e: Expression, _ type: ValueType?) -> String {
        var t = type
        if case .proto? = t?.number { t?.number = .decimal }
        switch e {
        case .string(let s):
            if let n = t?.symbols?.value(of: s) { return ValueFormat.unsigned(n, t, context) }
            return text(e, as: t)
        case .number(let n) where n >= 0:
            if case .time? = t?.number { return String(n) + "s" }
            return text(e, as: t)
        default: return text(e, as: t)
        }
    }

    static func verdict(_ v: Verdict) -> String {
        guard let target = v.target else { return v.keyword }
        return v.keyword + " " + SafeText.name(target)
    }

    // MARK: sets and maps

    /// `{ a, b }`, or `{ k : v, ... }` when `dataType` is given (map data).
    func setText(_ items: [Expression], keyType: ValueType?, dataType: ValueType?) -> String {
        if items.isEmpty { return "{ }" }
        return "{ " + items.map { setItem($0, keyType: keyType, dataType: dataType) }.joined(separator: ", ") + " }"
    }

    /// One element of a set, or a `key : data` pair of a map (`dataType` given).
    func setItem(_ item: Expression, keyType: ValueType?, dataType: ValueType?) -> String {
        if let dataType, case .list(let pair) = item, pair.count == 2 {
            return setKey(pair[0], keyType) + " : " + text(pair[1], as: dataType)
        }
        return setKey(item, keyType)
    }

    /// A set element; `*` is the catch-all key of maps and never quoted.
    private func setKey(_ e: Expression, _ type: ValueType?) -> String {
        if case .string("*") = e { return "*" }
        return text(e, as: type)
    }

    /// The right side of `key map ...` / `key vmap ...`: an anonymous map or `@name`.
    func mapData(_ data: Expression, keyType: ValueType?, dataType: ValueType?) -> String {
        switch data {
        case .set(let items, _): return setText(items, keyType: keyType, dataType: dataType ?? .plain)
        default: return text(data, as: dataType)
        }
    }

    /// A set element with its attributes, in nft's order: statements, timeout, expires, comment.
    private func element(_ el: SetElement, _ type: ValueType?) -> String {
        var out = setKey(el.val, type)
        let sp = StatementPrinter(context: context)
        for s in el.statements { out += " " + sp.text(s) }
        if let t = el.timeout { out += " timeout " + ValueFormat.duration(t) }
        if let x = el.expires, !context.stateless { out += " expires " + ValueFormat.duration(x) }
        if let c = el.comment { out += " comment " + ValueFormat.quote(c) }
        return out
    }

    // MARK: binary operations

    /// nft's binding strength: a lower number binds tighter; an operand that binds looser
    /// than its operator is parenthesised (`(meta mark | 0x10) << 8`).
    private static func precedence(_ op: BinaryOperator) -> Int {
        switch op {
        case .lshift, .rshift: return 1
        case .and: return 2
        case .xor: return 3
        case .or: return 4
        }
    }

    private func binop(_ op: BinaryOperator, _ operands: [Expression], _ type: ValueType?) -> String {
        guard let first = operands.first else { return "" }
        let baseType = first.isSelector ? ValueType.of(first) : type
        let isShift = op == .lshift || op == .rshift
        var parts: [String] = []
        for (i, operand) in operands.enumerated() {
            let t: ValueType? = i == 0 ? baseType : (isShift ? .plain : baseType)
            var s = text(operand, as: t)
            if case .binop(let inner, _) = operand, Self.precedence(op) < Self.precedence(inner) { s = "(" + s + ")" }
            parts.append(s)
        }
        return parts.joined(separator: " " + op.rawValue + " ")
    }
}

extension Expression {
    /// True for expressions that read packet or metadata (as opposed to literal values).
    var isSelector: Bool {
        switch self {
        case .string, .number, .unsigned, .bool, .list, .set, .prefix, .range, .elem, .verdict: return false
        case .concat(let parts): return parts.contains { $0.isSelector }
        case .binop(_, let ops): return ops.first?.isSelector ?? false
        default: return true
        }
    }
}
