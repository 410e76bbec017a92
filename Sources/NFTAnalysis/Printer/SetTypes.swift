/// What a named set's declared type means for printing its elements: the value type of
/// each element, and how nft 1.0.6 wraps the `elements = { ... }` line (`calculate_delim`:
/// five numbers or two addresses per line, one element per line for everything else).
extension ValueType {
    /// The value type of a set key or map data type.
    static func of(_ key: SetKeyType) -> ValueType {
        switch key {
        case .named(let name): return named(name)
        case .concat(let names): return .concat(names.map(named))
        case .typeof(let e): return .of(e)
        }
    }

    static func named(_ name: String) -> ValueType {
        switch name {
        case "mark": return .mark
        case "ifname", "string", "devgroup", "realm", "time", "day", "hour": return .quoted
        // Object maps: the data are object names.
        case "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark":
            return .quoted
        case "iface_index": return .ifindex
        case "ct_state", "ct_status", "ct_event", "tcp_flag": return .flags
        case "inet_proto": return .proto
        case "dscp": return .dscp
        case "ether_type": return .ethertype
        default: return .plain
        }
    }
}

enum ElementWrap {
    /// After how many elements nft breaks the line; nil: after every element.
    static func perLine(_ key: SetKeyType?) -> Int? {
        switch key {
        case .named(let name)?: return perLine(typeName: name)
        case .typeof(let e)?: return typeName(of: e).flatMap(perLine(typeName:))
        default: return nil
        }
    }

    static func perLine(typeName: String) -> Int? {
        switch typeName {
        case "nf_proto", "integer", "arp_op", "inet_proto", "inet_service", "tcp_flag", "dccp_pkttype", "mark",
            "iface_index", "realm", "uid", "gid", "ct_dir":
            return 5
        case "ipv4_addr", "ct_state", "ct_status", "pkt_type": return 2
        default: return nil
        }
    }

    /// The datatype name behind a `typeof` expression, for the common selectors.
    static func typeName(of e: Expression) -> String? {
        switch e {
        case .payload(.field(let proto, let field)):
            switch (proto, field) {
            case (_, "saddr"), (_, "daddr"):
                switch proto {
                case "ip": return "ipv4_addr"
                case "ip6": return "ipv6_addr"
                case "ether": return "ether_addr"
                default: return nil
                }
            case (_, "sport"), (_, "dport"): return "inet_service"
            case ("ip", "protocol"), ("ip6", "nexthdr"): return "inet_proto"
            case ("tcp", "flags"): return "tcp_flag"
            default: return "integer"
            }
        case .meta(let key):
            switch key {
            case "mark": return "mark"
            case "iif", "oif", "sdif": return "iface_index"
            case "l4proto": return "inet_proto"
            case "nfproto": return "nf_proto"
            case "skuid": return "uid"
            case "skgid": return "gid"
            case "pkttype": return "pkt_type"
            case "length", "cpu", "priority", "ibrpvid": return "integer"
            default: return nil
            }
        // Header fields and options nft types as plain integers.
        case .exthdr, .ipOption, .tcpOption, .sctpChunk, .payload(.raw), .numgen: return "integer"
        case .ct(let key, _, _):
            switch key {
            case "mark": return "mark"
            case "state": return "ct_state"
            case "status": return "ct_status"
            case "direction": return "ct_dir"
            case "zone", "bytes", "packets": return "integer"
            default: return nil
            }
        default: return nil
        }
    }
}
