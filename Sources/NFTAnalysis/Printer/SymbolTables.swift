/// The numbers behind nft's symbolic constants. nft prints both ends of a range with all
/// numeric output flags set (`arp operation 1-2`, `icmpv6 code 3-66`), while the JSON
/// keeps the names, so ranges need the reverse mapping.
enum SymbolTable: Sendable {
    case icmpType, icmpCode, icmpv6Type, icmpv6Code, icmpxCode, arpOperation, etherType, pktType
    case nfproto, ctDirection, dscp, ecn, igmpType, dccpType, mhType, ifType, inetProto

    func value(of name: String) -> UInt64? {
        if self == .inetProto { return ValueFormat.protocolNames.first { $0.value == name }?.key }
        return entries[name]
    }

    private var entries: [String: UInt64] {
        switch self {
        case .icmpType: return NFTSymbols.values(NFTSymbols.icmpTypes)
        case .icmpCode:
            return [
                "net-unreachable": 0, "host-unreachable": 1, "prot-unreachable": 2, "port-unreachable": 3,
                "frag-needed": 4, "net-prohibited": 9, "host-prohibited": 10, "admin-prohibited": 13
            ]
        case .icmpv6Type: return NFTSymbols.values(NFTSymbols.icmpv6Types)
        case .icmpv6Code:
            return [
                "no-route": 0, "admin-prohibited": 1, "addr-unreachable": 3, "port-unreachable": 4,
                "policy-fail": 5, "reject-route": 6
            ]
        case .icmpxCode:
            return ["no-route": 0, "port-unreachable": 1, "host-unreachable": 2, "admin-prohibited": 3]
        case .arpOperation:
            return ["request": 1, "reply": 2, "rrequest": 3, "rreply": 4, "inrequest": 8, "inreply": 9, "nak": 10]
        case .etherType: return NFTSymbols.values(NFTSymbols.etherTypes)
        case .pktType: return NFTSymbols.values(NFTSymbols.packetTypes)
        case .nfproto: return NFTSymbols.values(NFTSymbols.nfprotos)
        case .ctDirection: return NFTSymbols.values(NFTSymbols.ctDirections)
        case .dscp:
            return [
                "cs0": 0, "cs1": 8, "af11": 10, "af12": 12, "af13": 14, "cs2": 16, "af21": 18, "af22": 20,
                "af23": 22, "cs3": 24, "af31": 26, "af32": 28, "af33": 30, "cs4": 32, "af41": 34, "af42": 36,
                "af43": 38, "cs5": 40, "va": 44, "ef": 46, "cs6": 48, "cs7": 56
            ]
        case .ecn: return ["not-ect": 0, "ect1": 1, "ect0": 2, "ce": 3]
        case .igmpType:
            return [
                "membership-query": 0x11, "membership-report-v1": 0x12, "membership-report-v2": 0x16,
                "membership-report-v3": 0x22, "leave-group": 0x17
            ]
        case .dccpType:
            return [
                "request": 0, "response": 1, "data": 2, "ack": 3, "dataack": 4, "closereq": 5, "close": 6,
                "reset": 7, "sync": 8, "syncack": 9
            ]
        case .mhType:
            return [
                "binding-refresh-request": 0, "home-test-init": 1, "careof-test-init": 2, "home-test": 3,
                "careof-test": 4, "binding-update": 5, "binding-acknowledgement": 6, "binding-error": 7,
                "fast-binding-update": 8, "fast-binding-acknowledgement": 9, "fast-binding-advertisement": 10,
                "experimental-mobility-header": 11, "home-agent-switch-message": 12
            ]
        case .ifType:
            return ["ether": 1, "ppp": 512, "ipip": 768, "ipip6": 769, "loopback": 772, "sit": 776, "ipgre": 778]
        case .inetProto: return [:]
        }
    }
}
