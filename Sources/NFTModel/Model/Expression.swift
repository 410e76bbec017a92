/// Every expression of the libnftables JSON schema (`man 5 libnftables-json`, EXPRESSIONS),
/// as one indirect enum. Anything the model does not understand stays `.raw` so that it
/// survives a decode/encode round trip untouched and can be counted as unsupported.
public indirect enum Expression: Sendable, Hashable {
    /// A string literal: an address, an interface name, a symbolic constant (`"established"`,
    /// `"tcp"`), or a named set/map/object reference (`"@blocklist"`).
    case string(String)
    case number(Int64)
    /// Numbers above Int64.max (64-bit marks, big quotas).
    case unsigned(UInt64)
    case bool(Bool)
    /// A bare JSON array: a list of flags (`["syn", "ack"]`), a map element pair `[key, value]`
    /// inside a set, or an element list.
    case list([Expression])
    /// An anonymous set `{"set": [...]}`. `single` is true when the JSON held one value
    /// without an array around it.
    case set([Expression], single: Bool)
    /// A map lookup: `key map { k : v, ... }` or `key map @name`.
    case map(key: Expression, data: Expression)
    case prefix(addr: Expression, len: Int)
    case range(Expression, Expression)
    case concat([Expression])
    case payload(Payload)
    case exthdr(name: String, field: String?, offset: Int?)
    /// `tcp option NAME [FIELD]`, or a raw option (`base`/`offset`/`len`).
    case tcpOption(TCPOption)
    case ipOption(name: String, field: String?)
    case sctpChunk(name: String, field: String?)
    case dccpOption(type: Int)
    case meta(key: String)
    case rt(key: String, family: String?)
    case ct(key: String, family: String?, dir: String?)
    case numgen(mode: String, mod: Int64, offset: Int64?)
    case jhash(mod: Int64, offset: Int64?, expr: Expression, seed: Int64?)
    case symhash(mod: Int64, offset: Int64?)
    case fib(result: String, flags: FlagList?)
    case binop(BinaryOperator, [Expression])
    case verdict(Verdict)
    case elem(SetElement)
    case socket(key: String, level: Int?)
    case osf(key: String, ttl: String?)
    case ipsec(key: String, dir: String?, spnum: Int?, family: String?)
    /// `{"tunnel": {"key": ...}}` (newer nftables; kept typed so it prints).
    case tunnel(key: String)
    case raw(JSON)
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or = "|"
    case xor = "^"
    case and = "&"
    case lshift = "<<"
    case rshift = ">>"
}

/// A header field: by protocol and field name, or raw by base, bit offset and bit length.
public enum Payload: Sendable, Hashable {
    case field(protocol: String, field: String)
    case raw(base: String, offset: Int, len: Int)
}

public enum TCPOption: Sendable, Hashable {
    case named(name: String, field: String?)
    case raw(base: Int, offset: Int, len: Int)
}

/// Verdicts, both as statements and as expressions in verdict maps.
public enum Verdict: Sendable, Hashable {
    case accept, drop, `continue`, `return`
    case jump(String)
    case goto(String)

    public var keyword: String {
        switch self {
        case .accept: return "accept"
        case .drop: return "drop"
        case .continue: return "continue"
        case .return: return "return"
        case .jump: return "jump"
        case .goto: return "goto"
        }
    }

    public var target: String? {
        switch self {
        case .jump(let t), .goto(let t): return t
        default: return nil
        }
    }
}

/// A set element with its attributes: `{"elem": {"val": ..., "timeout": 30, ...}}`.
public struct SetElement: Sendable, Hashable {
    public var val: Expression
    public var timeout: TimeSpan?
    public var expires: TimeSpan?
    public var comment: String?
    /// Per-element statements (`counter`, `quota`, `limit`, `last`) keyed by statement name.
    public var statements: [Statement]

    public init(
        val: Expression, timeout: TimeSpan? = nil, expires: TimeSpan? = nil, comment: String? = nil,
        statements: [Statement] = []
    ) {
        self.val = val
        self.timeout = timeout
        self.expires = expires
        self.comment = comment
        self.statements = statements
    }
}

/// A string-or-array list as libnftables prints flags: one flag as a bare string,
/// several as an array. `scalar` remembers the shape so encoding reproduces the input.
public struct FlagList: Sendable, Hashable {
    public var values: [String]
    public var scalar: Bool

    public init(_ values: [String], scalar: Bool = false) {
        self.values = values
        self.scalar = scalar && values.count == 1
    }

    public static func == (a: FlagList, b: FlagList) -> Bool { a.values == b.values }
    public func hash(into h: inout Hasher) { h.combine(values) }
}
