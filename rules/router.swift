// A small home router: LAN on lan0, uplink on wan0. The LAN may go out, nothing comes in
// unless it belongs to a connection we know, SSH to the router from the LAN only, and one
// port forward to a server on the LAN.
import NFTables

let lan = "lan0"
let wan = "wan0"

let lanNets = set("lan_nets", type: .ipv4Addr, flags: [.interval]) { "192.168.1.0/24" }
let services = map("lan_services", type: .inetService, to: .verdict) {
    22 => jump("ssh_in")
    53 => accept
    67 => accept
}

let sshIn = chain("ssh_in") {
    rule(ip.saddr == lanNets, limit(rate: 10, per: .minute), accept)
    rule(drop)
}

let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
    rule(meta.iifname == "lo", accept)
    rule(ct.state.has(.established, .related), accept)
    rule(ct.state.has(.invalid), drop)
    rule(meta.iifname == Name(lan), meta.l4proto == [.tcp, .udp], th.dport.vmap(services))
    rule(icmp.type == .echoRequest, limit(rate: 5, per: .second), accept)
}

let forward = chain("forward", hook: .forward, priority: .filter, policy: .drop) {
    rule(ct.state.has(.established, .related), accept)
    rule(meta.iifname == Name(lan), meta.oifname == Name(wan), accept)
    rule(meta.iifname == Name(wan), ip.daddr == "192.168.1.10", tcp.dport == 443, ct.status.has(.dnat), accept)
}

let prerouting = chain("prerouting", type: .nat, hook: .prerouting, priority: .dstnat) {
    rule(meta.iifname == Name(wan), tcp.dport == 443, dnat(to: "192.168.1.10"))
}

let postrouting = chain("postrouting", type: .nat, hook: .postrouting, priority: .srcnat) {
    rule(meta.oifname == Name(wan), masquerade)
}

let ruleset = Ruleset {
    table("router", family: .ip) {
        lanNets
        services
        sshIn
        input
        forward
        prerouting
        postrouting
    }
}
