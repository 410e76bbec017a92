// Variables where literals work: `ip6.saddr == office6` with `let office6 = "2001:db8::/48"`,
// `tcp.dport == port` with an `Int`, `tcp.dport == ports` with an `[Int]`. A literal converts
// to the field's value type by itself; a variable of a standard type needs these overloads.
// They are disfavoured so that literals keep resolving to the typed operators first (the
// cost of type-checking big rule lists stays where it was).

extension AddrField {
    @_disfavoredOverload public static func == (l: AddrField, r: String) -> RuleItem { l == Addr(r) }
    @_disfavoredOverload public static func != (l: AddrField, r: String) -> RuleItem { l != Addr(r) }
    @_disfavoredOverload public static func == (l: AddrField, r: [String]) -> RuleItem { l == Addr.set(r) }
    @_disfavoredOverload public static func != (l: AddrField, r: [String]) -> RuleItem { l != Addr.set(r) }
}

extension NumberField {
    @_disfavoredOverload public static func == (l: NumberField, r: Int) -> RuleItem { l == Number(r) }
    @_disfavoredOverload public static func != (l: NumberField, r: Int) -> RuleItem { l != Number(r) }
    @_disfavoredOverload public static func == (l: NumberField, r: [Int]) -> RuleItem { l == Number.set(r) }
    @_disfavoredOverload public static func != (l: NumberField, r: [Int]) -> RuleItem { l != Number.set(r) }
    /// A service name or another symbol nft resolves (`"ssh"`, `"0x10"`).
    @_disfavoredOverload public static func == (l: NumberField, r: String) -> RuleItem { l == Number(.string(r)) }
    @_disfavoredOverload public static func != (l: NumberField, r: String) -> RuleItem { l != Number(.string(r)) }
}

extension NameField {
    @_disfavoredOverload public static func == (l: NameField, r: String) -> RuleItem { l == Name(r) }
    @_disfavoredOverload public static func != (l: NameField, r: String) -> RuleItem { l != Name(r) }
    @_disfavoredOverload public static func == (l: NameField, r: [String]) -> RuleItem { l == Name.set(r) }
    @_disfavoredOverload public static func != (l: NameField, r: [String]) -> RuleItem { l != Name.set(r) }
}

extension AnyField {
    @_disfavoredOverload public static func == (l: AnyField, r: String) -> RuleItem { l == Value(r) }
    @_disfavoredOverload public static func == (l: AnyField, r: Int) -> RuleItem { l == Value(r) }
}

extension RuleItem {
    /// `ip.saddr == office && tcp.dport == 22`: both must hold, as in `rule(a, b)`.
    public static func && (l: RuleItem, r: RuleItem) -> RuleItem { RuleItem(l.statements + r.statements) }
}
