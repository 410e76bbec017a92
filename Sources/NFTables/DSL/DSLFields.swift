// The typed fields: one concrete struct per value type, each with its own operators,
// which keeps type-checking of big rule lists linear (see DESIGN.md §4).
// (Written with a small script; edit freely.)

/// An address field (`ip.saddr`, `ip6.daddr`, `ether.saddr`, `ct.original.saddr`).
public struct AddrField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: AddrField, r: Addr) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: AddrField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: AddrField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: Addr) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A numeric field (ports, marks, lengths, TTLs, ids).
public struct NumberField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: NumberField, r: Number) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// A range: `tcp.dport == 1024...65535`.
    public static func == (l: NumberField, r: ClosedRange<Int>) -> RuleItem { .match(l.expression, .eq, Number.range(r).expression) }
    public static func != (l: NumberField, r: ClosedRange<Int>) -> RuleItem { .match(l.expression, .ne, Number.range(r).expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: NumberField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: NumberField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    public static func & (l: NumberField, r: Number) -> NumberField { NumberField(.binop(.and, [l.expression, r.expression])) }
    public static func | (l: NumberField, r: Number) -> NumberField { NumberField(.binop(.or, [l.expression, r.expression])) }
    public static func ^ (l: NumberField, r: Number) -> NumberField { NumberField(.binop(.xor, [l.expression, r.expression])) }
    public static func << (l: NumberField, r: Int) -> NumberField { NumberField(.binop(.lshift, [l.expression, .number(Int64(r))])) }
    public static func >> (l: NumberField, r: Int) -> NumberField { NumberField(.binop(.rshift, [l.expression, .number(Int64(r))])) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: Number) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A name field (`meta.iifname`, `meta.oifname`, `osf.name`).
public struct NameField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: NameField, r: Name) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: NameField, r: Name) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: NameField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: NameField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: Name) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field of any type: concatenations, map lookups, raw payloads, hashes.
public struct AnyField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: AnyField, r: Value) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// A range: `tcp.dport == 1024...65535`.
    public static func == (l: AnyField, r: ClosedRange<Int>) -> RuleItem { .match(l.expression, .eq, Number.range(r).expression) }
    public static func != (l: AnyField, r: ClosedRange<Int>) -> RuleItem { .match(l.expression, .ne, Number.range(r).expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: AnyField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: AnyField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    public static func & (l: AnyField, r: Value) -> AnyField { AnyField(.binop(.and, [l.expression, r.expression])) }
    public static func | (l: AnyField, r: Value) -> AnyField { AnyField(.binop(.or, [l.expression, r.expression])) }
    public static func ^ (l: AnyField, r: Value) -> AnyField { AnyField(.binop(.xor, [l.expression, r.expression])) }
    public static func << (l: AnyField, r: Int) -> AnyField { AnyField(.binop(.lshift, [l.expression, .number(Int64(r))])) }
    public static func >> (l: AnyField, r: Int) -> AnyField { AnyField(.binop(.rshift, [l.expression, .number(Int64(r))])) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: Value) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ct state values.
public struct CTStateField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: CTStateField, r: CTState) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: CTStateField, r: CTState) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: CTStateField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: CTStateField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    public static func & (l: CTStateField, r: CTState) -> CTStateField { CTStateField(.binop(.and, [l.expression, r.expression])) }
    public static func | (l: CTStateField, r: CTState) -> CTStateField { CTStateField(.binop(.or, [l.expression, r.expression])) }
    public static func ^ (l: CTStateField, r: CTState) -> CTStateField { CTStateField(.binop(.xor, [l.expression, r.expression])) }
    /// Any of these bits set: `ct.state.has(.established, .related)` (nft `ct state established,related`).
    public func has(_ values: CTState...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .in, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// None of these bits set (nft `tcp flags ! syn`).
    public func hasNone(_ values: CTState...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .not, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: CTState) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ct status values.
public struct CTStatusField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: CTStatusField, r: CTStatus) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: CTStatusField, r: CTStatus) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: CTStatusField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: CTStatusField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    public static func & (l: CTStatusField, r: CTStatus) -> CTStatusField { CTStatusField(.binop(.and, [l.expression, r.expression])) }
    public static func | (l: CTStatusField, r: CTStatus) -> CTStatusField { CTStatusField(.binop(.or, [l.expression, r.expression])) }
    public static func ^ (l: CTStatusField, r: CTStatus) -> CTStatusField { CTStatusField(.binop(.xor, [l.expression, r.expression])) }
    /// Any of these bits set: `ct.state.has(.established, .related)` (nft `ct state established,related`).
    public func has(_ values: CTStatus...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .in, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// None of these bits set (nft `tcp flags ! syn`).
    public func hasNone(_ values: CTStatus...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .not, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: CTStatus) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ct direction values.
public struct CTDirectionField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: CTDirectionField, r: CTDirection) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: CTDirectionField, r: CTDirection) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: CTDirectionField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: CTDirectionField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: CTDirection) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding TCP flags.
public struct TCPFlagField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: TCPFlagField, r: TCPFlag) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: TCPFlagField, r: TCPFlag) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: TCPFlagField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: TCPFlagField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    public static func & (l: TCPFlagField, r: TCPFlag) -> TCPFlagField { TCPFlagField(.binop(.and, [l.expression, r.expression])) }
    public static func | (l: TCPFlagField, r: TCPFlag) -> TCPFlagField { TCPFlagField(.binop(.or, [l.expression, r.expression])) }
    public static func ^ (l: TCPFlagField, r: TCPFlag) -> TCPFlagField { TCPFlagField(.binop(.xor, [l.expression, r.expression])) }
    /// Any of these bits set: `ct.state.has(.established, .related)` (nft `ct state established,related`).
    public func has(_ values: TCPFlag...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .in, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// None of these bits set (nft `tcp flags ! syn`).
    public func hasNone(_ values: TCPFlag...) -> RuleItem {
        let parts = values.map(\.expression)
        return .match(expression, .not, parts.count == 1 ? parts[0] : .list(parts))
    }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: TCPFlag) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ICMP types.
