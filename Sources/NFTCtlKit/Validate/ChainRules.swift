import NFTAnalysis

/// What the kernel accepts for base chains: hooks per family, chain types per family and
/// hook, and the priority floor of NAT chains (nf_tables_api.c, nft_chain_nat.c).
enum ChainRules {
    /// NFT_JUMP_STACK_SIZE: the kernel refuses a base chain from which 16 jumps in a row are
    /// possible ("Too many links"; measured: 15 load, 16 do not).
    static let jumpStackSize = 16

    static let hooks: [String: Set<String>] = [
        "ip": ["prerouting", "input", "forward", "output", "postrouting"],
        "ip6": ["prerouting", "input", "forward", "output", "postrouting"],
        "inet": ["prerouting", "input", "forward", "output", "postrouting", "ingress"],
        "arp": ["input", "output"],
        "bridge": ["prerouting", "input", "forward", "output", "postrouting"],
        "netdev": ["ingress", "egress"]
    ]

    /// Chain types and the hooks each allows, per family.
    static func typeAllows(_ type: String, family: String, hook: String) -> Bool {
        switch type {
        case "filter": return hooks[family]?.contains(hook) ?? false
        case "nat":
            return ["ip", "ip6", "inet"].contains(family) && ["prerouting", "input", "output", "postrouting"].contains(hook)
        case "route": return ["ip", "ip6", "inet"].contains(family) && hook == "output"
        default: return false
        }
    }

    static let knownTypes: Set<String> = ["filter", "nat", "route"]

    /// NF_IP_PRI_CONNTRACK: NAT chains must run after conntrack.
    static let natPriorityFloor: Int64 = -200
}
