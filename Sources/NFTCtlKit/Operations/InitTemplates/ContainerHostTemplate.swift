/// `nftctl init --template container-host`: a Docker (or Podman) host whose own input is
/// filtered while the container engine's tables stay the engine's.
enum ContainerHostTemplate {
    static let rules = """
        // A container host's firewall, in nftctl's Swift DSL. Docker (or Podman) writes its own
        // tables for published ports, NAT and its forward chain, and they stay its own: this file
        // declares no forward chain and filters only what is addressed to the host itself. Published
        // container ports are forwarded (after Docker's DNAT), not input, so this does not close them.
        \(TemplateText.preamble)

        \(TemplateText.admins("192.0.2.0/24"))

        // Docker's default bridge; add your user-defined bridges' names.
        let bridge = "docker0"

        \(TemplateText.inputChain)
            rule(meta.l4proto == .icmp, accept)
            rule(meta.l4proto == .ipv6Icmp, accept, comment: "IPv6 needs ICMPv6 (neighbour discovery)")
            rule(meta.iifname == Name(bridge), udp.dport == 53, accept, comment: "containers' DNS via the host")
            rule(tcp.dport == 22, ip.saddr == admins, accept, comment: "SSH from the admins set only")
            rule(limit(rate: 5, per: .minute), log(prefix: "host input drop: "))
        }

        let ruleset = Ruleset {
            table("host", family: .inet) {
                admins
                input
            }
        }

        """

    static let tests = """
        \(TemplateText.testsHeader())
        tcp 192.0.2.5 -> 10.0.0.1:22 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop
        tcp 203.0.113.9 -> 10.0.0.1:2375 state new => drop
        udp 172.17.0.2 -> 172.17.0.1:53 iif docker0 state new => accept
        tcp 172.17.0.2 -> 172.17.0.1:5432 iif docker0 state new => drop
        tcp 203.0.113.9 -> 172.17.0.2:80 iif eth0 oif docker0 state new => accept

        """
}
