import NFTAnalysis
import NFTables

/// The type of value a typed DSL field compares with (its right-hand side type).
enum DSLValueKind: Sendable {
    case addr, number, name, any, ctState, ctStatus, ctDirection, tcpFlag, icmpType, icmpv6Type, l4proto,
        packetType, addressType, nfproto, etherType

    /// The DSL type name of values of this kind.
    var typeName: String {
        switch self {
        case .addr: return "Addr"
        case .number: return "Number"
        case .name: return "Name"
        case .any: return "Value"
        case .ctState: return "CTState"
        case .ctStatus: return "CTStatus"
        case .ctDirection: return "CTDirection"
        case .tcpFlag: return "TCPFlag"
        case .icmpType: return "ICMPType"
        case .icmpv6Type: return "ICMPv6Type"
        case .l4proto: return "L4Proto"
        case .packetType: return "PacketType"
        case .addressType: return "AddressType"
        case .nfproto: return "NFProto"
        case .etherType: return "EtherType"
        }
    }

    /// Fields of this kind have `<`, `>`, `<=`, `>=`.
    var ordered: Bool { [.addr, .number, .any, .icmpType, .icmpv6Type, .l4proto].contains(self) }
    /// Fields of this kind have `&`, `|`, `^` (with a value of the kind).
    var bitwise: Bool { [.number, .any, .ctState, .ctStatus, .tcpFlag].contains(self) }
    /// Fields of this kind have `<<`, `>>`.
    var shifts: Bool { self == .number || self == .any }
    /// Fields of this kind have `.has(...)` / `.hasNone(...)`.
    var bitTests: Bool { [.ctState, .ctStatus, .tcpFlag].contains(self) }
    /// Fields of this kind have `== 1...3` (a ClosedRange<Int>).
    var intRanges: Bool { self == .number || self == .any }
}

/// A DSL field spelling (`ip.saddr`) with the model expression it stands for and its kind.
struct FieldSpelling: Sendable {
    let text: String
    let expression: Expression
    let kind: DSLValueKind

    init(_ text: String, _ f: AddrField) { self.text = text; expression = f.expression; kind = .addr }
    init(_ text: String, _ f: NumberField) { self.text = text; expression = f.expression; kind = .number }
    init(_ text: String, _ f: NameField) { self.text = text; expression = f.expression; kind = .name }
    init(_ text: String, _ f: AnyField) { self.text = text; expression = f.expression; kind = .any }
    init(_ text: String, _ f: CTStateField) { self.text = text; expression = f.expression; kind = .ctState }
    init(_ text: String, _ f: CTStatusField) { self.text = text; expression = f.expression; kind = .ctStatus }
    init(_ text: String, _ f: CTDirectionField) { self.text = text; expression = f.expression; kind = .ctDirection }
    init(_ text: String, _ f: TCPFlagField) { self.text = text; expression = f.expression; kind = .tcpFlag }
    init(_ text: String, _ f: ICMPTypeField) { self.text = text; expression = f.expression; kind = .icmpType }
    init(_ text: String, _ f: ICMPv6TypeField) { self.text = text; expression = f.expression; kind = .icmpv6Type }
    init(_ text: String, _ f: L4ProtoField) { self.text = text; expression = f.expression; kind = .l4proto }
    init(_ text: String, _ f: PacketTypeField) { self.text = text; expression = f.expression; kind = .packetType }
    init(_ text: String, _ f: AddressTypeField) { self.text = text; expression = f.expression; kind = .addressType }
    init(_ text: String, _ f: NFProtoField) { self.text = text; expression = f.expression; kind = .nfproto }
    init(_ text: String, _ f: EtherTypeField) { self.text = text; expression = f.expression; kind = .etherType }
    init(text: String, expression: Expression, kind: DSLValueKind) { self.text = text; self.expression = expression; self.kind = kind }

