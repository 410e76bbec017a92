/// `nftctl init --template container-host`: a Docker (or Podman) host whose own input is
/// filtered while the container engine's tables stay the engine's.
enum ContainerHostTemplate {
    static let rules = """
        // A container host's firewall, in nftctl's Swift DSL. Docker (or Podman) writes its own
        // tables for published ports, NAT and its forward chain; nftctl only ever touches the
        // tables declared here, so those are left alone: this file declares no forward chain
        // and filters only what is addressed to the host itself. Published container ports are
        // forwarded (after Docker's DNAT), not input, so this does not close them.
        // Every .swift file in this directory belongs to one rules program; one of them defines
        // `let ruleset`.
        //
        //   nftctl check DIR                     validate, offline, no root needed
        //   nftctl test DIR DIR/firewall.tests   the packet assertions, offline
        //   nftctl apply --confirm 2m DIR        apply; rolled back unless you `nftctl confirm`
        import NFTables

        let admins = set("admins", type: .ipv4Addr, flags: [.interval]) {
            "192.0.2.0/24"
        }

        // Docker's default bridge; add your user-defined bridges' names.
        let bridge = "docker0"

        let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
            rule(meta.iifname == "lo", accept)
            rule(ct.state.has(.established, .related), accept)
            rule(ct.state.has(.invalid), drop)
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
        # Packet assertions for firewall.swift: `nftctl test DIR DIR/firewall.tests`.
        # One a line: PACKET => accept|drop|reject|queue (PACKET as in `nftctl trace`).
        tcp 192.0.2.5 -> 10.0.0.1:22 state new => accept
        tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop
        tcp 203.0.113.9 -> 10.0.0.1:2375 state new => drop
        udp 172.17.0.2 -> 172.17.0.1:53 iif docker0 state new => accept
        tcp 172.17.0.2 -> 172.17.0.1:5432 iif docker0 state new => drop
        tcp 203.0.113.9 -> 172.17.0.2:80 iif eth0 oif docker0 state new => accept

        """
}
