// Named sets and maps, their key types and elements.

/// A set key or map data type: `.ipv4Addr`, `[.ipv4Addr, .inetService]` (concatenation),
/// `.typeof(ip.saddr)`, or any nft type name as a string.
public struct SetType: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public var key: SetKeyType
    public init(_ key: SetKeyType) { self.key = key }
    public init(stringLiteral s: String) { key = .named(s) }
    public init(arrayLiteral elements: SetType...) {
        key = .concat(
            elements.flatMap { t -> [String] in
                switch t.key {
                case .named(let n): return [n]
                case .concat(let l): return l
                case .typeof: return []
                }
            })
    }
    public static func typeof(_ field: some FieldExpression) -> SetType { SetType(.typeof(field.expression)) }
    public static let ipv4Addr: SetType = "ipv4_addr"
    public static let ipv6Addr: SetType = "ipv6_addr"
    public static let etherAddr: SetType = "ether_addr"
    public static let inetProto: SetType = "inet_proto"
    public static let inetService: SetType = "inet_service"
    public static let mark: SetType = "mark"
    public static let ifname: SetType = "ifname"
    public static let verdict: SetType = "verdict"
    public static let ctState: SetType = "ct_state"
    public static let counter: SetType = "counter"
    public static let quota: SetType = "quota"
}

public enum SetFlag: String, Sendable { case constant, interval, timeout, dynamic }
public enum SetPolicy: String, Sendable { case performance, memory }

/// One element of a named set: a value with optional timeout, expiry, comment and
/// statements (`[counter]` where the set declares `statements: [counter]`):
/// `SetElementValue("10.0.0.1", timeout: .minutes(5), expires: .seconds(90), comment: "ops")`.
public struct SetElementValue: Sendable, Hashable {
    public var expression: Expression
    public init(
        _ value: Value, timeout: TimeSpan? = nil, expires: TimeSpan? = nil, comment: String? = nil,
        statements: [RuleItem] = []
    ) {
        let stmts = statements.flatMap(\.statements)
        if timeout == nil && expires == nil && comment == nil && stmts.isEmpty {
            expression = value.expression
        } else {
            expression = .elem(
                SetElement(
                    val: value.expression, timeout: timeout, expires: expires, comment: comment,
                    statements: stmts))
        }
    }
}

/// A map element `key => data`: `22 => accept`, `"10.0.0.0/8" => "lan"`, `8080 => concat("10.0.0.2", 80)`.
public struct MapEntry: Sendable, Hashable {
    public var key: Expression
    public var data: Expression
    public init(_ key: Value, _ data: Value) { self.key = key.expression; self.data = data.expression }
    var expression: Expression { .list([key, data]) }
}

precedencegroup MapEntryPrecedence {
    lowerThan: RangeFormationPrecedence
    higherThan: AssignmentPrecedence
}
infix operator => : MapEntryPrecedence

public func => (key: Value, data: Value) -> MapEntry { MapEntry(key, data) }
/// A verdict map entry: `22 => jump("ssh")`. Anything but one verdict (`22 => counter`) is
/// kept as a marker that validation reports at the rule or map that holds it.
public func => (key: Value, verdict: RuleItem) -> MapEntry {
    var e = MapEntry(key, 0)
    e.data = verdict.verdict.map(Expression.verdict) ?? .raw(.string(DSLMarker.notAVerdict(verdict.statements).text))
    return e
}

@resultBuilder
public enum SetElementBuilder: ListBuilder {
    public typealias Element = SetElementValue
    public static func buildExpression(_ v: Value) -> [SetElementValue] { [SetElementValue(v)] }
    public static func buildExpression(_ v: SetElementValue) -> [SetElementValue] { [v] }
    public static func buildExpression(_ v: [Value]) -> [SetElementValue] { v.map { SetElementValue($0) } }
    public static func buildExpression(_ v: [String]) -> [SetElementValue] { v.map { SetElementValue(Value($0)) } }
    public static func buildExpression(_ v: [SetElementValue]) -> [SetElementValue] { v }
}

@resultBuilder
public enum MapEntryBuilder: ListBuilder {
    public typealias Element = MapEntry
    public static func buildExpression(_ e: MapEntry) -> [MapEntry] { [e] }
    public static func buildExpression(_ e: [MapEntry]) -> [MapEntry] { e }
}

/// Options shared by sets and maps.
public struct SetOptions: Sendable, Hashable {
    public var flags: [SetFlag] = []
    public var timeout: TimeSpan? = nil
    public var gcInterval: TimeSpan? = nil
    public var size: Int? = nil
    public var policy: SetPolicy? = nil
    public var autoMerge: Bool? = nil
    /// Statements each element carries, e.g. `[counter]`.
    public var statements: [RuleItem] = []
    public var comment: String? = nil
}

