/// A rule: matches, statements and at most one final verdict, in order.
public struct RuleDecl: Sendable, Hashable {
    public var statements: [Statement]
    public var comment: String?
    public var location: SourceLocation
}

/// `rule(ip.saddr == "192.168.1.100", counter, drop)`.
public func rule(_ items: RuleItem..., comment: String? = nil, file: String = #fileID, line: Int = #line) -> RuleDecl {
    RuleDecl(statements: items.flatMap(\.statements), comment: comment, location: SourceLocation(file: file, line: line))
}

/// A rule from a computed list of pieces.
public func rule(_ items: [RuleItem], comment: String? = nil, file: String = #fileID, line: Int = #line) -> RuleDecl {
    RuleDecl(statements: items.flatMap(\.statements), comment: comment, location: SourceLocation(file: file, line: line))
}
