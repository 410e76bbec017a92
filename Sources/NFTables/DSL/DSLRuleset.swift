/// The whole ruleset a rules file declares. By convention a rules file defines it as a global:
///
/// ```swift
/// import NFTables
/// let input = chain("input", hook: .input, priority: .filter, policy: .accept) {
///     rule(ip.saddr == "192.168.1.100", drop)
/// }
/// let ruleset = Ruleset { table("filter", family: .ip) { input } }
/// ```
public struct Ruleset: Sendable, Hashable {
    public var tables: [TableDecl]
    public init(@RulesetBuilder _ tables: () -> [TableDecl]) { self.tables = tables() }
    public init(tables: [TableDecl]) { self.tables = tables }

    /// Lowers to a libnftables input document of `add` commands (per table: the table, its
    /// sets/maps/objects/flowtables, its chains, then its rules) and, for each entry, where
    /// it was declared.
    public func compile() -> (document: Document, locations: [SourceLocation?]) {
        var l = Lowering()
        for t in tables { l.lower(t) }
        return (Document(l.entries), l.locations)
    }
}

@resultBuilder
public enum RulesetBuilder: ListBuilder {
    public typealias Element = TableDecl
    public static func buildExpression(_ t: TableDecl) -> [TableDecl] { [t] }
    public static func buildExpression(_ t: [TableDecl]) -> [TableDecl] { t }

    @available(*, unavailable, message: "a chain must be inside a table: table(\"filter\", family: .inet) { chain }")
    public static func buildExpression(_ c: ChainDecl) -> [TableDecl] { [] }
    @available(*, unavailable, message: "a set must be inside a table: table(\"filter\", family: .inet) { set }")
    public static func buildExpression(_ s: SetDecl) -> [TableDecl] { [] }
    @available(*, unavailable, message: "a rule must be inside a chain, and the chain inside a table")
    public static func buildExpression(_ r: RuleDecl) -> [TableDecl] { [] }
}
