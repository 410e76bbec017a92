// Packet header fields: `ip.saddr`, `tcp.dport`, `icmp.type`, ... Each header is a small
// struct whose properties are typed fields (payload expressions).

@inline(__always) func payload(_ proto: String, _ field: String) -> Expression {
    .payload(.field(protocol: proto, field: field))
}

public struct IPHeader: Sendable {
    public var version: NumberField { NumberField(payload("ip", "version")) }
    public var hdrlength: NumberField { NumberField(payload("ip", "hdrlength")) }
    public var dscp: AnyField { AnyField(payload("ip", "dscp")) }
    public var ecn: AnyField { AnyField(payload("ip", "ecn")) }
    public var length: NumberField { NumberField(payload("ip", "length")) }
    public var id: NumberField { NumberField(payload("ip", "id")) }
    public var fragOff: NumberField { NumberField(payload("ip", "frag-off")) }
    public var ttl: NumberField { NumberField(payload("ip", "ttl")) }
    public var `protocol`: L4ProtoField { L4ProtoField(payload("ip", "protocol")) }
    public var checksum: NumberField { NumberField(payload("ip", "checksum")) }
    public var saddr: AddrField { AddrField(payload("ip", "saddr")) }
    public var daddr: AddrField { AddrField(payload("ip", "daddr")) }
    /// `ip option NAME [FIELD]`.
    public func option(_ name: String, field: String? = nil) -> NumberField { NumberField(.ipOption(name: name, field: field)) }
}

public struct IP6Header: Sendable {
    public var version: NumberField { NumberField(payload("ip6", "version")) }
    public var dscp: AnyField { AnyField(payload("ip6", "dscp")) }
    public var ecn: AnyField { AnyField(payload("ip6", "ecn")) }
    public var flowlabel: NumberField { NumberField(payload("ip6", "flowlabel")) }
    public var length: NumberField { NumberField(payload("ip6", "length")) }
    public var nexthdr: L4ProtoField { L4ProtoField(payload("ip6", "nexthdr")) }
    public var hoplimit: NumberField { NumberField(payload("ip6", "hoplimit")) }
    public var saddr: AddrField { AddrField(payload("ip6", "saddr")) }
    public var daddr: AddrField { AddrField(payload("ip6", "daddr")) }
}

public struct TCPHeader: Sendable {
    public var sport: NumberField { NumberField(payload("tcp", "sport")) }
    public var dport: NumberField { NumberField(payload("tcp", "dport")) }
    public var sequence: NumberField { NumberField(payload("tcp", "sequence")) }
    public var ackseq: NumberField { NumberField(payload("tcp", "ackseq")) }
    public var doff: NumberField { NumberField(payload("tcp", "doff")) }
    public var reserved: NumberField { NumberField(payload("tcp", "reserved")) }
    public var flags: TCPFlagField { TCPFlagField(payload("tcp", "flags")) }
    public var window: NumberField { NumberField(payload("tcp", "window")) }
    public var checksum: NumberField { NumberField(payload("tcp", "checksum")) }
    public var urgptr: NumberField { NumberField(payload("tcp", "urgptr")) }
    /// A TCP option: `tcp.option("maxseg", field: "size") == 1460`, `tcp.option("sack-perm").exists`.
    public func option(_ name: String, field: String? = nil) -> NumberField {
        NumberField(.tcpOption(.named(name: name, field: field)))
    }
}

/// UDP, UDP-Lite and the transport-header pseudo protocol `th`.
public struct PortsHeader: Sendable {
    let name: String
    public var sport: NumberField { NumberField(payload(name, "sport")) }
    public var dport: NumberField { NumberField(payload(name, "dport")) }
    public var length: NumberField { NumberField(payload(name, "length")) }
    public var checksum: NumberField { NumberField(payload(name, "checksum")) }
}

public struct ICMPHeader: Sendable {
    public var type: ICMPTypeField { ICMPTypeField(payload("icmp", "type")) }
    public var code: AnyField { AnyField(payload("icmp", "code")) }
    public var checksum: NumberField { NumberField(payload("icmp", "checksum")) }
    public var id: NumberField { NumberField(payload("icmp", "id")) }
    public var sequence: NumberField { NumberField(payload("icmp", "sequence")) }
    public var gateway: AddrField { AddrField(payload("icmp", "gateway")) }
    public var mtu: NumberField { NumberField(payload("icmp", "mtu")) }
}

