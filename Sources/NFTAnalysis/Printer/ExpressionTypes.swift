/// The value type of an expression: how the values matched against it, assigned to it or
/// looked up with it print. Only what differs from plain decimal/symbolic is listed.
extension ValueType {
    static func of(_ e: Expression) -> ValueType {
        switch e {
        case .payload(.field(let proto, let field)): return payloadField(proto, field)
        case .payload(.raw): return .hex
        case .exthdr(let name, let field?, _):
            if field == "nexthdr" { return .proto }
            return name == "mh" && field == "type" ? .symbolic(.mhType) : .plain
        case .meta(let key): return meta(key)
        case .ct(let key, _, _): return ct(key)
        case .rt(let key, _): return key == "classid" ? .quoted : .plain
        case .socket(let key, _):
            switch key {
            case "mark": return .mark
            case "cgroupv2": return .quoted
            default: return .plain
            }
        case .osf: return .quoted
        case .fib(let result, _):
            switch result {
            case "oif": return .ifindex
            case "oifname": return .quoted
            default: return .plain
            }
        case .concat(let parts): return .concat(parts.map(of))
        case .binop(_, let operands): return operands.first.map(of) ?? .plain
        default: return .plain
        }
    }

    static func payloadField(_ proto: String, _ field: String) -> ValueType {
        switch (proto, field) {
        case ("tcp", "flags"): return .flags
        case ("ip", "dscp"), ("ip6", "dscp"): return .dscp
        case ("ip", "ecn"), ("ip6", "ecn"): return .symbolic(.ecn)
        case ("icmp", "type"): return .symbolic(.icmpType)
        case ("icmp", "code"): return .symbolic(.icmpCode)
        case ("icmpv6", "type"): return .symbolic(.icmpv6Type)
        case ("icmpv6", "code"): return .symbolic(.icmpv6Code)
        case ("arp", "operation"): return .symbolic(.arpOperation)
        case ("igmp", "type"): return .symbolic(.igmpType)
        case ("dccp", "type"): return .symbolic(.dccpType)
        case ("ether", "type"), ("vlan", "type"), ("arp", "ptype"): return .ethertype
        case ("ip", "protocol"), ("ip6", "nexthdr"), ("ah", "nexthdr"), ("comp", "nexthdr"): return .proto
        case ("comp", "flags"): return .hex
        default: return .plain
        }
    }

    static func meta(_ key: String) -> ValueType {
        switch key {
        case "mark": return .mark
        case "iif", "oif", "sdif": return .ifindex
        case "iifname", "oifname", "sdifname", "ibrname", "obrname", "ibriport", "obriport", "bri_iifname",
            "bri_oifname", "iifkind", "oifkind", "iifgroup", "oifgroup", "rtclassid", "time", "day", "hour":
            return .quoted
        case "l4proto": return .proto
        case "protocol": return .ethertype
        case "pkttype": return .symbolic(.pktType)
        case "nfproto": return .symbolic(.nfproto)
        case "iiftype", "oiftype": return .symbolic(.ifType)
        default: return .plain
        }
    }

    static func ct(_ key: String) -> ValueType {
        switch key {
        case "state", "status", "event": return .flags
        case "label": return ValueType(bitmask: true)
        case "mark": return .mark
        case "expiration": return .time
        case "helper": return .quoted
        case "protocol": return .proto
        case "direction": return .symbolic(.ctDirection)
        case "l3proto": return .symbolic(.nfproto)
        default: return .plain
        }
    }
}
