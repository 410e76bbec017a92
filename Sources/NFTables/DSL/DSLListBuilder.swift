/// What every DSL result builder shares (as swift-syntax's `ListBuilder`): a body is a list
/// of `Element`s, and blocks, `if`, `switch` and `for` concatenate the lists. A builder adds
/// only its `buildExpression`s (what may stand in its body) and its refusals.
public protocol ListBuilder {
    associatedtype Element
}

extension ListBuilder {
    public static func buildBlock(_ parts: [Element]...) -> [Element] { parts.flatMap { $0 } }
    public static func buildOptional(_ p: [Element]?) -> [Element] { p ?? [] }
    public static func buildEither(first p: [Element]) -> [Element] { p }
    public static func buildEither(second p: [Element]) -> [Element] { p }
    public static func buildArray(_ p: [[Element]]) -> [Element] { p.flatMap { $0 } }
    public static func buildLimitedAvailability(_ p: [Element]) -> [Element] { p }
}
