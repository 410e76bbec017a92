// Escape hatches that carry the model's own values, for what the typed DSL does not spell
// (what `nftctl import` falls back to so that nothing is lost). Statements have
// `statement(_:)`, values `Value(_ expression:)`, fields `AnyField(_ expression:)`.

extension SetElementValue {
    /// A set element in the model's form: `SetElementValue(raw: .elem(SetElement(val: ..., statements: [...])))`.
    public init(raw expression: Expression) { self.expression = expression }
}

/// A named object in the model's form: `object("c", .counter(packets: nil, bytes: nil))`.
public func object(
    _ name: String, _ body: ObjectBody, comment: String? = nil, file: String = #fileID,
    line: Int = #line
) -> ObjectDecl {
    ObjectDecl(name: name, body: body, comment: comment, location: SourceLocation(file: file, line: line))
}
