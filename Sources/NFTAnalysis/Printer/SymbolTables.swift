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
        case .icmpType:
            return ["echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5,
                    "echo-request": 8, "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11,
                    "parameter-problem": 12, "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15,
                    "info-reply": 16, "address-mask-request": 17, "address-mask-reply": 18]
        case .icmpCode:
            return ["net-unreachable": 0, "host-unreachable": 1, "prot-unreachable": 2, "port-unreachable": 3,
                    "frag-needed": 4, "net-prohibited": 9, "host-prohibited": 10, "admin-prohibited": 13]
        case .icmpv6Type:
            return ["destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
                    "echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
                    "mld-listener-done": 132, "mld-listener-reduction": 132, "nd-router-solicit": 133,
                    "nd-router-advert": 134, "nd-neighbor-solicit": 135, "nd-neighbor-advert": 136,
                    "nd-redirect": 137, "router-renumbering": 138, "ind-neighbor-solicit": 141,
                    "ind-neighbor-advert": 142, "mld2-listener-report": 143]
        case .icmpv6Code:
            return ["no-route": 0, "admin-prohibited": 1, "addr-unreachable": 3, "port-unreachable": 4,
                    "policy-fail": 5, "reject-route": 6]
        case .icmpxCode:
            return ["no-route": 0, "port-unreachable": 1, "host-unreachable": 2, "admin-prohibited": 3]
        case .arpOperation:
            return ["request": 1, "reply": 2, "rrequest": 3, "rreply": 4, "inrequest": 8, "inreply": 9, "nak": 10]
        case .etherType:
            return ["ip": 0x0800, "arp": 0x0806, "ip6": 0x86dd, "8021q": 0x8100, "8021ad": 0x88a8, "vlan": 0x8100]
        case .pktType: return ["host": 0, "unicast": 0, "broadcast": 1, "multicast": 2, "other": 3]
        case .nfproto: return ["ipv4": 2, "ipv6": 10]
        case .ctDirection: return ["original": 0, "reply": 1]
        case .dscp:
            return ["cs0": 0, "cs1": 8, "af11": 10, "af12": 12, "af13": 14, "cs2": 16, "af21": 18, "af22": 20,
                    "af23": 22, "cs3": 24, "af31": 26, "af32": 28, "af33": 30, "cs4": 32, "af41": 34, "af42": 36,
                    "af43": 38, "cs5": 40, "va": 44, "ef": 46, "cs6": 48, "cs7": 56]
        case .ecn: return ["not-ect": 0, "ect1": 1, "ect0": 2, "ce": 3]
        case .igmpType:
            return ["membership-query": 0x11, "membership-report-v1": 0x12, "membership-report-v2": 0x16,
                    "membership-report-v3": 0x22, "leave-group": 0x17]
        case .dccpType:
            return ["request": 0, "response": 1, "data": 2, "ack": 3, "dataack": 4, "closereq": 5, "close": 6,
                    "reset": 7, "sync": 8, "syncack": 9]
        case .mhType:
            return ["binding-refresh-request": 0, "home-test-init": 1, "careof-test-init": 2, "home-test": 3,
                    "careof-test": 4, "binding-update": 5, "binding-acknowledgement": 6, "binding-error": 7,
                    "fast-binding-update": 8, "fast-binding-acknowledgement": 9, "fast-binding-advertisement": 10,
                    "experimental-mobility-header": 11, "home-agent-switch-message": 12]
        case .ifType:
            return ["ether": 1, "ppp": 512, "ipip": 768, "ipip6": 769, "loopback": 772, "sit": 776, "ipgre": 778]
        case .inetProto: return [:]
        }
    }
}
