/// The symbolic constants nftables uses for the values the evaluator compares: protocol,
/// ICMP type, conntrack state and status, TCP flag and service names.
enum Symbols {
    static let protocols: [String: UInt128] = [
        "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132,
        "udplite": 136, "dccp": 33, "gre": 47, "esp": 50, "ah": 51, "ipip": 4, "ipv6": 41, "ospf": 89,
        "comp": 108, "ipcomp": 108,
    ]
    static func protocolName(_ n: UInt128) -> String {
        switch n {
        case 1: return "icmp"
        case 6: return "tcp"
        case 17: return "udp"
        case 58: return "icmpv6"
        case 132: return "sctp"
        default: return String(n)
        }
    }

    static let icmpTypes: [String: UInt128] = [
        "echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5,
        "echo-request": 8, "router-advertisement": 9, "router-solicitation": 10, "time-exceeded": 11,
        "parameter-problem": 12, "timestamp-request": 13, "timestamp-reply": 14, "info-request": 15,
        "info-reply": 16, "address-mask-request": 17, "address-mask-reply": 18,
    ]
    static let icmpv6Types: [String: UInt128] = [
        "destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3, "parameter-problem": 4,
        "echo-request": 128, "echo-reply": 129, "mld-listener-query": 130, "mld-listener-report": 131,
        "mld-listener-done": 132, "mld-listener-reduction": 132, "nd-router-solicit": 133,
        "nd-router-advert": 134, "nd-neighbor-solicit": 135, "nd-neighbor-advert": 136, "nd-redirect": 137,
        "router-renumbering": 138, "ind-neighbor-solicit": 141, "ind-neighbor-advert": 142,
        "mld2-listener-report": 143,
    ]

    /// `ct state` bits as the kernel defines them (NF_CT_STATE_BIT).
    static let ctStates: [String: UInt128] = [
        "invalid": 1, "established": 2, "related": 4, "new": 8, "untracked": 64,
    ]
    static let ctStatus: [String: UInt128] = [
        "expected": 1, "seen-reply": 2, "assured": 4, "confirmed": 8, "snat": 16, "dnat": 32, "dying": 512,
    ]
    static let tcpFlags: [String: UInt128] = [
        "fin": 1, "syn": 2, "rst": 4, "psh": 8, "ack": 16, "urg": 32, "ecn": 64, "cwr": 128,
    ]
    static let nfprotos: [String: UInt128] = ["ipv4": 2, "ipv6": 10, "inet": 1, "arp": 3, "bridge": 7, "netdev": 5]
    static let etherTypes: [String: UInt128] = ["ip": 0x0800, "ip6": 0x86dd, "arp": 0x0806, "vlan": 0x8100, "8021q": 0x8100]
    static let ctDirections: [String: UInt128] = ["original": 0, "reply": 1]
    static let services: [String: UInt128] = [
        "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "dns": 53, "http": 80, "www": 80,
        "pop3": 110, "ntp": 123, "imap": 143, "imap2": 143, "snmp": 161, "ldap": 389, "https": 443,
        "submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995, "openvpn": 1194, "mysql": 3306,
        "postgresql": 5432, "http-alt": 8080, "bootps": 67, "bootpc": 68, "syslog": 514, "isakmp": 500,
        "microsoft-ds": 445, "rdp": 3389, "ms-wbt-server": 3389, "sip": 5060, "smtps": 465,
    ]
}
