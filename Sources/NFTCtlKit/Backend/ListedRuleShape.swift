import NFTAnalysis

/// Rules whose 1.0.6 JSON listing says all that nft's text listing says: byte-aligned
/// header fields, interface and conntrack keys compared with one plain value, counters and
/// verdicts. Such a rule needs no text listing to be checked against (`ListingRepair`);
/// anything else — anonymous sets and chains, concatenations, bitfields such as `ip6 dscp`,
/// raw payloads, set and map updates (timeouts in milliseconds), statements listed only as
/// text — has its chain listed as text too. The list is short on purpose: a shape belongs
/// here only if its JSON and its text listing cannot disagree.
enum ListedRuleShape {
    static func needsText(_ rule: Rule) -> Bool {
        guard let statements = rule.expr else { return false }
        return !statements.allSatisfy(plain)
    }

    static func plain(_ s: Statement) -> Bool {
        switch s {
        case .counter: return true
        case .verdict(let v): return plain(v)
        case .match(let left, _, let right): return plainKey(left) && plainValue(right)
        default: return false
        }
    }

    static func plain(_ v: Verdict) -> Bool {
        switch v {
        case .accept, .drop, .continue, .return: return true
        case .jump(let t), .goto(let t): return ListingRepair.isIdentifier(t)
        }
    }

    static let fields: [String: Set<String>] = [
        "ip": ["saddr", "daddr", "protocol", "ttl", "length"],
        "ip6": ["saddr", "daddr", "nexthdr", "hoplimit", "length"],
        "tcp": ["sport", "dport"], "udp": ["sport", "dport"], "th": ["sport", "dport"], "sctp": ["sport", "dport"],
        "icmp": ["type", "code"], "icmpv6": ["type", "code"],
        "ether": ["saddr", "daddr", "type"]
    ]
    static let metaKeys: Set<String> = ["iifname", "oifname", "iif", "oif", "l4proto", "nfproto", "mark", "protocol", "pkttype"]
    static let ctKeys: Set<String> = ["state", "status", "mark", "direction"]

    static func plainKey(_ e: NFTModel.Expression) -> Bool {
        switch e {
        case .payload(.field(let proto, let field)): return fields[proto]?.contains(field) == true
        case .meta(let key): return metaKeys.contains(key)
        case .ct(let key, nil, nil): return ctKeys.contains(key)
        default: return false
        }
    }

    static func plainValue(_ e: NFTModel.Expression) -> Bool {
        switch e {
        case .string(let s): return plainString(s)
        case .number: return true
        case .prefix(.string(let s), _): return plainString(s)
        case .range(let a, let b): return plainScalar(a) && plainScalar(b)
        default: return false
        }
    }

    static func plainScalar(_ e: NFTModel.Expression) -> Bool {
        switch e {
        case .number: return true
        case .string(let s): return plainString(s)
        default: return false
        }
    }

    /// Letters, digits and `.:/-_@`: addresses, names, `@set` references; nothing to quote.
    static func plainString(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 46 || c == 58 || c == 47 || c == 45 || c == 95
                    || c == 64
            }
    }
}
