import NFTAnalysis

/// Reads the value of a rule's left-hand expression from the packet, where the packet is
/// (hook, chain priority).
struct FieldEvaluator {
    var packet: SimPacket
    var hook: Hook
    var chainPriority: Int64
    /// Documented assumptions made while reading, appended by the caller.
    var assumptions: [String] = []

    mutating func fields(_ e: Expression) -> Known<[Field]> {
        if let why = packet.clobbered[e.nftText()] { return .unknown(why) }
        switch e {
        case .concat(let parts):
            var out: [Field] = []
            for p in parts {
                switch fields(p) {
                case .value(let f): out += f
                case .absent(let r): return .absent(r)
                case .unknown(let r): return .unknown(r)
                }
            }
            return .value(out)
        case .binop(let op, let args) where args.count == 2:
            guard case .value(let fs) = fields(args[0]), fs.count == 1, fs[0].kind != .ifname else {
                return fields(args[0]).map { $0 }
            }
            guard let rhs = Literal.number(args[1], kind: fs[0].kind) else {
                return .unknown("cannot read \(args[1].nftText()) as an operand of \(op.rawValue)")
            }
            var f = fs[0]
            switch op {
            case .and: f.number &= rhs
            case .or: f.number |= rhs
            case .xor: f.number ^= rhs
            case .lshift: f.number <<= rhs
            case .rshift: f.number >>= rhs
            }
            return .value([f])
        default:
            return single(e).map { [$0] }
        }
    }

    mutating func single(_ e: Expression) -> Known<Field> {
        switch e {
        case .payload(.field(let proto, let field)): return payload(proto, field)
        case .meta(let key): return meta(key)
        case .ct(let key, _, let dir): return ct(key, dir: dir)
        case .payload(.raw(let base, let offset, let len)):
            if base == "th", len == 16, offset == 0 || offset == 16, transportHasPorts {
                return payload("th", offset == 0 ? "sport" : "dport")
            }
            return .unknown("raw payload @\(base),\(offset),\(len) is not in the packet description")
        case .fib: return .unknown("a fib lookup needs this host's routing table")
        case .rt: return .unknown("routing data (rt \(e.nftText())) needs this host's routing table")
        case .socket: return .unknown("a socket lookup needs the host's sockets")
        case .osf: return .unknown("OS fingerprinting needs the SYN packet's options")
        case .ipsec: return .unknown("IPsec state is not in the packet description")
        case .numgen, .jhash, .symhash: return .unknown("\(e.nftText()) is a hash or counter that the description cannot fix")
        case .exthdr, .tcpOption, .ipOption, .sctpChunk, .dccpOption:
            return .unknown("\(e.nftText()): header options are not in the packet description")
        default: return .unknown("\(e.nftText()) cannot be read from a packet description")
        }
    }

    var transportHasPorts: Bool { [.tcp, .udp, .sctp].contains(packet.spec.proto) }

