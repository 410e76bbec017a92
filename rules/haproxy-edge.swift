// A HAProxy load-balancer host: the HTTP and HTTPS frontends are open, SSH only from the
// admin set, a blocklist is dropped with a counter, drops are logged at a limited rate, and
// the host may only open connections to its backends in the three HTTPS modes:
//   passthrough  TLS goes through untouched: backend port 443
//   edge         TLS ends on HAProxy, plain HTTP to the backend: port 8080
//   re-encrypt   TLS ends on HAProxy and starts again to the backend: port 8443
import NFTables

let admins = set("admins", type: .ipv4Addr, flags: [.interval]) {
    "10.0.0.0/24"
    "192.0.2.10"
}

let blocklist = set("blocklist", type: .ipv4Addr, flags: [.interval]) {
    "192.168.1.100"
    "198.51.100.0/24"
}

struct Backend {
    let address: String
    let mode: Mode
    enum Mode { case passthrough, edge, reencrypt }
    var port: Int {
        switch mode {
        case .passthrough: return 443
        case .edge: return 8080
        case .reencrypt: return 8443
        }
    }
}

let backends = [
    Backend(address: "10.1.0.11", mode: .passthrough),
    Backend(address: "10.1.0.12", mode: .passthrough),
    Backend(address: "10.1.0.21", mode: .edge),
    Backend(address: "10.1.0.22", mode: .edge),
    Backend(address: "10.1.0.31", mode: .reencrypt),
]

let blockedDrops = counter("blocked-drops", comment: "packets dropped from the blocklist")

let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
    rule(meta.iifname == "lo", accept)
    rule(ip.saddr == blocklist, counter(blockedDrops), drop, comment: "blocklist")
    rule(ct.state.has(.established, .related), accept)
    rule(ct.state.has(.invalid), drop)
    rule(icmp.type == [.echoRequest, .destinationUnreachable, .timeExceeded], accept)
    rule(tcp.dport == [80, 443], ct.state.has(.new), accept, comment: "HTTP and HTTPS frontends")
    rule(tcp.dport == 22, ip.saddr == admins, accept, comment: "SSH from admins only")
    rule(limit(rate: 5, per: .minute, burst: 10), log(prefix: "haproxy-edge drop: ", level: .info))
}

let output = chain("output", hook: .output, priority: .filter, policy: .drop) {
    rule(meta.oifname == "lo", accept)
    rule(ct.state.has(.established, .related), accept)
    rule(udp.dport == 53, accept, comment: "DNS")
    rule(icmp.type == .echoRequest, accept)
    for b in backends {
        rule(ip.daddr == Addr(b.address), tcp.dport == Number(b.port), accept,
             comment: "backend \(b.address) (\(b.mode))")
    }
    rule(limit(rate: 5, per: .minute), log(prefix: "haproxy-edge out drop: "))
}

let ruleset = Ruleset {
    table("haproxy", family: .ip) {
        admins
        blocklist
        blockedDrops
        input
        output
    }
}
