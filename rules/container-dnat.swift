// HAProxy → nftables → container, as a container host does: a host port is forwarded
// (DNAT) to a container address, the forward chain lets those connections through, and
// traffic from the container bridge is masqueraded on the way out.
import NFTables

let bridge = "cbr0"
let containerNet = "172.18.0.0/16"

struct Published {
    let hostPort: Int
    let container: String
    let port: Int
}

let published = [
    Published(hostPort: 8080, container: "172.18.0.2", port: 80),
    Published(hostPort: 8443, container: "172.18.0.3", port: 443),
]

let prerouting = chain("prerouting", type: .nat, hook: .prerouting, priority: .dstnat) {
    for p in published {
        rule(meta.iifname != Name(bridge), tcp.dport == Number(p.hostPort),
             dnat(to: Addr(p.container), port: Number(p.port)),
             comment: "host :\(p.hostPort) -> \(p.container):\(p.port)")
    }
}

let postrouting = chain("postrouting", type: .nat, hook: .postrouting, priority: .srcnat) {
    rule(ip.saddr == Addr(containerNet), meta.oifname != Name(bridge), masquerade)
}

let forward = chain("forward", hook: .forward, priority: .filter, policy: .drop) {
    rule(ct.state.has(.established, .related), accept)
    rule(ct.state.has(.invalid), drop)
    for p in published {
        rule(meta.oifname == Name(bridge), ip.daddr == Addr(p.container), tcp.dport == Number(p.port),
             ct.status.has(.dnat), accept)
    }
    rule(meta.iifname == Name(bridge), meta.oifname != Name(bridge), accept, comment: "containers reach out")
}

let ruleset = Ruleset {
    table("containers", family: .ip) {
        prerouting
        postrouting
        forward
    }
}