    mutating func payload(_ proto: String, _ field: String) -> Known<Field> {
        let spec = packet.spec
        func addr(_ a: IPAddress?, _ key: String) -> Known<Field> {
            guard let a else { return .unknown(packet.unknownWhy[key] ?? "\(key) is unknown") }
            return .value(Field(a.version == 4 ? .ipv4 : .ipv6, a.value))
        }
        func port(_ p: Int?, _ key: String) -> Known<Field> {
            guard let p else { return .unknown(packet.unknownWhy[key] ?? "\(key) is unknown") }
            return .value(Field(.port, UInt128(p)))
        }
        switch proto {
        case "ip", "ip6":
            let v = proto == "ip" ? 4 : 6
            guard spec.version == v else { return .absent("the packet is IPv\(spec.version), not IPv\(v)") }
            switch field {
            case "saddr": return addr(packet.saddr, "saddr")
            case "daddr": return addr(packet.daddr, "daddr")
            case "protocol", "nexthdr": return .value(Field(.proto, spec.l4))
            case "version": return .value(Field(.integer, UInt128(v)))
            default: return .unknown("\(proto) \(field) is not in the packet description")
            }
        case "tcp", "udp", "sctp", "udplite", "dccp", "th":
            if proto == "th" {
                guard transportHasPorts else {
                    return .unknown("th \(field) of a \(spec.proto.rawValue) packet reads ICMP bytes, not ports")
                }
            } else if proto != spec.proto.rawValue {
                return .absent("the packet is \(spec.proto.rawValue), not \(proto)")
            }
            switch field {
            case "sport": return port(packet.sport, "sport")
            case "dport": return port(packet.dport, "dport")
            case "flags" where proto == "tcp":
                guard let f = spec.tcpFlags else { return .unknown("tcp flags are not in the description (add `flags syn`)") }
                return .value(Field(.tcpFlags, UInt128(f)))
            default: return .unknown("\(proto) \(field) is not in the packet description")
            }
        case "icmp", "icmpv6":
            let want: PacketSpec.Proto = proto == "icmp" ? .icmp : .icmpv6
            guard spec.proto == want else { return .absent("the packet is \(spec.proto.rawValue), not \(proto)") }
            switch field {
            case "type": return .value(Field(proto == "icmp" ? .icmpType : .icmpv6Type, UInt128(spec.icmpType ?? 0)))
            case "code": return .value(Field(.integer, UInt128(spec.icmpCode ?? 0)))
            default: return .unknown("\(proto) \(field) is not in the packet description")
            }
        default:
            return .unknown("\(proto) \(field) is not in the packet description")
        }
    }

    mutating func meta(_ key: String) -> Known<Field> {
        let spec = packet.spec
        switch key {
        case "l4proto": return .value(Field(.proto, spec.l4))
        case "nfproto": return .value(Field(.nfproto, spec.version == 4 ? 2 : 10))
        case "protocol": return .value(Field(.etherType, spec.version == 4 ? 0x0800 : 0x86dd))
        case "mark": return .value(Field(.integer, packet.mark))
        case "iifname", "iif":
            if hook == .output || spec.hook == .output {
                return .value(Field(name: ""))
            }
            if let i = spec.iif { return .value(Field(name: i)) }
            return .unknown("iif: the description gives no input interface (add `iif NAME`)")
        case "oifname", "oif":
            if hook == .prerouting || hook == .input { return .value(Field(name: "")) }
            if let o = spec.oif { return .value(Field(name: o)) }
            return .unknown("oif: the description gives no output interface (add `oif NAME`)")
        default:
            return .unknown("meta \(key) is not in the packet description")
        }
    }

    /// Conntrack runs at priority -200 on prerouting and output: before it there is no
    /// conntrack entry, and the kernel reads `ct state` as invalid.
    var beforeConntrack: Bool { (hook == .prerouting || hook == .output) && chainPriority < -200 }

    mutating func ct(_ key: String, dir: String?) -> Known<Field> {
        if beforeConntrack && key == "state" { return .value(Field(.ctState, Symbols.ctStates["invalid"]!)) }
        if beforeConntrack { return .absent("there is no conntrack entry before priority -200") }
        let state = packet.state
        switch key {
        case "state":
            guard let s = state else {
                return .unknown("ct state: the description gives no state (add `state new|established|related|invalid`)")
            }
            return .value(Field(.ctState, Symbols.ctStates[s.rawValue]!))
        case "status":
            guard state == .new else {
                return .unknown("ct status of a \(state?.rawValue ?? "stateless") packet depends on the connection's history")
            }
            var bits: UInt128 = 0
            if packet.didDNAT { bits |= Symbols.ctStatus["dnat"]! }
            if packet.didSNAT { bits |= Symbols.ctStatus["snat"]! }
            return .value(Field(.ctStatus, bits))
        case "direction":
            guard state == .new else {
                return .unknown("ct direction of a \(state?.rawValue ?? "stateless") packet is not in the description")
            }
            return .value(Field(.ctDirection, 0))
        case "mark":
            guard let m = packet.ctMark else { return .unknown("ct mark: the description gives none (add `ctmark N`)") }
            return .value(Field(.integer, m))
        default:
            return .unknown("ct \(key) is not in the packet description")
        }
    }
}
