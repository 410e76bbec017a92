/// The untyped right-hand side: a string, a number, an anonymous set (`[...]`), a range, a
/// concatenation. Strings that look like addresses with `/len` or `a-b` become prefixes or ranges.
public struct Value: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral
{
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = Addr.parse(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(booleanLiteral b: Bool) { expression = .bool(b) }
    public init(arrayLiteral elements: Value...) { expression = .set(elements.map(\.expression), single: false) }
    public init(_ s: String) { expression = Addr.parse(s) }
    public init(_ n: Int) { expression = .number(Int64(n)) }
    public init(_ v: some ValueExpression) { expression = v.expression }
    /// A value taken from a field or a map lookup (`ct.mark.set(meta.mark)` style data).
    public init(_ f: some FieldExpression) { expression = f.expression }
    /// A set of values computed at evaluation time (rules from data).
    public static func set(_ values: [Value]) -> Value { Value(.set(values.map(\.expression), single: false)) }
    public static func range(_ a: Value, _ b: Value) -> Value { Value(.range(a.expression, b.expression)) }
    public static func range(_ r: ClosedRange<Int>) -> Value {
        Value(.range(.number(Int64(r.lowerBound)), .number(Int64(r.upperBound))))
    }
    public static func prefix(_ addr: String, _ len: Int) -> Value { Value(.prefix(addr: .string(addr), len: len)) }
}

/// A concatenated value, the element of a set or map keyed by `concat(...)`:
/// `concat("10.0.0.1", 22)`.
public func concat(_ parts: Value...) -> Value { Value(.concat(parts.map(\.expression))) }

/// An address: IPv4, IPv6 or Ethernet, with `/len` for a prefix and `a-b` for a range
/// (`"10.0.0.0/8"`, `"10.0.0.1-10.0.0.9"`); an array literal is an anonymous set.
public struct Addr: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = Addr.parse(s) }
    public init(arrayLiteral elements: Addr...) { expression = .set(elements.map(\.expression), single: false) }
    public init(_ s: String) { expression = Addr.parse(s) }
    public init(_ f: some FieldExpression) { expression = f.expression }
    /// A set of addresses computed at evaluation time: `ip.saddr == Addr.set(blocked)`.
    public static func set(_ values: [String]) -> Addr { Addr(.set(values.map(Addr.parse), single: false)) }

    /// `"a/len"` → prefix, `"a-b"` (both sides address-like) → range, else the string itself.
    static func parse(_ s: String) -> Expression {
        guard let first = s.unicodeScalars.first, first.properties.numericType != nil || s.contains(":") else {
            return .string(s)
        }
        if let slash = s.firstIndex(of: "/"), let len = Int(s[s.index(after: slash)...]) {
            return .prefix(addr: .string(String(s[..<slash])), len: len)
        }
        if let dash = s.firstIndex(of: "-") {
            let a = s[..<dash], b = s[s.index(after: dash)...]
            if looksLikeAddress(a), looksLikeAddress(b) { return .range(.string(String(a)), .string(String(b))) }
        }
        return .string(s)
    }

    static func looksLikeAddress(_ s: Substring) -> Bool {
        !s.isEmpty && (s.contains(".") || s.contains(":"))
            && s.unicodeScalars.allSatisfy {
                $0 == "." || $0 == ":" || $0.properties.isASCIIHexDigit
            }
    }
}

/// A number: integer literals, or a string for symbolic values nft resolves itself
/// (service names such as `"ssh"`, hex marks such as `"0x10"`). Arrays are anonymous sets.
public struct Number: ValueExpression, Hashable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral
{
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(arrayLiteral elements: Number...) { expression = .set(elements.map(\.expression), single: false) }
    public init(_ n: Int) { expression = .number(Int64(n)) }
    public init(_ n: UInt64) { expression = n <= UInt64(Int64.max) ? .number(Int64(n)) : .unsigned(n) }
    public init(_ f: some FieldExpression) { expression = f.expression }
    public static func set(_ values: [Int]) -> Number { Number(.set(values.map { .number(Int64($0)) }, single: false)) }
    public static func range(_ r: ClosedRange<Int>) -> Number {
        Number(.range(.number(Int64(r.lowerBound)), .number(Int64(r.upperBound))))
    }
}

/// A name: interface names (`"eth0"`, wildcard `"veth*"`), helper names, labels.
public struct Name: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(arrayLiteral elements: Name...) { expression = .set(elements.map(\.expression), single: false) }
    public init(_ s: String) { expression = .string(s) }
    public init(_ f: some FieldExpression) { expression = f.expression }
    public static func set(_ values: [String]) -> Name { Name(.set(values.map { .string($0) }, single: false)) }
}
