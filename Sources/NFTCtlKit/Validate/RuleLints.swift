import NFTAnalysis

/// Per-rule lint checks that need only the rule and its chain.
enum RuleLints {
    /// Fields that fix the transport protocol, directly or (for `tcp dport` and the like)
    /// through the dependency nft adds.
    static func restrictsTransport(_ e: Expression) -> Bool {
        switch e {
        case .meta(key: "l4proto"), .ct(key: "protocol", _, _), .ct(key: "proto-number", _, _): return true
        case .payload(.field(protocol: "ip", field: "protocol")), .payload(.field(protocol: "ip6", field: "nexthdr")):
            return true
        case .payload(.field(protocol: let p, _)): return ["tcp", "udp", "udplite", "sctp", "dccp"].contains(p)
        default: return false
        }
    }

    /// `th dport 53` reads two bytes of whatever transport header follows (nft(8): the raw
    /// transport header matches any protocol), so without a protocol check it also
    /// matches e.g. ICMP or ESP packets whose bytes happen to be equal.
    static func unprotocolledTransportHeader(_ rule: Rule) -> String? {
        var field: String?
        var restricted = false
        for s in rule.statements {
            s.forEachExpression { e in
                if restrictsTransport(e) { restricted = true }
            }
            let tested: Expression?
            switch s {
            case .match(let left, _, _): tested = left
            case .vmap(let key, _): tested = key
            default: tested = nil
            }
            tested?.forEach { e in
                if field == nil, case .payload(.field(protocol: "th", field: let f)) = e { field = f }
            }
        }
        guard let f = field, !restricted else { return nil }
        return
            "`th \(f)` does not check the transport protocol: it matches any protocol with those header bytes (not only TCP/UDP); add `meta l4proto { tcp, udp }` to the rule or use `tcp \(f)`/`udp \(f)`"
    }

    /// Conntrack attaches an entry to each packet at prerouting and output at priority
    /// -200 (NF_IP_PRI_CONNTRACK / NF_IP6_PRI_CONNTRACK); `notrack` and `ct zone set`
    /// do nothing to a packet that already has one (nft_notrack_eval and
    /// nft_ct_set_zone_eval return early). `ct helper set` is the opposite: it needs the
    /// entry, so it is not checked here.
    static let conntrackPriority: Int64 = -200

    static func beforeConntrackOnly(_ s: Statement) -> String? {
        switch s {
        case .notrack: return "notrack"
        case .mangle(key: .ct(key: "zone", _, _), _): return "ct zone set"
        default: return nil
        }
    }

    static func tooLateForConntrack(_ rule: Rule, in chain: Chain) -> String? {
        guard ["ip", "ip6", "inet"].contains(chain.family), let hook = chain.hook,
            let what = rule.statements.lazy.compactMap(beforeConntrackOnly).first
        else { return nil }
        switch hook {
        case "prerouting", "output":
            guard let prio = chain.prio, prio >= conntrackPriority else { return nil }
            let when =
                prio == conntrackPriority
                ? "conntrack runs at the same priority and may track the packet first"
                : "conntrack has already tracked the packet at priority -200"
            return
                "`\(what)` has no effect here: this \(hook) chain has priority \(prio), but \(when); use a chain with priority below -200 (e.g. `priority raw`, -300)"
        case "input", "forward", "postrouting":
            return
                "`\(what)` has no effect here: conntrack has already tracked the packet at prerouting/output; use a prerouting or output chain with priority below -200 (e.g. `priority raw`, -300)"
        default: return nil
        }
    }
}
