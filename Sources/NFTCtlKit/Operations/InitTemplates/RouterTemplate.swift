/// `nftctl init --template router`: a LAN behind one uplink, forwarded outwards and
/// masqueraded; the router itself answers SSH, DNS and DHCP on the LAN side only.
enum RouterTemplate {
    static let rules = """
        // A router's firewall, in nftctl's Swift DSL: the LAN (lan0) goes out through the uplink
        // (wan0), masqueraded; nothing comes in unless it answers a connection from inside.
        \(TemplateText.preamble)

        // Rename to your interfaces and LAN prefix.
        let lan = "lan0"
        let wan = "wan0"
        let lanNet = "192.168.1.0/24"

        // Packets addressed to the router itself.
        \(TemplateText.inputChain)
            rule(icmp.type == .echoRequest, limit(rate: 5, per: .second), accept)
            rule(meta.iifname == Name(lan), tcp.dport == 22, accept, comment: "SSH from the LAN only")
            rule(meta.iifname == Name(lan), udp.dport == [53, 67], accept, comment: "DNS and DHCP for the LAN")
        }

        // Packets the router passes on: the LAN may go out, replies come back, nothing else.
        let forward = chain("forward", hook: .forward, priority: .filter, policy: .drop) {
            rule(ct.state.has(.established, .related), accept)
            rule(ct.state.has(.invalid), drop)
            rule(meta.iifname == Name(lan), meta.oifname == Name(wan), accept, comment: "LAN to the internet")
        }

        // The LAN's private addresses leave with the uplink's address.
        let postrouting = chain("postrouting", type: .nat, hook: .postrouting, priority: .srcnat) {
            rule(meta.oifname == Name(wan), ip.saddr == Addr(lanNet), masquerade)
        }

        let ruleset = Ruleset {
            table("router", family: .ip) {
                input
                forward
                postrouting
            }
        }

        """

    static let tests = """
        \(TemplateText.testsHeader(note: "A packet with an oif is a forwarded one."))
        tcp 192.168.1.20 -> 203.0.113.5:443 iif lan0 oif wan0 state new => accept
        tcp 203.0.113.5:443 -> 192.168.1.20:40000 iif wan0 oif lan0 state established => accept
        tcp 203.0.113.5 -> 192.168.1.20:22 iif wan0 oif lan0 state new => drop
        tcp 192.168.1.20 -> 192.168.1.1:22 iif lan0 state new => accept
        udp 192.168.1.20 -> 192.168.1.1:53 iif lan0 state new => accept
        tcp 203.0.113.5 -> 198.51.100.1:22 iif wan0 state new => drop

        """
}
