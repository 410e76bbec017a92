// Packet metadata, conntrack, routing, fib, socket, osf, hashes and extension headers.

public struct MetaKeys: Sendable {
    func k(_ key: String) -> Expression { .meta(key: key) }
    public var length: NumberField { NumberField(k("length")) }
    public var `protocol`: EtherTypeField { EtherTypeField(k("protocol")) }
    public var nfproto: NFProtoField { NFProtoField(k("nfproto")) }
    public var l4proto: L4ProtoField { L4ProtoField(k("l4proto")) }
    public var mark: NumberField { NumberField(k("mark")) }
    public var priority: AnyField { AnyField(k("priority")) }
    public var iif: NameField { NameField(k("iif")) }
    public var iifname: NameField { NameField(k("iifname")) }
    public var iiftype: AnyField { AnyField(k("iiftype")) }
    public var oif: NameField { NameField(k("oif")) }
    public var oifname: NameField { NameField(k("oifname")) }
    public var oiftype: AnyField { AnyField(k("oiftype")) }
    public var iifgroup: AnyField { AnyField(k("iifgroup")) }
    public var oifgroup: AnyField { AnyField(k("oifgroup")) }
    public var ibrname: NameField { NameField(k("ibrname")) }
    public var obrname: NameField { NameField(k("obrname")) }
    public var skuid: AnyField { AnyField(k("skuid")) }
    public var skgid: AnyField { AnyField(k("skgid")) }
    public var nftrace: NumberField { NumberField(k("nftrace")) }
    public var rtclassid: AnyField { AnyField(k("rtclassid")) }
    public var pkttype: PacketTypeField { PacketTypeField(k("pkttype")) }
    public var cpu: NumberField { NumberField(k("cpu")) }
    public var cgroup: NumberField { NumberField(k("cgroup")) }
    public var random: NumberField { NumberField(k("random")) }
    public var secpath: AnyField { AnyField(k("secpath")) }
    public var time: AnyField { AnyField(k("time")) }
    public var day: AnyField { AnyField(k("day")) }
    public var hour: AnyField { AnyField(k("hour")) }
    public var secmark: AnyField { AnyField(k("secmark")) }
    /// Any other meta key by name.
    public subscript(key: String) -> AnyField { AnyField(k(key)) }
}

/// A conntrack object reference that is *assigned* (`ct helper set "ftp"`), not mangled.
public struct CTObjectKey: Sendable {
    let kind: String
    /// `ct helper set NAME` (also `ct timeout set`, `ct expectation set`).
    public func set(_ name: String) -> RuleItem {
        switch kind {
        case "helper": return RuleItem(.ctHelper(.string(name)))
        case "timeout": return RuleItem(.ctTimeout(.string(name)))
        default: return RuleItem(.ctExpectation(.string(name)))
        }
    }
    public func set(_ object: ObjectDecl) -> RuleItem { set(object.name) }
    /// As a match (`ct helper "ftp"`).
    public static func == (l: CTObjectKey, r: Name) -> RuleItem { .match(.ct(key: l.kind, family: nil, dir: nil), .eq, r.expression) }
}

public struct CTKeys: Sendable {
    let dir: String?
    func k(_ key: String) -> Expression { .ct(key: key, family: nil, dir: dir) }
    public var state: CTStateField { CTStateField(k("state")) }
    public var direction: CTDirectionField { CTDirectionField(k("direction")) }
    public var status: CTStatusField { CTStatusField(k("status")) }
    public var mark: NumberField { NumberField(k("mark")) }
    public var expiration: NumberField { NumberField(k("expiration")) }
    public var label: NameField { NameField(k("label")) }
    public var zone: NumberField { NumberField(k("zone")) }
    public var id: NumberField { NumberField(k("id")) }
    public var secmark: NumberField { NumberField(k("secmark")) }
    public var l3proto: NFProtoField { NFProtoField(k("l3proto")) }
    public var `protocol`: L4ProtoField { L4ProtoField(k("protocol")) }
    public var bytes: NumberField { NumberField(k("bytes")) }
    public var packets: NumberField { NumberField(k("packets")) }
    public var avgpkt: NumberField { NumberField(k("avgpkt")) }
    public var saddr: AddrField { AddrField(k("saddr")) }
    public var daddr: AddrField { AddrField(k("daddr")) }
    public var protoSrc: NumberField { NumberField(k("proto-src")) }
    public var protoDst: NumberField { NumberField(k("proto-dst")) }
    /// `ct original ip saddr`: an address with its family.
    public func saddr(_ family: Family) -> AddrField { AddrField(.ct(key: "saddr", family: family.rawValue, dir: dir)) }
    public func daddr(_ family: Family) -> AddrField { AddrField(.ct(key: "daddr", family: family.rawValue, dir: dir)) }
    public var helper: CTObjectKey { CTObjectKey(kind: "helper") }
    public var timeout: CTObjectKey { CTObjectKey(kind: "timeout") }
    public var expectation: CTObjectKey { CTObjectKey(kind: "expectation") }
    /// `ct original ...` / `ct reply ...`.
    public var original: CTKeys { CTKeys(dir: "original") }
    public var reply: CTKeys { CTKeys(dir: "reply") }
    /// Any other ct key by name.
    public subscript(key: String) -> AnyField { AnyField(k(key)) }
}

