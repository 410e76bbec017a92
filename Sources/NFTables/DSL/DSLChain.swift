// Chains: base chains attached to a hook, regular chains reached by jump/goto.

public enum ChainType: String, Sendable, Hashable { case filter, nat, route }

public enum ChainPolicy: String, Sendable, Hashable { case accept, drop }

/// A hook priority: a standard name plus an offset (`.filter`, `.dstnat`, `.filter + 10`) or a
/// number. Names are resolved per family (bridge uses other values) when lowering.
public struct Priority: Sendable, Hashable, ExpressibleByIntegerLiteral {
    public var name: String?
    public var offset: Int
    public init(integerLiteral n: Int) { name = nil; offset = n }
    init(_ name: String) { self.name = name; offset = 0 }
    public static let raw = Priority("raw")
    public static let mangle = Priority("mangle")
    public static let dstnat = Priority("dstnat")
    public static let filter = Priority("filter")
    public static let security = Priority("security")
    public static let srcnat = Priority("srcnat")
    /// Bridge only.
    public static let out = Priority("out")
    public static func + (p: Priority, n: Int) -> Priority { var q = p; q.offset += n; return q }
    public static func - (p: Priority, n: Int) -> Priority { var q = p; q.offset -= n; return q }

    /// The number libnftables needs (`prio` must be an integer in 1.0.6 JSON); nil when the
    /// name does not exist in this family.
    public func value(in family: Family) -> Int64? {
        guard let name else { return Int64(offset) }
        let base: Int?
        if family == .bridge {
            base = ["dstnat": -300, "filter": -200, "out": 100, "srcnat": 300][name]
        } else {
            base = ["raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100][name]
        }
        return base.map { Int64($0 + offset) }
    }
}

/// A chain and its rules.
public struct ChainDecl: Sendable, Hashable {
    public struct Base: Sendable, Hashable {
        public var type: ChainType
        public var hook: Hook
        public var priority: Priority
        public var policy: ChainPolicy?
        public var devices: [String]
    }
    public var name: String
    /// nil for a regular chain.
    public var base: Base?
    public var comment: String?
    public var rules: [RuleDecl]
    public var location: SourceLocation
}

/// A base chain: `chain("input", hook: .input, priority: .filter, policy: .drop) { ... }`.
public func chain(
    _ name: String, type: ChainType = .filter, hook: Hook, priority: Priority, policy: ChainPolicy? = nil,
    device: String? = nil, devices: [String] = [], comment: String? = nil,
    file: String = #fileID, line: Int = #line, @ChainBuilder _ rules: () -> [RuleDecl] = { [] }
) -> ChainDecl {
    ChainDecl(
        name: name,
        base: .init(
            type: type, hook: hook, priority: priority, policy: policy,
            devices: (device.map { [$0] } ?? []) + devices),
        comment: comment, rules: rules(), location: SourceLocation(file: file, line: line))
}

/// A regular chain, reached with `jump(...)` or `goto(...)`.
public func chain(
    _ name: String, comment: String? = nil, file: String = #fileID, line: Int = #line,
    @ChainBuilder _ rules: () -> [RuleDecl] = { [] }
) -> ChainDecl {
    ChainDecl(name: name, base: nil, comment: comment, rules: rules(), location: SourceLocation(file: file, line: line))
}

@resultBuilder
public enum ChainBuilder: ListBuilder {
    public typealias Element = RuleDecl
    public static func buildExpression(_ r: RuleDecl) -> [RuleDecl] { [r] }
    /// Rules computed from data: `for b in backends { ... }` or `backends.map { rule(...) }`.
    public static func buildExpression(_ r: [RuleDecl]) -> [RuleDecl] { r }

    @available(*, unavailable, message: "statements must be grouped into a rule: rule(tcp.dport == 22, accept)")
    public static func buildExpression(_ r: RuleItem) -> [RuleDecl] { [] }
    @available(*, unavailable, message: "a chain cannot contain a chain: declare it in the table and use jump(chain) or goto(chain)")
    public static func buildExpression(_ c: ChainDecl) -> [RuleDecl] { [] }
    @available(*, unavailable, message: "a table can only appear at the top level of a Ruleset")
    public static func buildExpression(_ t: TableDecl) -> [RuleDecl] { [] }
    @available(*, unavailable, message: "a set belongs to a table, not to a chain")
    public static func buildExpression(_ s: SetDecl) -> [RuleDecl] { [] }
    @available(*, unavailable, message: "a map belongs to a table, not to a chain")
    public static func buildExpression(_ s: MapDecl) -> [RuleDecl] { [] }
}
