/// One piece of a rule: a match, a statement or a verdict, already in the model's form.
/// Every DSL expression that can stand in `rule(...)` produces this one concrete type, so that
/// type-checking a rule is one overload per piece.
public struct RuleItem: Sendable, Hashable {
    public var statements: [Statement]
    public init(_ statements: [Statement]) { self.statements = statements }
    public init(_ statement: Statement) { self.statements = [statement] }

    static func match(_ left: Expression, _ op: MatchOperator, _ right: Expression) -> RuleItem {
        RuleItem(.match(left: left, op: op, right: right))
    }

    public static let accept = RuleItem(.verdict(.accept))
    public static let drop = RuleItem(.verdict(.drop))
    public static let `return` = RuleItem(.verdict(.return))
    public static let `continue` = RuleItem(.verdict(.continue))

    /// The verdict this item is, if it is exactly one verdict (for verdict maps).
    var verdict: Verdict? {
        if statements.count == 1, case .verdict(let v) = statements[0] { return v }
        return nil
    }
}

/// Anything that denotes a value inside a packet or its metadata (`ip.saddr`, `meta.mark`,
/// `concat(ip.saddr, tcp.dport)`): usable as a set key, a concatenation part or a map key.
public protocol FieldExpression: Sendable {
    var expression: Expression { get }
}

/// Anything that denotes a literal right-hand side (`"10.0.0.0/8"`, `22`, `.established`).
public protocol ValueExpression: Sendable {
    var expression: Expression { get }
}

extension FieldExpression {
    /// `EXPR exists`: an extension header or option is present.
    public var exists: RuleItem { .match(expression, .eq, .bool(true)) }
    /// `EXPR missing`: an extension header or option is absent.
    public var missing: RuleItem { .match(expression, .eq, .bool(false)) }

    /// A lookup in an anonymous map: `tcp.dport.map([80 => "10.0.0.2", 443 => "10.0.0.3"])`.
    public func map(_ entries: [MapEntry]) -> AnyField {
        AnyField(.map(key: expression, data: .set(entries.map(\.expression), single: false)))
    }
    /// A lookup in a named map: `ip.saddr.map(backends)`.
    public func map(_ named: MapDecl) -> AnyField { AnyField(.map(key: expression, data: SetReference(named.name).expression)) }

    /// A verdict map: `tcp.dport.vmap([22 => jump("ssh"), 80 => accept])`.
    public func vmap(_ entries: [MapEntry]) -> RuleItem {
        RuleItem(.vmap(key: expression, data: .set(entries.map(\.expression), single: false)))
    }
    /// A named verdict map: `ip.saddr.vmap(policyMap)`.
    public func vmap(_ named: MapDecl) -> RuleItem { RuleItem(.vmap(key: expression, data: SetReference(named.name).expression)) }

    /// Sets this field from another field (`ct.mark.set(from: meta.mark)`).
    public func set(from other: some FieldExpression) -> RuleItem { RuleItem(.mangle(key: expression, value: other.expression)) }
}

/// A match against a value of any type, for the few cases the typed fields do not cover.
public func match(_ field: some FieldExpression, _ op: MatchOperator, _ value: Value) -> RuleItem {
    .match(field.expression, op, value.expression)
}