public struct ICMPTypeField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: ICMPTypeField, r: ICMPType) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: ICMPTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: ICMPTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: ICMPType) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ICMPv6 types.
public struct ICMPv6TypeField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: ICMPv6TypeField, r: ICMPv6Type) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: ICMPv6TypeField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: ICMPv6TypeField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: ICMPv6Type) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding layer 4 protocols.
public struct L4ProtoField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .ne, r.expression) }
    public static func < (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .lt, r.expression) }
    public static func > (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .gt, r.expression) }
    public static func <= (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .le, r.expression) }
    public static func >= (l: L4ProtoField, r: L4Proto) -> RuleItem { .match(l.expression, .ge, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: L4ProtoField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: L4ProtoField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: L4Proto) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding meta pkttype values.
public struct PacketTypeField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: PacketTypeField, r: PacketType) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: PacketTypeField, r: PacketType) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: PacketTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: PacketTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: PacketType) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding fib address types.
public struct AddressTypeField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: AddressTypeField, r: AddressType) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: AddressTypeField, r: AddressType) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: AddressTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: AddressTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: AddressType) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding meta nfproto values.
public struct NFProtoField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: NFProtoField, r: NFProto) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: NFProtoField, r: NFProto) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: NFProtoField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: NFProtoField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: NFProto) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}

/// A field holding ether types.
public struct EtherTypeField: FieldExpression {
    public let expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public static func == (l: EtherTypeField, r: EtherType) -> RuleItem { .match(l.expression, .eq, r.expression) }
    public static func != (l: EtherTypeField, r: EtherType) -> RuleItem { .match(l.expression, .ne, r.expression) }
    /// Membership in a named set: `ip.saddr == blocklist` (nft `ip saddr @blocklist`).
    public static func == (l: EtherTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .eq, .string("@" + r.name)) }
    public static func != (l: EtherTypeField, r: SetDecl) -> RuleItem { .match(l.expression, .ne, .string("@" + r.name)) }
    /// Sets the field (a `mangle` statement): `meta.mark.set(1)`.
    public func set(_ value: EtherType) -> RuleItem { RuleItem(.mangle(key: expression, value: value.expression)) }
}
