/// `nftctl init --template server` (the default): SSH from an admin set, HTTP and HTTPS
/// open, nothing forwarded, the rest dropped.
enum ServerTemplate {
    static let rules = """
        // A server's firewall, in nftctl's Swift DSL: SSH from the admins set, HTTP and HTTPS open,
        // nothing forwarded, the rest dropped.
        \(TemplateText.preamble)

        // Ports anyone may connect to. Add 25 for a mail server, 53 for DNS, ...
        let publicTCPPorts = [80, 443]

        \(TemplateText.admins("192.0.2.0/24", "198.51.100.7"))

        // Packets addressed to this host. The policy drops what no rule accepts.
        \(TemplateText.inputChain)
            rule(meta.l4proto == .icmp, accept)
            rule(meta.l4proto == .ipv6Icmp, accept, comment: "IPv6 needs ICMPv6 (neighbour discovery)")
            rule(tcp.dport == 22, ip.saddr == admins, accept, comment: "SSH from the admins set only")
            rule(tcp.dport == Number.set(publicTCPPorts), ct.state.has(.new), accept, comment: "public services")
            rule(limit(rate: 5, per: .minute), log(prefix: "input drop: "))
        }

        // A server does not route: nothing is forwarded.
        let forward = chain("forward", hook: .forward, priority: .filter, policy: .drop) {}

        let ruleset = Ruleset {
            table("firewall", family: .inet) {
                admins
                input
                forward
            }
        }

        """

    static let tests = """
        \(TemplateText.testsHeader())
        tcp 203.0.113.9 -> 10.0.0.1:443 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:80 state new => accept
        tcp 192.0.2.20 -> 10.0.0.1:22 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop
        tcp 203.0.113.9 -> 10.0.0.1:3306 state new => drop
        udp 203.0.113.9:5000 -> 10.0.0.1:53 state new => drop
        tcp 203.0.113.9:443 -> 10.0.0.1:40000 state established => accept
        tcp 10.0.0.2 -> 10.0.0.3:80 oif eth1 state new => drop

        """
}
