/// `nftctl init --template server` (the default): SSH from an admin set, HTTP and HTTPS
/// open, nothing forwarded, the rest dropped.
enum ServerTemplate {
    static let rules = """
        // A server's firewall, in nftctl's Swift DSL. Every .swift file in this directory belongs
        // to one rules program; one of them defines `let ruleset`. nftctl only ever touches the
        // tables declared here: other programs' tables (Docker, libvirt, fail2ban) are left alone.
        //
        //   nftctl check DIR                     validate, offline, no root needed
        //   nftctl test DIR DIR/firewall.tests   the packet assertions, offline
        //   nftctl diff DIR                      what an apply would change (root)
        //   nftctl apply --confirm 2m DIR        apply; rolled back in 2 minutes unless...
        //   nftctl confirm                       ...you confirm (the saved copy then restores at boot)
        import NFTables

        // Ports anyone may connect to. Add 25 for a mail server, 53 for DNS, ...
        let publicTCPPorts = [80, 443]

        // Who may log in with SSH. An interval set: addresses and prefixes.
        let admins = set("admins", type: .ipv4Addr, flags: [.interval]) {
            "192.0.2.0/24"
            "198.51.100.7"
        }

        // Packets addressed to this host. The policy drops what no rule accepts.
        let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
            rule(meta.iifname == "lo", accept)
            rule(ct.state.has(.established, .related), accept, comment: "replies to what this host started")
            rule(ct.state.has(.invalid), drop)
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
        # Packet assertions for firewall.swift: `nftctl test DIR DIR/firewall.tests`.
        # One a line: PACKET => accept|drop|reject|queue (PACKET as in `nftctl trace`).
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