/// A named set. Reference it in rules with `ip.saddr == blocklist`.
public struct SetDecl: Sendable, Hashable {
    public var name: String
    public var type: SetType
    public var options: SetOptions
    public var elements: [SetElementValue]
    public var location: SourceLocation
}

/// A named map (a verdict map when `to: .verdict`).
public struct MapDecl: Sendable, Hashable {
    public var name: String
    public var type: SetType
    public var data: SetType
    public var options: SetOptions
    public var entries: [MapEntry]
    public var location: SourceLocation
}

/// `set("blocklist", type: .ipv4Addr, flags: [.interval]) { "192.168.1.100"; "10.66.0.0/16" }`
public func set(
    _ name: String, type: SetType, flags: [SetFlag] = [], timeout: TimeSpan? = nil, gcInterval: TimeSpan? = nil,
    size: Int? = nil, policy: SetPolicy? = nil, autoMerge: Bool? = nil, statements: [RuleItem] = [],
    comment: String? = nil, file: String = #fileID, line: Int = #line,
    @SetElementBuilder elements: () -> [SetElementValue] = { [] }
) -> SetDecl {
    SetDecl(
        name: name, type: type,
        options: SetOptions(
            flags: flags, timeout: timeout, gcInterval: gcInterval, size: size, policy: policy,
            autoMerge: autoMerge, statements: statements, comment: comment),
        elements: elements(), location: SourceLocation(file: file, line: line))
}

/// `map("ports", type: .inetService, to: .verdict) { 22 => jump("ssh"); 80 => accept }`
public func map(
    _ name: String, type: SetType, to data: SetType, flags: [SetFlag] = [], timeout: TimeSpan? = nil,
    size: Int? = nil, policy: SetPolicy? = nil, statements: [RuleItem] = [], comment: String? = nil,
    file: String = #fileID, line: Int = #line,
    @MapEntryBuilder entries: () -> [MapEntry] = { [] }
) -> MapDecl {
    MapDecl(
        name: name, type: type, data: data,
        options: SetOptions(
            flags: flags, timeout: timeout, size: size, policy: policy, statements: statements,
            comment: comment),
        entries: entries(), location: SourceLocation(file: file, line: line))
}

// MARK: dynamic updates from the packet path

func setUpdate(_ op: String, _ key: some FieldExpression, _ set: String, _ timeout: TimeSpan?, _ stmts: [RuleItem]) -> RuleItem {
    let elem: Expression = timeout.map { .elem(SetElement(val: key.expression, timeout: $0)) } ?? key.expression
    let s = stmts.flatMap(\.statements)
    return RuleItem(.set(SetUpdate(op: op, elem: elem, set: SetReference(set).description, stmt: s.isEmpty ? nil : s)))
}

/// `add @set { ip saddr timeout 60s }` from the packet path.
public func add(_ key: some FieldExpression, to set: SetDecl, timeout: TimeSpan? = nil, _ statements: RuleItem...) -> RuleItem {
    setUpdate("add", key, set.name, timeout, statements)
}
/// `update @set { ip saddr limit rate over 10/second }`: adds or refreshes the timeout.
public func update(_ key: some FieldExpression, in set: SetDecl, timeout: TimeSpan? = nil, _ statements: RuleItem...) -> RuleItem {
    setUpdate("update", key, set.name, timeout, statements)
}
/// `delete @set { ip saddr }`.
public func delete(_ key: some FieldExpression, from set: SetDecl) -> RuleItem { setUpdate("delete", key, set.name, nil, []) }

/// `add @map { ip saddr : 42 }` / `update @map { ... }`.
public func add(_ key: some FieldExpression, _ data: Value, to map: MapDecl, timeout: TimeSpan? = nil) -> RuleItem {
    let elem: Expression = timeout.map { .elem(SetElement(val: key.expression, timeout: $0)) } ?? key.expression
    return RuleItem(.map(MapUpdate(op: "add", elem: elem, data: data.expression, map: SetReference(map.name).description)))
}
public func update(_ key: some FieldExpression, _ data: Value, in map: MapDecl, timeout: TimeSpan? = nil) -> RuleItem {
    let elem: Expression = timeout.map { .elem(SetElement(val: key.expression, timeout: $0)) } ?? key.expression
    return RuleItem(.map(MapUpdate(op: "update", elem: elem, data: data.expression, map: SetReference(map.name).description)))
}
