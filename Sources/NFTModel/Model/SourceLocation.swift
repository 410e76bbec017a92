/// Where a ruleset object came from: a rules file and line (`#fileID`/`#line` in the DSL,
/// the line of an `.nft` file), or an index path in a JSON document.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
    public var description: String { line > 0 ? "\(file):\(line)" : file }
}