public struct ICMPv6Header: Sendable {
    public var type: ICMPv6TypeField { ICMPv6TypeField(payload("icmpv6", "type")) }
    public var code: AnyField { AnyField(payload("icmpv6", "code")) }
    public var checksum: NumberField { NumberField(payload("icmpv6", "checksum")) }
    public var parameter: NumberField { NumberField(payload("icmpv6", "parameter")) }
    public var mtu: NumberField { NumberField(payload("icmpv6", "mtu")) }
    public var id: NumberField { NumberField(payload("icmpv6", "id")) }
    public var sequence: NumberField { NumberField(payload("icmpv6", "sequence")) }
    public var maxDelay: NumberField { NumberField(payload("icmpv6", "max-delay")) }
}

public struct EtherHeader: Sendable {
    public var saddr: AddrField { AddrField(payload("ether", "saddr")) }
    public var daddr: AddrField { AddrField(payload("ether", "daddr")) }
    public var type: EtherTypeField { EtherTypeField(payload("ether", "type")) }
}

public struct VLANHeader: Sendable {
    public var id: NumberField { NumberField(payload("vlan", "id")) }
    public var dei: NumberField { NumberField(payload("vlan", "dei")) }
    public var pcp: NumberField { NumberField(payload("vlan", "pcp")) }
    public var type: EtherTypeField { EtherTypeField(payload("vlan", "type")) }
}

public struct ARPHeader: Sendable {
    public var htype: NumberField { NumberField(payload("arp", "htype")) }
    public var ptype: EtherTypeField { EtherTypeField(payload("arp", "ptype")) }
    public var hlen: NumberField { NumberField(payload("arp", "hlen")) }
    public var plen: NumberField { NumberField(payload("arp", "plen")) }
    public var operation: AnyField { AnyField(payload("arp", "operation")) }
    public var saddrIP: AddrField { AddrField(payload("arp", "saddr ip")) }
    public var daddrIP: AddrField { AddrField(payload("arp", "daddr ip")) }
    public var saddrEther: AddrField { AddrField(payload("arp", "saddr ether")) }
    public var daddrEther: AddrField { AddrField(payload("arp", "daddr ether")) }
}

/// Any header by protocol and field name (`sctp`, `dccp`, `ah`, `esp`, `comp`, `igmp`, `gre`, ...).
public struct GenericHeader: Sendable {
    let name: String
    public subscript(field: String) -> AnyField { AnyField(payload(name, field)) }
    public var sport: NumberField { NumberField(payload(name, "sport")) }
    public var dport: NumberField { NumberField(payload(name, "dport")) }
    public var type: AnyField { AnyField(payload(name, "type")) }
    public var spi: NumberField { NumberField(payload(name, "spi")) }
    public var sequence: NumberField { NumberField(payload(name, "sequence")) }
    public var nexthdr: L4ProtoField { L4ProtoField(payload(name, "nexthdr")) }
    public var vtag: NumberField { NumberField(payload(name, "vtag")) }
    public var checksum: NumberField { NumberField(payload(name, "checksum")) }
}

public let ip = IPHeader()
public let ip6 = IP6Header()
public let tcp = TCPHeader()
public let udp = PortsHeader(name: "udp")
public let udplite = PortsHeader(name: "udplite")
/// The transport header of any protocol: `th.dport == 53` (with `meta.l4proto == [.tcp, .udp]`).
public let th = PortsHeader(name: "th")
public let icmp = ICMPHeader()
public let icmpv6 = ICMPv6Header()
public let ether = EtherHeader()
public let vlan = VLANHeader()
public let arp = ARPHeader()
public let sctp = GenericHeader(name: "sctp")
public let dccp = GenericHeader(name: "dccp")
public let ah = GenericHeader(name: "ah")
public let esp = GenericHeader(name: "esp")
public let comp = GenericHeader(name: "comp")
public let igmp = GenericHeader(name: "igmp")

/// Where a raw payload offset counts from.
public enum PayloadBase: String, Sendable {
    case link = "ll"
    case network = "nh"
    case transport = "th"
    case inner = "ih"
}

/// A raw payload: `payload(.transport, offset: 16, length: 16) == 53` (bits).
public func payload(_ base: PayloadBase, offset: Int, length: Int) -> AnyField {
    AnyField(.payload(.raw(base: base.rawValue, offset: offset, len: length)))
}

/// A concatenation of fields, the key of a set or map with several parts:
/// `concat(ip.saddr, tcp.dport) == [concat("10.0.0.1", 22)]`.
public func concat(_ fields: any FieldExpression...) -> AnyField { AnyField(.concat(fields.map(\.expression))) }
