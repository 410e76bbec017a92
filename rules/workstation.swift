// A workstation: nothing comes in unless it answers something we started, plus ICMP, mDNS
// on the local network and SSH from the home LAN. IPv4 and IPv6 in one inet table.
import NFTables

let allowSSHFromLAN = true

let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
    rule(meta.iif == "lo", accept)
    rule(ct.state.vmap(["established" => accept, "related" => accept, "invalid" => drop]), comment: "conntrack")
    rule(meta.l4proto == .icmp, accept)
    rule(meta.l4proto == .ipv6Icmp, accept)
    rule(udp.dport == 5353, ip.daddr == "224.0.0.251", accept, comment: "mDNS")
    rule(udp.dport == 5353, ip6.daddr == "ff02::fb", accept, comment: "mDNS")
    if allowSSHFromLAN {
        rule(tcp.dport == 22, ip.saddr == "192.168.1.0/24", accept)
    }
    rule(tcp.flags.has(.syn), limit(rate: 3, per: .minute), log(prefix: "refused: "))
    rule(meta.l4proto == .tcp, reject(with: .tcpReset))
    rule(reject(with: .icmpx(.portUnreachable)))
}

let ruleset = Ruleset {
    table("workstation", family: .inet) { input }
}
