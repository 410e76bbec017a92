/// The ruleset elements of the libnftables JSON schema (RULESET ELEMENTS in
/// `man 5 libnftables-json`). Optional fields are absent keys; `handle` is what the kernel
/// assigned and is ignored when comparing intent.

public enum Family: String, Sendable, Hashable, CaseIterable, Comparable {
    case ip, ip6, inet, arp, bridge, netdev
    public static func < (a: Family, b: Family) -> Bool { a.rawValue < b.rawValue }
}

public struct Table: Sendable, Hashable {
    public var family: String
    public var name: String
    public var handle: Int64?
    public var flags: FlagList?
    public var comment: String?
    public init(family: String, name: String, handle: Int64? = nil, flags: FlagList? = nil, comment: String? = nil) {
        self.family = family; self.name = name; self.handle = handle; self.flags = flags; self.comment = comment
    }
}

public struct Chain: Sendable, Hashable {
    public var family: String
    public var table: String
    public var name: String
    public var newname: String?
    public var handle: Int64?
    public var type: String?
    public var hook: String?
    public var prio: Int64?
    /// Device(s) of a netdev/ingress chain: one as a string, several as an array.
    public var dev: FlagList?
    public var policy: String?
    public var comment: String?
    public init(
        family: String, table: String, name: String, newname: String? = nil, handle: Int64? = nil,
        type: String? = nil, hook: String? = nil, prio: Int64? = nil, dev: FlagList? = nil,
        policy: String? = nil, comment: String? = nil
    ) {
        self.family = family; self.table = table; self.name = name; self.newname = newname; self.handle = handle
        self.type = type; self.hook = hook; self.prio = prio; self.dev = dev; self.policy = policy
        self.comment = comment
    }
    /// A base chain is attached to a hook; a regular chain is only reached by jump/goto.
    public var isBase: Bool { hook != nil }
}

public struct Rule: Sendable, Hashable {
    public var family: String
    public var table: String
    public var chain: String
    public var handle: Int64?
    public var index: Int64?
    public var expr: [Statement]?
    public var comment: String?
    public init(
        family: String, table: String, chain: String, handle: Int64? = nil, index: Int64? = nil,
        expr: [Statement]? = nil, comment: String? = nil
    ) {
        self.family = family; self.table = table; self.chain = chain; self.handle = handle; self.index = index
        self.expr = expr; self.comment = comment
    }
    public var statements: [Statement] { expr ?? [] }
}

/// A set's key or a map's data type: a type name, a concatenation of names, or `typeof EXPR`.
public enum SetKeyType: Sendable, Hashable {
    case named(String)
    case concat([String])
    case typeof(Expression)
}

/// A named set or map (`{"set": ...}` / `{"map": ...}`).
public struct NamedSet: Sendable, Hashable {
    public var isMap: Bool
    public var family: String
    public var table: String
    public var name: String
    public var handle: Int64?
    public var type: SetKeyType?
    /// The data type of a map (`"map": "verdict"`); nil for a set.
    public var map: SetKeyType?
    public var policy: String?
    public var flags: FlagList?
    /// Elements: `.list([...])` for an array, or a single expression.
    public var elem: Expression?
    public var timeout: TimeSpan?
    public var gcInterval: TimeSpan?
    public var size: Int64?
    public var comment: String?
    /// Statements every element carries (`counter`, `quota`, ...): `"stmt": [...]`.
    public var stmt: [Statement]?
    public var autoMerge: Bool?
    public init(
        isMap: Bool = false, family: String, table: String, name: String, handle: Int64? = nil,
        type: SetKeyType? = nil, map: SetKeyType? = nil, policy: String? = nil, flags: FlagList? = nil,
        elem: Expression? = nil, timeout: TimeSpan? = nil, gcInterval: TimeSpan? = nil, size: Int64? = nil,
        comment: String? = nil, stmt: [Statement]? = nil, autoMerge: Bool? = nil
    ) {
        self.isMap = isMap; self.family = family; self.table = table; self.name = name; self.handle = handle
        self.type = type; self.map = map; self.policy = policy; self.flags = flags; self.elem = elem
        self.timeout = timeout; self.gcInterval = gcInterval; self.size = size; self.comment = comment
        self.stmt = stmt; self.autoMerge = autoMerge
    }
    public var elements: [Expression] {
        switch elem {
        case nil: return []
        case .list(let l)?: return l
        case let e?: return [e]
        }
    }
}

