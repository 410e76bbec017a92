import NFTAnalysis

/// The symbolic constants nftables uses for the values the evaluator compares: protocol,
/// ICMP type, conntrack state and status, TCP flag and service names (the kinds nft
/// shares with the printer and the DSL come from `NFTSymbols`).
enum Symbols {
    static let protocols: [String: UInt128] = [
        "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "ipv6-icmp": 58, "icmpv6": 58, "sctp": 132,
        "udplite": 136, "dccp": 33, "gre": 47, "esp": 50, "ah": 51, "ipip": 4, "ipv6": 41, "ospf": 89,
        "comp": 108, "ipcomp": 108
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

    static let icmpTypes = wide(NFTSymbols.icmpTypes)
    static let icmpv6Types = wide(NFTSymbols.icmpv6Types)

    static let ctStates = wide(NFTSymbols.ctStates)
    static let ctStatus = wide(NFTSymbols.ctStatus)
    static let tcpFlags = wide(NFTSymbols.tcpFlags)
    /// `meta nfproto`'s names, and the other families' numbers.
    static let nfprotos = wide(NFTSymbols.nfprotos).merging(["inet": 1, "arp": 3, "bridge": 7, "netdev": 5]) { a, _ in a }
    static let etherTypes = wide(NFTSymbols.etherTypes)
    static let ctDirections = wide(NFTSymbols.ctDirections)

    /// A table of `NFTSymbols` as the evaluator's numbers.
    static func wide(_ entries: [NFTSymbols.Entry]) -> [String: UInt128] { NFTSymbols.values(entries).mapValues { UInt128($0) } }
    static let services: [String: UInt128] = [
        "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53, "dns": 53, "http": 80, "www": 80,
        "pop3": 110, "ntp": 123, "imap": 143, "imap2": 143, "snmp": 161, "ldap": 389, "https": 443,
        "submission": 587, "ldaps": 636, "imaps": 993, "pop3s": 995, "openvpn": 1194, "mysql": 3306,
        "postgresql": 5432, "http-alt": 8080, "bootps": 67, "bootpc": 68, "syslog": 514, "isakmp": 500,
        "microsoft-ds": 445, "rdp": 3389, "ms-wbt-server": 3389, "sip": 5060, "smtps": 465
    ]
}