    /// Every named field of the DSL, built from the DSL's own accessors so that the
    /// expression each spelling stands for is the one the DSL really produces.
    static let table: [Expression: FieldSpelling] = {
        var all: [FieldSpelling] = [
            .init("ip.version", ip.version), .init("ip.hdrlength", ip.hdrlength), .init("ip.dscp", ip.dscp),
            .init("ip.ecn", ip.ecn), .init("ip.length", ip.length), .init("ip.id", ip.id), .init("ip.fragOff", ip.fragOff),
            .init("ip.ttl", ip.ttl), .init("ip.protocol", ip.protocol), .init("ip.checksum", ip.checksum),
            .init("ip.saddr", ip.saddr), .init("ip.daddr", ip.daddr),
            .init("ip6.version", ip6.version), .init("ip6.dscp", ip6.dscp), .init("ip6.ecn", ip6.ecn),
            .init("ip6.flowlabel", ip6.flowlabel), .init("ip6.length", ip6.length), .init("ip6.nexthdr", ip6.nexthdr),
            .init("ip6.hoplimit", ip6.hoplimit), .init("ip6.saddr", ip6.saddr), .init("ip6.daddr", ip6.daddr),
            .init("tcp.sport", tcp.sport), .init("tcp.dport", tcp.dport), .init("tcp.sequence", tcp.sequence),
            .init("tcp.ackseq", tcp.ackseq), .init("tcp.doff", tcp.doff), .init("tcp.reserved", tcp.reserved),
            .init("tcp.flags", tcp.flags), .init("tcp.window", tcp.window), .init("tcp.checksum", tcp.checksum),
            .init("tcp.urgptr", tcp.urgptr),
            .init("icmp.type", icmp.type), .init("icmp.code", icmp.code), .init("icmp.checksum", icmp.checksum),
            .init("icmp.id", icmp.id), .init("icmp.sequence", icmp.sequence), .init("icmp.gateway", icmp.gateway),
            .init("icmp.mtu", icmp.mtu),
            .init("icmpv6.type", icmpv6.type), .init("icmpv6.code", icmpv6.code), .init("icmpv6.checksum", icmpv6.checksum),
            .init("icmpv6.parameter", icmpv6.parameter), .init("icmpv6.mtu", icmpv6.mtu), .init("icmpv6.id", icmpv6.id),
            .init("icmpv6.sequence", icmpv6.sequence), .init("icmpv6.maxDelay", icmpv6.maxDelay),
            .init("ether.saddr", ether.saddr), .init("ether.daddr", ether.daddr), .init("ether.type", ether.type),
            .init("vlan.id", vlan.id), .init("vlan.dei", vlan.dei), .init("vlan.pcp", vlan.pcp), .init("vlan.type", vlan.type),
            .init("arp.htype", arp.htype), .init("arp.ptype", arp.ptype), .init("arp.hlen", arp.hlen), .init("arp.plen", arp.plen),
            .init("arp.operation", arp.operation), .init("arp.saddrIP", arp.saddrIP), .init("arp.daddrIP", arp.daddrIP),
            .init("arp.saddrEther", arp.saddrEther), .init("arp.daddrEther", arp.daddrEther),
            .init("meta.length", meta.length), .init("meta.protocol", meta.protocol), .init("meta.nfproto", meta.nfproto),
            .init("meta.l4proto", meta.l4proto), .init("meta.mark", meta.mark), .init("meta.priority", meta.priority),
            .init("meta.iif", meta.iif), .init("meta.iifname", meta.iifname), .init("meta.iiftype", meta.iiftype),
            .init("meta.oif", meta.oif), .init("meta.oifname", meta.oifname), .init("meta.oiftype", meta.oiftype),
            .init("meta.iifgroup", meta.iifgroup), .init("meta.oifgroup", meta.oifgroup), .init("meta.ibrname", meta.ibrname),
            .init("meta.obrname", meta.obrname), .init("meta.skuid", meta.skuid), .init("meta.skgid", meta.skgid),
            .init("meta.nftrace", meta.nftrace), .init("meta.rtclassid", meta.rtclassid), .init("meta.pkttype", meta.pkttype),
            .init("meta.cpu", meta.cpu), .init("meta.cgroup", meta.cgroup), .init("meta.random", meta.random),
            .init("meta.secpath", meta.secpath), .init("meta.time", meta.time), .init("meta.day", meta.day),
            .init("meta.hour", meta.hour), .init("meta.secmark", meta.secmark),
            .init("rt.classid", rt.classid), .init("rt.nexthop", rt.nexthop), .init("rt.mtu", rt.mtu), .init("rt.ipsec", rt.ipsec),
            .init("socket.transparent", socket.transparent), .init("socket.mark", socket.mark),
            .init("socket.wildcard", socket.wildcard),
            .init("osf.name", osf.name), .init("osf.version", osf.version),
            .init("exthdr.hbh", exthdr.hbh), .init("exthdr.rt", exthdr.rt), .init("exthdr.frag", exthdr.frag),
            .init("exthdr.dst", exthdr.dst), .init("exthdr.mh", exthdr.mh)
        ]
        for (name, h) in [("udp", udp), ("udplite", udplite), ("th", th)] {
            all += [
                .init("\(name).sport", h.sport), .init("\(name).dport", h.dport), .init("\(name).length", h.length),
                .init("\(name).checksum", h.checksum)
            ]
        }
        for (name, h) in [("sctp", sctp), ("dccp", dccp), ("ah", ah), ("esp", esp), ("comp", comp), ("igmp", igmp)] {
            all += [
                .init("\(name).sport", h.sport), .init("\(name).dport", h.dport), .init("\(name).type", h.type),
                .init("\(name).spi", h.spi), .init("\(name).sequence", h.sequence), .init("\(name).nexthdr", h.nexthdr),
                .init("\(name).vtag", h.vtag), .init("\(name).checksum", h.checksum)
            ]
        }
        for (prefix, keys) in [("ct", ct), ("ct.original", ct.original), ("ct.reply", ct.reply)] {
            all += [
                .init("\(prefix).state", keys.state), .init("\(prefix).direction", keys.direction),
                .init("\(prefix).status", keys.status), .init("\(prefix).mark", keys.mark),
                .init("\(prefix).expiration", keys.expiration), .init("\(prefix).label", keys.label),
                .init("\(prefix).zone", keys.zone), .init("\(prefix).id", keys.id), .init("\(prefix).secmark", keys.secmark),
                .init("\(prefix).l3proto", keys.l3proto), .init("\(prefix).protocol", keys.protocol),
                .init("\(prefix).bytes", keys.bytes), .init("\(prefix).packets", keys.packets),
                .init("\(prefix).avgpkt", keys.avgpkt), .init("\(prefix).saddr", keys.saddr),
                .init("\(prefix).daddr", keys.daddr), .init("\(prefix).protoSrc", keys.protoSrc),
                .init("\(prefix).protoDst", keys.protoDst)
            ]
            for fam in [Family.ip, .ip6] {
                all += [
                    .init("\(prefix).saddr(.\(fam.rawValue))", keys.saddr(fam)),
                    .init("\(prefix).daddr(.\(fam.rawValue))", keys.daddr(fam))
                ]
            }
        }
        var d: [Expression: FieldSpelling] = [:]
        for f in all where d[f.expression] == nil { d[f.expression] = f }
        return d
    }()
}
