/// Every statement of the libnftables JSON schema (`man 5 libnftables-json`, STATEMENTS).
/// Unknown statements stay `.raw`; statements nft 1.0.6 lists as bare strings stay `.text`.
public indirect enum Statement: Sendable, Hashable {
    case verdict(Verdict)
    case match(left: Expression, op: MatchOperator, right: Expression)
    /// `counter`: anonymous (`packets`/`bytes` present in listings), or nil for `{"counter": null}`.
    case counter(packets: UInt64?, bytes: UInt64?)
    /// `counter name "x"` or a counter map: `{"counter": "x"}` / `{"counter": {"map": ...}}`.
    case namedCounter(Expression)
    case mangle(key: Expression, value: Expression)
    case quota(Quota)
    case namedQuota(Expression)
    case limit(Limit)
    case namedLimit(Expression)
    case fwd(dev: Expression?, family: String?, addr: Expression?)
    case notrack
    case dup(addr: Expression?, dev: Expression?)
    case nat(NAT)
    case reject(type: String?, expr: Expression?)
    case set(SetUpdate)
    case map(MapUpdate)
    case log(Log)
    case ctHelper(Expression)
    case ctTimeout(Expression)
    case ctExpectation(Expression)
    case meter(name: String, key: Expression, stmt: Statement, size: Int64?)
    case queue(num: Expression?, flags: FlagList?)
    case vmap(key: Expression, data: Expression)
    case ctCount(val: Int64, inv: Bool?)
    case tproxy(family: String?, addr: Expression?, port: Expression?)
    case synproxy(Synproxy?)
    case namedSynproxy(Expression)
    case reset(Expression)
    case secmark(Expression)
    case xt(type: String, name: String)
    case flow(op: String, flowtable: String)
    case last(used: Int64?)
    /// A statement nft 1.0.6 lists as plain text (e.g. `"add @map1 { ip saddr : meta mark }"`).
    case text(String)
    case raw(JSON)
}

public enum MatchOperator: String, Sendable, Hashable, CaseIterable {
    case eq = "=="
    case ne = "!="
    case lt = "<"
    case gt = ">"
    case le = "<="
    case ge = ">="
    /// Bitmask test: `tcp flags syn` (any of the bits set).
    case `in` = "in"
    /// Bitmask negation: `tcp flags ! syn`.
    case not = "!"
}

public struct Quota: Sendable, Hashable {
    public var val: Int64
    public var valUnit: String?
    public var used: Int64?
    public var usedUnit: String?
    public var inv: Bool?
    public init(val: Int64, valUnit: String? = nil, used: Int64? = nil, usedUnit: String? = nil, inv: Bool? = nil) {
        self.val = val; self.valUnit = valUnit; self.used = used; self.usedUnit = usedUnit; self.inv = inv
    }
}

public struct Limit: Sendable, Hashable {
    public var rate: Int64
    public var per: String?
    public var rateUnit: String?
    public var burst: Int64?
    public var burstUnit: String?
    public var inv: Bool?
    public init(
        rate: Int64, per: String? = nil, rateUnit: String? = nil, burst: Int64? = nil,
        burstUnit: String? = nil, inv: Bool? = nil
    ) {
        self.rate = rate; self.per = per; self.rateUnit = rateUnit; self.burst = burst
        self.burstUnit = burstUnit; self.inv = inv
    }
}

public enum NATKind: String, Sendable, Hashable, CaseIterable {
    case snat, dnat, masquerade, redirect
}

public struct NAT: Sendable, Hashable {
    public var kind: NATKind
    public var family: String?
    public var addr: Expression?
    public var port: Expression?
    public var flags: FlagList?
    public var typeFlags: FlagList?
    public init(
        _ kind: NATKind, family: String? = nil, addr: Expression? = nil, port: Expression? = nil,
        flags: FlagList? = nil, typeFlags: FlagList? = nil
    ) {
        self.kind = kind; self.family = family; self.addr = addr; self.port = port
        self.flags = flags; self.typeFlags = typeFlags
    }
}

public struct SetUpdate: Sendable, Hashable {
    public var op: String
    public var elem: Expression
    public var set: String
    public var stmt: [Statement]?
    public init(op: String, elem: Expression, set: String, stmt: [Statement]? = nil) {
        self.op = op; self.elem = elem; self.set = set; self.stmt = stmt
    }
}

public struct MapUpdate: Sendable, Hashable {
    public var op: String
    public var elem: Expression
    public var data: Expression
    public var map: String
    public var stmt: [Statement]?
    public init(op: String, elem: Expression, data: Expression, map: String, stmt: [Statement]? = nil) {
        self.op = op; self.elem = elem; self.data = data; self.map = map; self.stmt = stmt
    }
}

public struct Log: Sendable, Hashable {
    public var prefix: String?
    public var group: Int64?
    public var snaplen: Int64?
    public var queueThreshold: Int64?
    public var level: String?
    public var flags: FlagList?
    public init(
        prefix: String? = nil, group: Int64? = nil, snaplen: Int64? = nil, queueThreshold: Int64? = nil,
        level: String? = nil, flags: FlagList? = nil
    ) {
        self.prefix = prefix; self.group = group; self.snaplen = snaplen
        self.queueThreshold = queueThreshold; self.level = level; self.flags = flags
    }
    public var isEmpty: Bool {
        prefix == nil && group == nil && snaplen == nil && queueThreshold == nil && level == nil && flags == nil
    }
}

public struct Synproxy: Sendable, Hashable {
    public var mss: Int64?
    public var wscale: Int64?
    public var flags: FlagList?
    public init(mss: Int64? = nil, wscale: Int64? = nil, flags: FlagList? = nil) {
        self.mss = mss; self.wscale = wscale; self.flags = flags
    }
}

/// The words nft has for these statements' flags and units, in its listing's order: the
/// printer writes only these, and validation refuses any other (`TableValidator.checkValues`).
extension NAT {
    /// The flags nft syntax writes out; `netmap` it implies by `prefix to … map`.
    public static let writtenFlags = ["random", "fully-random", "persistent"]
    public static let knownFlags = writtenFlags + ["netmap"]
    public static let knownTypeFlags = ["interval", "prefix", "concat"]
}

extension Synproxy {
    public static let knownFlags = ["timestamp", "sack-perm"]
}

extension Limit {
    public static let knownUnits = ["packets", "bytes", "kbytes", "mbytes"]
}
