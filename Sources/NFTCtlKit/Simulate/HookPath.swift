import NFTAnalysis

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
        case .ingress?, .egress?: return []
        }
    }

    /// Base chains on `hook` that see an IPv`version` packet, in the order the kernel runs
    /// them (`Hook.runOrder`, which explain uses too).
    static func baseChains(_ state: RulesetState, hook: Hook, version: Int) -> [(table: TableContents, chain: Located<Chain>)] {
        let families: Set<String> = version == 4 ? ["ip", "inet"] : ["ip6", "inet"]
        var all: [(table: TableContents, chain: Located<Chain>)] = []
        for t in state.tables where families.contains(t.key.family) {
            for c in t.chains where c.value.hook == hook.rawValue { all.append((t, c)) }
        }
        return hook.runOrder(all, type: { $0.chain.value.type }, prio: { $0.chain.value.prio ?? 0 })
    }
}
