import NFTAnalysis

/// Packet metadata (meta), routing (rt), sockets, OS fingerprints, IPsec and FIB lookups:
/// what the kernel knows about a packet beyond its bytes.
extension Phraser {
    static let metaKeys: [String: String] = [
        "length": "the packet length in bytes",
        "protocol": "the packet's EtherType (meta protocol: ip, ip6, arp, ...)",
        "nfproto": "the packet's netfilter family (ipv4 or ipv6; tells them apart in an inet table)",
        "l4proto": "the layer-4 protocol (found after any IPv6 extension headers)",
        "priority": "the packet's traffic-control priority (skb priority, a major:minor class)",
        "mark": "the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire)",
        "iif": "the input interface (matched by index, which is fixed when the rule is loaded)",
        "iifname": "the input interface name",
        "iiftype": "the input interface's hardware type",
        "oif": "the output interface (matched by index, which is fixed when the rule is loaded)",
        "oifname": "the output interface name",
        "oiftype": "the output interface's hardware type",
        "skuid": "the user ID that owns the packet's local socket",
        "skgid": "the group ID that owns the packet's local socket",
        "nftrace": "the packet's trace flag (when set, `nft monitor trace` shows its path)",
        "rtclassid": "the routing realm (classid) of the packet's route",
        "ibrname": "the name of the bridge the packet came in through",
        "obrname": "the name of the bridge the packet goes out through",
        "ibriport": "the name of the bridge the packet came in through",
        "obriport": "the name of the bridge the packet goes out through",
        "ibrpvid": "the port VLAN ID (PVID) of the bridge port the packet came in on",
        "ibrvproto": "the VLAN protocol of the bridge the packet came in through",
        "ibrhwaddr": "the MAC address of the bridge the packet came in through",
        "pkttype": "the packet type (host = unicast to this host, broadcast, multicast or other = unicast to another host)",
        "cpu": "the number of the CPU handling the packet",
        "iifgroup": "the input interface's group",
        "oifgroup": "the output interface's group",
        "cgroup": "the net_cls cgroup class ID of the packet's socket",
        "random": "a random 32-bit number drawn for each packet",
        "secpath": "whether the packet was decrypted by IPsec (has a security path)",
        "ipsec": "whether the packet was decrypted by IPsec (has a security path)",
        "iifkind": "the input interface's kind (for example vrf, bridge, veth)",
        "oifkind": "the output interface's kind (for example vrf, bridge, veth)",
        "time": "the time the packet is seen (a date and time)",
        "day": "the day of the week the packet is seen",
        "hour": "the time of day the packet is seen (local time, hour:minute[:second])",
        "secmark": "the packet's SELinux security mark (secmark)",
        "sdif": "the slave device input interface (the real interface of a packet received through a VRF)",
        "sdifname": "the name of the slave device input interface (the real interface of a packet received through a VRF)",
        "broute": "the bridge-routing flag (when set, a bridged frame is handed to the IP stack to be routed instead)"
    ]

    func meta(_ key: String) -> String {
        Self.metaKeys[key] ?? gap("meta key \(key)", "the packet's meta information \(key)")
    }

    func rt(_ key: String, _ family: String?) -> String {
        let fam = family.map { $0 == "ip6" ? " (IPv6)" : " (IPv4)" } ?? ""
        switch key {
        case "classid": return "the routing realm (classid) of the packet's route"
        case "nexthop": return "the next hop\(fam) of the packet's route (the gateway, or the destination itself when directly connected)"
        case "mtu": return "the MTU of the packet's route"
        case "mss": return "the TCP maximum segment size the packet's route allows (its MTU minus IP and TCP headers)"
        case "ipsec": return "whether the packet's route goes through IPsec (an xfrm transformation)"
        default: return gap("rt key \(key)", "the routing information \(key)")
        }
    }

    func socket(_ key: String, _ level: Int?) -> String {
        switch key {
        case "transparent": return "whether a local socket with IP_TRANSPARENT set matches the packet"
        case "mark": return "the mark (SO_MARK) of the local socket the packet belongs to"
        case "wildcard": return "whether the local socket the packet belongs to is bound to the wildcard address (0.0.0.0 or ::)"
        case "cgroupv2": return "the cgroup v2 of the packet's local socket, at ancestor level \(level ?? 0)"
        default: return gap("socket key \(key)", "the socket property \(key)")
        }
    }

    func osf(_ key: String, _ ttl: String?) -> String {
        let what: String
        switch key {
        case "name": what = "the operating system the sender appears to run (passive fingerprint of its TCP SYN)"
        case "version": what = "the operating system and version the sender appears to run (passive fingerprint of its TCP SYN)"
        default: what = gap("osf key \(key)", "the OS fingerprint property \(key)")
        }
        switch ttl {
        case nil: return what
        case "loose": return what.dropLast() + "; a TTL lower than the fingerprint's is accepted)"
        case "skip": return what.dropLast() + "; the TTL is not compared)"
        default: return what + gap("osf ttl \(ttl!)", " (TTL check \(ttl!))")
        }
    }

    func ipsec(_ key: String, _ dir: String?, _ spnum: Int?, _ family: String?) -> String {
        let f: String
        switch key {
        case "saddr": f = "source address of the tunnel" + (family == "ip6" ? " (IPv6)" : " (IPv4)")
        case "daddr": f = "destination address of the tunnel" + (family == "ip6" ? " (IPv6)" : " (IPv4)")
        case "reqid": f = "request ID (reqid)"
        case "spi": f = "security parameter index (SPI)"
        default: f = gap("ipsec key \(key)", key)
        }
        let how =
            (dir ?? "in") == "out"
            ? "the IPsec policy the packet will be encrypted with" : "the IPsec transformation the packet was decrypted with"
        let n = spnum.map { $0 == 0 ? "" : " (security path entry \($0))" } ?? ""
        return "the \(f) of \(how)\(n)"
    }

    /// `fib saddr . iif oif`: a routing lookup made with some of the packet's fields.
    func fib(_ result: String, _ flags: [String]) -> String {
        let (lookup, found) = fibParts(result, flags)
        return "the \(found) given by \(lookup)"
    }

    /// The lookup (`a route lookup of the destination address`) and what it yields.
    func fibParts(_ result: String, _ flags: [String]) -> (lookup: String, result: String) {
        var keys: [String] = []
        for f in flags {
            switch f {
            case "saddr": keys.append("the source address (looked up as a destination: a reverse-path check)")
            case "daddr": keys.append("the destination address")
            case "mark": keys.append("the packet mark")
            case "iif": keys.append("restricted to the input interface")
            case "oif": keys.append("restricted to the output interface")
            default: keys.append(gap("fib flag \(f)", f))
            }
        }
        let lookup = "a route lookup of " + (keys.isEmpty ? "the packet" : keys.joined(separator: ", "))
        switch result {
        case "oif": return (lookup, "output interface (index)")
        case "oifname": return (lookup, "output interface name")
        case "type": return (lookup, "address type (local, unicast, broadcast, multicast, ...)")
        case "check": return (lookup, "route")
        default: return (lookup, gap("fib result \(result)", result))
        }
    }
}
