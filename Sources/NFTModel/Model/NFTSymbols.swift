/// nft's symbolic constants and the numbers behind them, in one place for the printer
/// (ranges print as numbers), the packet evaluator (it compares numbers), the DSL (its
/// symbol types are generated from these lists) and import (which spells them back).
/// Per kind in nft's order; a later name for a number already named is an alias that nft
/// accepts but never prints (and the DSL does not spell).
public enum NFTSymbols {
    public typealias Entry = (name: String, value: UInt64)

    public static let icmpTypes: [Entry] = [
        ("echo-reply", 0), ("destination-unreachable", 3), ("source-quench", 4), ("redirect", 5),
        ("echo-request", 8), ("router-advertisement", 9), ("router-solicitation", 10), ("time-exceeded", 11),
        ("parameter-problem", 12), ("timestamp-request", 13), ("timestamp-reply", 14), ("info-request", 15),
        ("info-reply", 16), ("address-mask-request", 17), ("address-mask-reply", 18)
    ]
    public static let icmpv6Types: [Entry] = [
        ("destination-unreachable", 1), ("packet-too-big", 2), ("time-exceeded", 3), ("parameter-problem", 4),
        ("echo-request", 128), ("echo-reply", 129), ("mld-listener-query", 130), ("mld-listener-report", 131),
        ("mld-listener-done", 132), ("mld-listener-reduction", 132), ("nd-router-solicit", 133),
        ("nd-router-advert", 134), ("nd-neighbor-solicit", 135), ("nd-neighbor-advert", 136),
        ("nd-redirect", 137), ("router-renumbering", 138), ("ind-neighbor-solicit", 141),
        ("ind-neighbor-advert", 142), ("mld2-listener-report", 143)
    ]
    /// `ct state` bits as the kernel defines them (NF_CT_STATE_BIT).
    public static let ctStates: [Entry] = [
        ("invalid", 1), ("established", 2), ("related", 4), ("new", 8), ("untracked", 64)
    ]
    public static let ctStatus: [Entry] = [
        ("expected", 1), ("seen-reply", 2), ("assured", 4), ("confirmed", 8), ("snat", 16), ("dnat", 32), ("dying", 512)
    ]
    public static let ctDirections: [Entry] = [("original", 0), ("reply", 1)]
    public static let tcpFlags: [Entry] = [
        ("fin", 1), ("syn", 2), ("rst", 4), ("psh", 8), ("ack", 16), ("urg", 32), ("ecn", 64), ("cwr", 128)
    ]
    public static let packetTypes: [Entry] = [("host", 0), ("unicast", 0), ("broadcast", 1), ("multicast", 2), ("other", 3)]
    /// `meta nfproto`.
    public static let nfprotos: [Entry] = [("ipv4", 2), ("ipv6", 10)]
    public static let etherTypes: [Entry] = [
        ("ip", 0x0800), ("ip6", 0x86dd), ("arp", 0x0806), ("vlan", 0x8100), ("8021ad", 0x88a8), ("8021q", 0x8100)
    ]
    /// `fib ... type` (RTN_*).
    public static let addressTypes: [Entry] = [
        ("unspec", 0), ("unicast", 1), ("local", 2), ("broadcast", 3), ("anycast", 4), ("multicast", 5),
        ("blackhole", 6), ("unreachable", 7), ("prohibit", 8)
    ]

    /// Name → number (an alias maps to its number too).
    public static func values(_ entries: [Entry]) -> [String: UInt64] {
        Dictionary(entries.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The names nft prints: the first for each number.
    public static func canonical(_ entries: [Entry]) -> [String] {
        var seen = Set<UInt64>()
        return entries.filter { seen.insert($0.value).inserted }.map(\.name)
    }
}
