import NFTAnalysis

/// The netfilter hooks of the ip, ip6 and inet families that a trace can visit.
public enum Hook: String, Sendable, CaseIterable {
    case prerouting, input, forward, output, postrouting
}

/// Which hooks a packet passes, in order. The rule (documented in `nftctl trace --help`):
///
/// - no `hook`: `oif` given → routed through this host: prerouting → forward → postrouting;
///   otherwise addressed to this host: prerouting → input.
/// - `hook prerouting`: as above, from prerouting. `hook input`: input only.
///   `hook forward`: forward → postrouting. `hook output`: sent by this host:
///   output → postrouting. `hook postrouting`: postrouting only.
/// - A DNAT in prerouting to another, non-loopback address re-routes a packet bound for
///   input to forward → postrouting (reported as an assumption: the new address is not
///   one of this host's); `redirect` keeps it local.
enum HookPath {
    static func hooks(for p: PacketSpec) -> [Hook] {
        switch p.hook {
        case nil, .prerouting?: return p.oif != nil ? [.prerouting, .forward, .postrouting] : [.prerouting, .input]
        case .input?: return [.input]
        case .forward?: return [.forward, .postrouting]
        case .output?: return [.output, .postrouting]
        case .postrouting?: return [.postrouting]
        }
    }

    /// The kernel runs every nat-type chain from one nat hook at a fixed priority
    /// (dstnat -100 in prerouting/output, srcnat 100 in input/postrouting); the chains'
    /// own priorities only order them among themselves.
    static func natCorePriority(_ hook: Hook) -> Int64 {
        hook == .prerouting || hook == .output ? -100 : 100
    }

    /// Base chains on `hook` that see an IPv`version` packet, in the order the kernel runs them:
    /// by priority (nat chains at the nat core's), then in table order.
    static func baseChains(_ state: RulesetState, hook: Hook, version: Int) -> [(table: TableContents, chain: Located<Chain>)] {
        let families: Set<String> = version == 4 ? ["ip", "inet"] : ["ip6", "inet"]
        var out: [(key: (Int64, Int64, Int), table: TableContents, chain: Located<Chain>)] = []
        var n = 0
        for t in state.tables where families.contains(t.key.family) {
            for c in t.chains where c.value.hook == hook.rawValue {
                let prio = c.value.prio ?? 0
                let eff = c.value.type == "nat" ? natCorePriority(hook) : prio
                out.append(((eff, prio, n), t, c))
                n += 1
            }
        }
        out.sort { $0.key < $1.key }
        return out.map { ($0.table, $0.chain) }
    }
}
