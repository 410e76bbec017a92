import NFTAnalysis

/// Statements that send the packet somewhere else or answer it: NAT, tproxy, reject,
/// dup, fwd, queue, synproxy.
extension Phraser {
    func nat(_ n: NAT) -> String {
        let fam = n.family.map { $0 == "ip6" ? " (for IPv6 packets)" : " (for IPv4 packets)" } ?? ""
        let flags = n.flags?.values ?? [], typeFlags = n.typeFlags?.values ?? []
        var to = ""
        if let addr = n.addr {
            if typeFlags.contains("prefix") {
                let prefix: String
                if case .map = addr { prefix = target(addr, "prefix") } else { prefix = "the prefix " + value(addr) }
                to += " to \(prefix), keeping the host part (1:1 network mapping)"
            } else {
                to += " to \(target(addr, "address"))"
            }
        }
        if let port = n.port { to += (n.addr == nil ? " to" : ",") + " port " + target(port, "port") }
        var out: String
        switch n.kind {
        case .snat:
            out = "source NAT\(fam): rewrite the source address\(to); the whole connection is translated and replies are translated back"
        case .dnat:
            out =
                "destination NAT\(fam): rewrite the destination address\(to); the whole connection is translated and replies are translated back"
        case .masquerade:
            out =
                "masquerade: rewrite the source address to the address of the interface the packet leaves through"
                + (n.port.map { ", using source ports \(target($0, "port"))" } ?? "")
                + "; the whole connection is translated, and forgotten when the interface goes down"
        case .redirect:
            out =
                "redirect the packet to this host itself (destination NAT to the address of the interface it came in on; 127.0.0.1 or ::1 for locally generated packets)"
                + (n.port.map { ", port \(target($0, "port"))" } ?? "")
        }
        for f in flags {
            switch f {
            case "random": out += "; ports are chosen by a keyed hash (random)"
            case "fully-random": out += "; ports are chosen fully at random (fully-random)"
            case "persistent": out += "; a client always gets the same address (persistent)"
            case "netmap": out += "; addresses are mapped 1:1 within the prefix (netmap)"
            default: out += gap("nat flag \(f)", "; flag \(f)")
            }
        }
        for f in typeFlags where f != "prefix" { out += gap("nat type flag \(f)", "; type flag \(f)") }
        return out
    }

    /// An address or port that may be a range, a set reference or a map lookup.
    func target(_ e: Expression, _ what: String) -> String {
        switch e {
        case .map(let key, let data): return "the \(what) " + mapName(data, key: key) + " gives for " + subject(key)
        case .range(let a, let b): return "one from \(value(a)) to \(value(b))"
        default: return value(e)
        }
    }

    func tproxy(_ family: String?, _ addr: Expression?, _ port: Expression?) -> String {
        var to: [String] = []
        if let addr { to.append("address " + target(addr, "address")) }
        if let port { to.append("port " + target(port, "port")) }
        let fam = family.map { $0 == "ip6" ? " IPv6" : " IPv4" } ?? ""
        return "transparently proxy the\(fam) packet: deliver it to the local socket listening on " + to.joined(separator: ", ")
            + " without changing its addresses (the socket needs IP_TRANSPARENT; usually paired with a mark and a policy route)"
    }

    func reject(_ type: String?, _ code: Expression?) -> String {
        let c = code.map(value)
        switch type {
        case nil:
            switch family {
            case "ip": return "reject: drop the packet and send back an ICMP port-unreachable error"
            case "ip6": return "reject: drop the packet and send back an ICMPv6 port-unreachable error"
            default:
                return "reject: drop the packet and send back an ICMP or ICMPv6 port-unreachable error (ICMP for IPv4, ICMPv6 for IPv6)"
            }
        case "tcp reset": return "reject: drop the packet and answer with a TCP reset (RST), which closes the connection at once"
        case "icmp": return "reject: drop the packet and send back an ICMP \(c ?? "port-unreachable") error"
        case "icmpv6": return "reject: drop the packet and send back an ICMPv6 \(c ?? "port-unreachable") error"
        case "icmpx":
            return
                "reject: drop the packet and send back an ICMP or ICMPv6 \(c ?? "port-unreachable") error (ICMP for IPv4, ICMPv6 for IPv6)"
        default: return gap("reject type \(type!)", "reject: drop the packet and answer with \(type!) \(c ?? "")")
        }
    }

    func dup(_ addr: Expression?, _ dev: Expression?) -> String {
        if family == "netdev" && dev == nil, let addr {
            return "send a copy of the packet out of device \(target(addr, "device")); the original goes on unchanged"
        }
        var out = "send a copy of the packet"
        if let addr { out += " to \(target(addr, "address"))" }
        if let dev { out += " through device \(target(dev, "device"))" }
        return out + "; the original goes on unchanged"
    }

    func fwd(_ dev: Expression?, _ family: String?, _ addr: Expression?) -> String {
        var out = "forward the packet straight out of device \(dev.map { target($0, "device") } ?? "?")"
        if let addr {
            out += " to the neighbour \(target(addr, "address"))" + (family == "ip6" ? " (IPv6)" : " (IPv4)")
        }
        return out + ", skipping the rest of the network stack; this ends evaluation like a verdict"
    }

    func queue(_ num: Expression?, _ flags: [String]) -> String {
        var out = "hand the packet to a userspace program through NFQUEUE queue " + (num.map { target($0, "queue number") } ?? "0")
        if case .range? = num { out += " (spread over the queues)" }
        out += "; the program decides its verdict"
        for f in flags {
            switch f {
            case "bypass": out += "; if no program listens, the packet is accepted instead of dropped (bypass)"
            case "fanout": out += "; the queue is chosen by the CPU handling the packet (fanout)"
            default: out += gap("queue flag \(f)", "; flag \(f)")
            }
        }
        return out
    }

    func synproxy(_ p: Synproxy?) -> String {
        var out =
            "answer the TCP handshake on the server's behalf with SYN cookies (SYN proxy), and open the real connection only once the client completes it"
        guard let p else { return out }
        var opts: [String] = []
        if let mss = p.mss { opts.append("MSS \(mss)") }
        if let ws = p.wscale { opts.append("window scale \(ws)") }
        for f in p.flags?.values ?? [] {
            switch f {
            case "timestamp": opts.append("timestamps")
            case "sack-perm": opts.append("selective acknowledgements")
            default: opts.append(gap("synproxy flag \(f)", f))
            }
        }
        if !opts.isEmpty { out += "; it announces " + opts.joined(separator: ", ") }
        return out
    }
}