/// `{"element": ...}`: elements added to or deleted from a named set or map.
public struct ElementCommand: Sendable, Hashable {
    public var family: String
    public var table: String
    public var name: String
    public var elem: Expression
    public init(family: String, table: String, name: String, elem: Expression) {
        self.family = family; self.table = table; self.name = name; self.elem = elem
    }
}

public struct Flowtable: Sendable, Hashable {
    public var family: String
    public var table: String
    public var name: String
    public var handle: Int64?
    public var hook: String?
    public var prio: Int64?
    public var dev: FlagList?
    public var flags: FlagList?
    public init(
        family: String, table: String, name: String, handle: Int64? = nil, hook: String? = nil,
        prio: Int64? = nil, dev: FlagList? = nil, flags: FlagList? = nil
    ) {
        self.family = family; self.table = table; self.name = name; self.handle = handle; self.hook = hook
        self.prio = prio; self.dev = dev; self.flags = flags
    }
}

/// The stateful named objects: what identifies them (family, table, name, handle, comment)
/// plus the kind-specific fields.
public struct NamedObject: Sendable, Hashable {
    public var family: String
    public var table: String
    public var name: String
    public var handle: Int64?
    public var comment: String?
    public var body: ObjectBody
    public init(
        family: String, table: String, name: String, handle: Int64? = nil, comment: String? = nil,
        body: ObjectBody
    ) {
        self.family = family; self.table = table; self.name = name; self.handle = handle
        self.comment = comment; self.body = body
    }
}

public enum ObjectBody: Sendable, Hashable {
    case counter(packets: UInt64?, bytes: UInt64?)
    case quota(bytes: UInt64?, used: UInt64?, inv: Bool?)
    case ctHelper(type: String?, protocol: String?, l3proto: String?)
    /// `unit` is the documented input key; 1.0.6 lists byte limits with `rate_unit`/`burst_unit`.
    case limit(
        rate: Int64?, per: String?, burst: Int64?, unit: String?, inv: Bool?, rateUnit: String? = nil,
        burstUnit: String? = nil)
    case ctTimeout(protocol: String?, l3proto: String?, policy: JSONObject?)
    case ctExpectation(l3proto: String?, protocol: String?, dport: Int64?, timeout: Int64?, size: Int64?)
    case synproxy(mss: Int64?, wscale: Int64?, flags: FlagList?)
    case secmark(context: String?)

    /// The JSON key of this kind of object (`"ct helper"`, ...).
    public var kind: ObjectKind {
        switch self {
        case .counter: return .counter
        case .quota: return .quota
        case .ctHelper: return .ctHelper
        case .limit: return .limit
        case .ctTimeout: return .ctTimeout
        case .ctExpectation: return .ctExpectation
        case .synproxy: return .synproxy
        case .secmark: return .secmark
        }
    }
}

public enum ObjectKind: String, Sendable, Hashable, CaseIterable {
    case counter, quota, limit, synproxy, secmark
    case ctHelper = "ct helper"
    case ctTimeout = "ct timeout"
    case ctExpectation = "ct expectation"
}

/// The flags and policies nft knows, each in the order its listing prints them: the printers
/// print only these, and validation refuses any other before anything is sent (it would
/// otherwise vanish from the text sent, and the kernel hold less than was declared).
extension Table {
    /// `persist` is a later nft's (1.0.6's parser refuses it, with the file and line).
    public static let knownFlags = ["dormant", "owner", "persist"]
}

extension NamedSet {
    public static let knownFlags = ["constant", "dynamic", "interval", "timeout"]
    public static let knownPolicies = ["performance", "memory"]
}

extension Flowtable {
    public static let knownFlags = ["offload", "counter"]
}
