import NFTAnalysis
import NFTables

/// The DSL's named values per kind (`.established`, `.echoRequest`), keyed by the model
/// expression each stands for (taken from the DSL itself). Generated from DSLSymbols.swift.
enum SymbolNames {
    static func names(_ pairs: [(String, Expression)]) -> [Expression: String] {
        var d: [Expression: String] = [:]
        for (n, e) in pairs where d[e] == nil { d[e] = n }
        return d
    }

    static let byKind: [DSLValueKind: [Expression: String]] = [
        .ctState: names([
            ("invalid", CTState.invalid.expression),
            ("established", CTState.established.expression),
            ("related", CTState.related.expression),
            ("new", CTState.`new`.expression),
            ("untracked", CTState.untracked.expression),
        ]),
        .ctStatus: names([
            ("expected", CTStatus.expected.expression),
            ("seenReply", CTStatus.seenReply.expression),
            ("assured", CTStatus.assured.expression),
            ("confirmed", CTStatus.confirmed.expression),
            ("snat", CTStatus.snat.expression),
            ("dnat", CTStatus.dnat.expression),
            ("dying", CTStatus.dying.expression),
        ]),
        .ctDirection: names([
            ("original", CTDirection.original.expression),
            ("reply", CTDirection.reply.expression),
        ]),
        .tcpFlag: names([
            ("fin", TCPFlag.fin.expression),
            ("syn", TCPFlag.syn.expression),
            ("rst", TCPFlag.rst.expression),
            ("psh", TCPFlag.psh.expression),
            ("ack", TCPFlag.ack.expression),
            ("urg", TCPFlag.urg.expression),
            ("ecn", TCPFlag.ecn.expression),
            ("cwr", TCPFlag.cwr.expression),
        ]),
        .icmpType: names([
            ("echoReply", ICMPType.echoReply.expression),
            ("destinationUnreachable", ICMPType.destinationUnreachable.expression),
            ("sourceQuench", ICMPType.sourceQuench.expression),
            ("redirect", ICMPType.redirect.expression),
            ("echoRequest", ICMPType.echoRequest.expression),
            ("routerAdvertisement", ICMPType.routerAdvertisement.expression),
            ("routerSolicitation", ICMPType.routerSolicitation.expression),
            ("timeExceeded", ICMPType.timeExceeded.expression),
            ("parameterProblem", ICMPType.parameterProblem.expression),
            ("timestampRequest", ICMPType.timestampRequest.expression),
            ("timestampReply", ICMPType.timestampReply.expression),
            ("infoRequest", ICMPType.infoRequest.expression),
            ("infoReply", ICMPType.infoReply.expression),
            ("addressMaskRequest", ICMPType.addressMaskRequest.expression),
            ("addressMaskReply", ICMPType.addressMaskReply.expression),
        ]),
        .icmpv6Type: names([
            ("destinationUnreachable", ICMPv6Type.destinationUnreachable.expression),
            ("packetTooBig", ICMPv6Type.packetTooBig.expression),
            ("timeExceeded", ICMPv6Type.timeExceeded.expression),
            ("parameterProblem", ICMPv6Type.parameterProblem.expression),
            ("echoRequest", ICMPv6Type.echoRequest.expression),
            ("echoReply", ICMPv6Type.echoReply.expression),
            ("mldListenerQuery", ICMPv6Type.mldListenerQuery.expression),
            ("mldListenerReport", ICMPv6Type.mldListenerReport.expression),
            ("mldListenerDone", ICMPv6Type.mldListenerDone.expression),
            ("ndRouterSolicit", ICMPv6Type.ndRouterSolicit.expression),
            ("ndRouterAdvert", ICMPv6Type.ndRouterAdvert.expression),
            ("ndNeighborSolicit", ICMPv6Type.ndNeighborSolicit.expression),
            ("ndNeighborAdvert", ICMPv6Type.ndNeighborAdvert.expression),
            ("ndRedirect", ICMPv6Type.ndRedirect.expression),
            ("routerRenumbering", ICMPv6Type.routerRenumbering.expression),
            ("indNeighborSolicit", ICMPv6Type.indNeighborSolicit.expression),
            ("indNeighborAdvert", ICMPv6Type.indNeighborAdvert.expression),
            ("mld2ListenerReport", ICMPv6Type.mld2ListenerReport.expression),
        ]),
        .l4proto: names([
            ("tcp", L4Proto.tcp.expression),
            ("udp", L4Proto.udp.expression),
            ("udplite", L4Proto.udplite.expression),
            ("icmp", L4Proto.icmp.expression),
            ("ipv6Icmp", L4Proto.ipv6Icmp.expression),
            ("sctp", L4Proto.sctp.expression),
            ("dccp", L4Proto.dccp.expression),
            ("gre", L4Proto.gre.expression),
            ("esp", L4Proto.esp.expression),
            ("ah", L4Proto.ah.expression),
            ("comp", L4Proto.comp.expression),
            ("igmp", L4Proto.igmp.expression),
        ]),
        .packetType: names([
            ("host", PacketType.host.expression),
            ("broadcast", PacketType.broadcast.expression),
            ("multicast", PacketType.multicast.expression),
            ("other", PacketType.other.expression),
        ]),
        .addressType: names([
            ("unspec", AddressType.unspec.expression),
            ("unicast", AddressType.unicast.expression),
            ("local", AddressType.local.expression),
            ("broadcast", AddressType.broadcast.expression),
            ("anycast", AddressType.anycast.expression),
            ("multicast", AddressType.multicast.expression),
            ("blackhole", AddressType.blackhole.expression),
            ("unreachable", AddressType.unreachable.expression),
            ("prohibit", AddressType.prohibit.expression),
        ]),
        .nfproto: names([
            ("ipv4", NFProto.ipv4.expression),
            ("ipv6", NFProto.ipv6.expression),
        ]),
        .etherType: names([
            ("ip", EtherType.ip.expression),
            ("ip6", EtherType.ip6.expression),
            ("arp", EtherType.arp.expression),
            ("vlan", EtherType.vlan.expression),
            ("_8021ad", EtherType._8021ad.expression),
        ]),
    ]
}
