/// `nftctl init --template load-balancer`: a HAProxy host, its frontends open, and its
/// own connections out limited to the backends.
enum LoadBalancerTemplate {
    static let rules = """
        // A HAProxy load balancer's firewall, in nftctl's Swift DSL: the HTTP and HTTPS frontends
        // are open, SSH only from the admins set, and the host itself may open connections only
        // to its backends (and DNS), so a compromised proxy cannot reach anything else.
        \(TemplateText.preamble)

        \(TemplateText.admins("192.0.2.0/24"))

        // The servers HAProxy forwards to, and the port they listen on.
        let backends = set("backends", type: .ipv4Addr) {
            "10.1.0.11"
            "10.1.0.12"
        }
        let backendPort = 8080

        \(TemplateText.inputChain)
            rule(icmp.type == [.echoRequest, .destinationUnreachable, .timeExceeded], accept)
            rule(tcp.dport == [80, 443], ct.state.has(.new), accept, comment: "HAProxy frontends")
            rule(tcp.dport == 22, ip.saddr == admins, accept, comment: "SSH from admins only")
            rule(limit(rate: 5, per: .minute), log(prefix: "lb input drop: "))
        }

        let output = chain("output", hook: .output, priority: .filter, policy: .drop) {
            rule(meta.oifname == "lo", accept)
            rule(ct.state.has(.established, .related), accept)
            rule(udp.dport == 53, accept, comment: "DNS")
            rule(icmp.type == .echoRequest, accept)
            rule(ip.daddr == backends, tcp.dport == Number(backendPort), accept, comment: "HAProxy to its backends")
            rule(limit(rate: 5, per: .minute), log(prefix: "lb output drop: "))
        }

        let forward = chain("forward", hook: .forward, priority: .filter, policy: .drop) {}

        let ruleset = Ruleset {
            table("loadbalancer", family: .ip) {
                admins
                backends
                input
                output
                forward
            }
        }

        """

    static let tests = """
        \(TemplateText.testsHeader())
        tcp 203.0.113.9 -> 10.0.0.1:443 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:80 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop
        tcp 192.0.2.5 -> 10.0.0.1:22 state new => accept
        tcp 10.0.0.1 -> 10.1.0.11:8080 hook output state new => accept
        tcp 10.0.0.1 -> 10.1.0.99:8080 hook output state new => drop
        tcp 10.0.0.1 -> 10.1.0.11:22 hook output state new => drop

        """
}