public struct RTKeys: Sendable {
    public var classid: NameField { NameField(.rt(key: "classid", family: nil)) }
    public var nexthop: AddrField { AddrField(.rt(key: "nexthop", family: nil)) }
    public var mtu: NumberField { NumberField(.rt(key: "mtu", family: nil)) }
    public var ipsec: AnyField { AnyField(.rt(key: "ipsec", family: nil)) }
}

public struct SocketKeys: Sendable {
    public var transparent: NumberField { NumberField(.socket(key: "transparent", level: nil)) }
    public var mark: NumberField { NumberField(.socket(key: "mark", level: nil)) }
    public var wildcard: NumberField { NumberField(.socket(key: "wildcard", level: nil)) }
    public func cgroupv2(level: Int) -> NameField { NameField(.socket(key: "cgroupv2", level: level)) }
}

public struct OSFKeys: Sendable {
    public var name: NameField { NameField(.osf(key: "name", ttl: nil)) }
    public var version: NameField { NameField(.osf(key: "version", ttl: nil)) }
    public func name(ttl: String) -> NameField { NameField(.osf(key: "name", ttl: ttl)) }
}

/// IPv6 extension headers: `exthdr.frag.exists`, `exthdr["rt", "type"] == 0`.
public struct ExthdrKeys: Sendable {
    public var hbh: AnyField { AnyField(.exthdr(name: "hbh", field: nil, offset: nil)) }
    public var rt: AnyField { AnyField(.exthdr(name: "rt", field: nil, offset: nil)) }
    public var frag: AnyField { AnyField(.exthdr(name: "frag", field: nil, offset: nil)) }
    public var dst: AnyField { AnyField(.exthdr(name: "dst", field: nil, offset: nil)) }
    public var mh: AnyField { AnyField(.exthdr(name: "mh", field: nil, offset: nil)) }
    public subscript(name: String, field: String) -> AnyField { AnyField(.exthdr(name: name, field: field, offset: nil)) }
}

public let meta = MetaKeys()
public let ct = CTKeys(dir: nil)
public let rt = RTKeys()
public let socket = SocketKeys()
public let osf = OSFKeys()
public let exthdr = ExthdrKeys()

/// What a fib lookup is keyed on.
public enum FibFlag: String, Sendable { case saddr, daddr, mark, iif, oif }

/// A fib lookup: `fib(.daddr).type == .local`, `fib(.saddr, .iif).oif == "0"` (reverse path).
public struct FibLookup: Sendable {
    let flags: [FibFlag]
    func r(_ result: String) -> Expression { .fib(result: result, flags: FlagList(flags.map(\.rawValue))) }
    public var type: AddressTypeField { AddressTypeField(r("type")) }
    public var oif: NameField { NameField(r("oif")) }
    public var oifname: NameField { NameField(r("oifname")) }
}
public func fib(_ flags: FibFlag...) -> FibLookup { FibLookup(flags: flags) }

public enum NumgenMode: String, Sendable { case inc, random }
/// `numgen inc mod 2 offset 100`.
public func numgen(_ mode: NumgenMode, mod: Int, offset: Int? = nil) -> NumberField {
    NumberField(.numgen(mode: mode.rawValue, mod: Int64(mod), offset: offset.map(Int64.init)))
}
/// `jhash ip saddr . tcp dport mod 2 seed 0xdead`.
public func jhash(_ key: some FieldExpression, mod: Int, offset: Int? = nil, seed: Int? = nil) -> NumberField {
    NumberField(.jhash(mod: Int64(mod), offset: offset.map(Int64.init), expr: key.expression, seed: seed.map(Int64.init)))
}
/// `symhash mod 2`.
public func symhash(mod: Int, offset: Int? = nil) -> NumberField {
    NumberField(.symhash(mod: Int64(mod), offset: offset.map(Int64.init)))
}
