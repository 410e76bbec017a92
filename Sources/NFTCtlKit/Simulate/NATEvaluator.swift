import NFTAnalysis

/// dnat, snat, masquerade and redirect rewrite the packet, so later chains see the new
/// addresses and ports.
extension TraceRun {
    /// The rewrite's description; nil when the statement's family does not apply;
    /// absent when a map has no element for the packet (the rule stops there).
    func nat(_ n: NAT, table: TableContents) -> Known<String?> {
        let v = packet.spec.version
        if let f = n.family, (f == "ip" && v == 6) || (f == "ip6" && v == 4) { return .value(nil) }
        var addr: Known<IPAddress?> = .value(nil)
        var port: Known<Int?> = .value(nil)
        if let a = n.addr {
            var target = a
            if case .map(let k, let d) = a {
                let (r, why) = mapLookup(key: k, data: d, table: table)
                switch r {
                case .value(let e?): target = e
                case .value(nil), .absent: return .absent(why)
                case .unknown(let u): return .unknown(u)
                }
            }
            if case .concat(let parts) = target, parts.count == 2 {
                target = parts[0]
                port = portValue(parts[1])
            }
            switch target {
            case .string(let s):
                guard let ip = IPAddress(s) else { return .unknown("cannot read NAT address \(s)") }
                addr = .value(ip)
            case .range, .prefix:
                addr = .unknown("the kernel picks the address from \(target.nftText())")
            default:
                return .unknown("cannot evaluate the NAT address \(target.nftText())")
            }
        }
        if let p = n.port {
            var target = p
            if case .map(let k, let d) = p {
                let (r, why) = mapLookup(key: k, data: d, table: table)
                switch r {
                case .value(let e?): target = e
                case .value(nil), .absent: return .absent(why)
                case .unknown(let u): return .unknown(u)
                }
            }
            port = portValue(target)
        }
        let before = packet.summary
        let dst = n.kind == .dnat || n.kind == .redirect
        switch (dst, addr) {
        case (true, .value(let a?)): packet.daddr = a
        case (false, .value(let a?)): packet.saddr = a
        case (true, .unknown(let why)): packet.daddr = nil; packet.unknownWhy["daddr"] = why
        case (false, .unknown(let why)): packet.saddr = nil; packet.unknownWhy["saddr"] = why
        default: break
        }
        switch n.kind {
        case .redirect:
            if hook == .output {
                packet.daddr = IPAddress(v == 4 ? "127.0.0.1" : "::1")
            } else {
                packet.daddr = nil
                packet.unknownWhy["daddr"] = "redirect sends the packet to the primary address of its input interface"
            }
        case .masquerade:
            packet.saddr = nil
            packet.unknownWhy["saddr"] = "masquerade uses the address of the output interface"
        default: break
        }
        switch port {
        case .value(let p?): if dst { packet.dport = p } else { packet.sport = p }
        case .unknown(let why):
            if dst { packet.dport = nil; packet.unknownWhy["dport"] = why } else { packet.sport = nil; packet.unknownWhy["sport"] = why }
        default: break
        }
        if dst { packet.didDNAT = true } else { packet.didSNAT = true }
        natDone.insert("\(hook.rawValue)/\(dst ? "dst" : "src")")
        return .value("\(n.kind.rawValue): \(before) becomes \(packet.summary)")
    }

    func portValue(_ e: Expression) -> Known<Int?> {
        switch e {
        case .number(let n): return .value(Int(n))
        case .range: return .unknown("the kernel picks the port from \(e.nftText())")
        default:
            if let n = Literal.number(e, kind: .port) { return .value(Int(n)) }
            return .unknown("cannot evaluate the NAT port \(e.nftText())")
        }
    }
}
