/// A reference to a named set, map or flowtable: `@name` in nft syntax, and in
/// libnftables JSON a plain string with the `@` (a match's right side, a vmap's data) or the
/// name with or without it (the `set`/`map` of an update statement, a flow's flowtable).
/// The one place that spells and reads the `@`.
public struct SetReference: Sendable, Hashable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) { self.name = name }

    /// `"@name"` → the reference; nil for any string without the `@`.
    public init?(reference text: String) {
        guard text.hasPrefix("@") else { return nil }
        name = String(text.dropFirst())
    }

    /// A name field that may or may not carry the `@` (update statements, flowtables).
    public init(lenient text: String) { name = String(text.drop { $0 == "@" }) }

    /// `@name`.
    public var description: String { "@" + name }

    public var expression: Expression { .string(description) }
}

extension Expression {
    /// The named set or map this expression stands for (`"@name"`), if it is one.
    public var setReference: SetReference? {
        if case .string(let s) = self { return SetReference(reference: s) }
        return nil
    }
}

extension SetUpdate {
    /// The set this statement adds to, updates or deletes from.
    public var reference: SetReference { SetReference(lenient: set) }
}

extension MapUpdate {
    /// The map this statement adds to or updates.
    public var reference: SetReference { SetReference(lenient: map) }
}
