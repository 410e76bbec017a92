/// How a value prints, decided by the expression it is compared with or assigned to —
/// nft's "datatype". The JSON says `6`; the type decides between `6`, `0x00000006`, `6s`
/// or `tcp`. Strings in the JSON are already symbolic and only need the quoting rule.
struct ValueType: Sendable {
    enum Number: Sendable {
        case decimal
        /// `0x` and at least `width` hex digits (`0x%0*x`): marks are 8 wide, DSCP 2.
        case hex(width: Int)
        /// A duration in seconds, printed `1d2h3m4s`.
        case time
        /// A layer-4 protocol: a number, or its name unless printing numeric protocols.
        case proto
    }

    enum Quoting: Sendable {
        case never
        /// Interface names, helper and object names, time-of-day strings.
        case always
        /// Interface indexes: a resolved name is quoted, an unresolved index is bare.
        case unlessNumeric
    }

    var number: Number = .decimal
    var quoting: Quoting = .never
    /// Flag types (`tcp flags`, `ct state`): lists join with `,`, and `==` is printed
    /// explicitly against a single value, as nft does.
    var bitmask = false
    /// The component types of a concatenation.
    var components: [ValueType]? = nil
    /// The numbers behind the symbolic names, for ranges (which nft prints numerically).
    var symbols: SymbolTable? = nil

    static let plain = ValueType()
    static let quoted = ValueType(quoting: .always)
    static let ifindex = ValueType(quoting: .unlessNumeric)
    static let mark = ValueType(number: .hex(width: 8))
    static let hex = ValueType(number: .hex(width: 0))
    static let dscp = ValueType(number: .hex(width: 2), symbols: .dscp)
    static let ethertype = ValueType(number: .hex(width: 4), symbols: .etherType)
    static let time = ValueType(number: .time)
    static let proto = ValueType(number: .proto, symbols: .inetProto)

    static func symbolic(_ table: SymbolTable) -> ValueType { ValueType(symbols: table) }
    static let flags = ValueType(number: .hex(width: 0), bitmask: true)

    static func concat(_ parts: [ValueType]) -> ValueType { ValueType(components: parts) }

    /// The type of the `i`-th component when this is a concatenation.
    func component(_ i: Int) -> ValueType? {
        guard let c = components, i < c.count else { return nil }
        return c[i]
    }
}
