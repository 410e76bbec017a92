/// What a table holds.
public enum TableElement: Sendable, Hashable {
    case chain(ChainDecl)
    case set(SetDecl)
    case map(MapDecl)
    case object(ObjectDecl)
    case flowtable(FlowtableDecl)
}

public enum TableFlag: String, Sendable { case dormant }

public struct TableDecl: Sendable, Hashable {
    public var name: String
    public var family: Family
    public var flags: [TableFlag]
    public var comment: String?
    public var elements: [TableElement]
    public var location: SourceLocation
}

/// `table("filter", family: .inet) { blocklist; input; forward }`
public func table(
    _ name: String, family: Family, flags: [TableFlag] = [], comment: String? = nil,
    file: String = #fileID, line: Int = #line, @TableBuilder _ elements: () -> [TableElement]
) -> TableDecl {
    TableDecl(
        name: name, family: family, flags: flags, comment: comment, elements: elements(),
        location: SourceLocation(file: file, line: line))
}

@resultBuilder
public enum TableBuilder: ListBuilder {
    public typealias Element = TableElement
    public static func buildExpression(_ c: ChainDecl) -> [TableElement] { [.chain(c)] }
    public static func buildExpression(_ s: SetDecl) -> [TableElement] { [.set(s)] }
    public static func buildExpression(_ m: MapDecl) -> [TableElement] { [.map(m)] }
    public static func buildExpression(_ o: ObjectDecl) -> [TableElement] { [.object(o)] }
    public static func buildExpression(_ f: FlowtableDecl) -> [TableElement] { [.flowtable(f)] }
    public static func buildExpression(_ c: [ChainDecl]) -> [TableElement] { c.map(TableElement.chain) }
    public static func buildExpression(_ s: [SetDecl]) -> [TableElement] { s.map(TableElement.set) }
    public static func buildExpression(_ e: [TableElement]) -> [TableElement] { e }

    @available(*, unavailable, message: "a table can only appear at the top level of a Ruleset")
    public static func buildExpression(_ t: TableDecl) -> [TableElement] { [] }
    @available(*, unavailable, message: "a rule must be inside a chain: chain(\"input\", ...) { rule(...) }")
    public static func buildExpression(_ r: RuleDecl) -> [TableElement] { [] }
    @available(*, unavailable, message: "statements must be grouped into a rule inside a chain")
    public static func buildExpression(_ r: RuleItem) -> [TableElement] { [] }
}
