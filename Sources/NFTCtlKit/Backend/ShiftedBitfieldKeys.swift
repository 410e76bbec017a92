import NFTAnalysis

/// nft 1.0.6 lists a named map's lookup keyed by a shifted header bitfield of a non-integer
/// type (`meta mark set ip dscp map @m`) as the load it compiles to, `(@nh,8,8 & 0xfc) >> 2
/// map @m`, and its own parser refuses that back ("datatype mismatch, map expects
/// Differentiated Services Code Point"): a file `nft -f` loads, read through its listing,
/// could not be applied. Such a key is sent with its field's name (`TextBatch`) where the
/// rule says which protocol the header is (the table's family, or the dependency match
/// 1.0.6 lists before it): the field compiles to the same load, mask and shift, so the
/// kernel's bytes are the same, and the listing stays nft's own. Integer bitfields
/// (`ip version`, `tcp doff`) list raw and load back raw, and are left alone.
enum ShiftedBitfieldKeys {
    /// The shifted fields of a non-integer type whose named-map keys 1.0.6 lists raw (measured).
    static let fields: [HeaderBitfields.Field] = [("ip", "dscp"), ("ip6", "dscp"), ("ip6", "ecn"), ("dccp", "type")]
        .compactMap { HeaderBitfields.field($0, $1) }

    /// `r` with each such map key named.
    static func repair(_ r: Rule) -> Rule {
        guard r.statements.contains(where: holdsNamedMap) else { return r }
        var out = r
        var protocols: Set<String> = r.family == "ip" || r.family == "ip6" ? [r.family] : []
        out.expr = r.statements.map { s in
            defer { if let p = dependency(s) { protocols.insert(p) } }
            return rewrite(s, protocols: protocols)
        }
        return out
    }

    static func holdsNamedMap(_ s: Statement) -> Bool {
        var found = false
        s.forEachExpression { e in
            if case .map(_, let d) = e, d.setReference != nil { found = true }
        }
        if case .vmap(_, let d) = s, d.setReference != nil { found = true }
        return found
    }

    /// The protocol a dependency match establishes: `meta nfproto ipv4`, `meta protocol ip6`,
    /// `ether type ip`, `meta l4proto dccp`, `ip protocol dccp`, `ip6 nexthdr dccp`.
    static func dependency(_ s: Statement) -> String? {
        guard case .match(let left, .eq, .string(let value)) = s else { return nil }
        switch left {
        case .meta(key: "nfproto"): return ["ipv4": "ip", "ipv6": "ip6"][value]
        case .meta(key: "protocol"), .payload(.field(protocol: "ether", field: "type")),
            .payload(.field(protocol: "vlan", field: "type")):
            return ["ip": "ip", "ip6": "ip6"][value]
        case .meta(key: "l4proto"), .payload(.field(protocol: "ip", field: "protocol")),
            .payload(.field(protocol: "ip6", field: "nexthdr")):
            return value == "dccp" ? "dccp" : nil
        default: return nil
        }
    }

    static func rewrite(_ s: Statement, protocols: Set<String>) -> Statement {
        func key(_ e: Expression) -> Expression { named(e, protocols: protocols) ?? e }
        func value(_ e: Expression) -> Expression {
            if case .map(let k, let d) = e, d.setReference != nil { return .map(key: key(k), data: d) }
            return e
        }
        switch s {
        case .mangle(let k, let v): return .mangle(key: k, value: value(v))
        case .vmap(let k, let d) where d.setReference != nil: return .vmap(key: key(k), data: d)
        case .nat(var n):
            n.addr = n.addr.map(value)
            n.port = n.port.map(value)
            return .nat(n)
        // A named object chosen by a map (`counter name ip dscp map @m`).
        case .namedCounter(let e): return .namedCounter(value(e))
        case .namedQuota(let e): return .namedQuota(value(e))
        case .namedLimit(let e): return .namedLimit(value(e))
        case .ctHelper(let e): return .ctHelper(value(e))
        case .ctTimeout(let e): return .ctTimeout(value(e))
        case .ctExpectation(let e): return .ctExpectation(value(e))
        case .namedSynproxy(let e): return .namedSynproxy(value(e))
        case .secmark(let e): return .secmark(value(e))
        default: return s
        }
    }

    /// The field whose load `(@base,o,l & mask) >> shift` is, among `protocols`' fields.
    static func named(_ e: Expression, protocols: Set<String>) -> Expression? {
        guard case .binop(.rshift, let outer) = e, outer.count == 2, let shift = integer(outer[1]),
            case .binop(.and, let inner) = outer[0], inner.count == 2, let mask = integer(inner[1]),
            case .payload(.raw(let base, let offset, let len)) = inner[0]
        else { return nil }
        for f in fields where protocols.contains(f.proto) && f.base == base {
            let start = f.offset & ~7
            let span = f.offset - start + f.len
            let loaded = (span + 7) & ~7
            let fieldShift = loaded - span
            guard offset == start, len == loaded, shift == UInt64(fieldShift),
                mask == ((UInt64(1) << UInt64(f.len)) - 1) << UInt64(fieldShift)
            else { continue }
            return .payload(.field(protocol: f.proto, field: f.name))
        }
        return nil
    }

    static func integer(_ e: Expression) -> UInt64? {
        switch e {
        case .number(let n) where n >= 0: return UInt64(n)
        case .unsigned(let u): return u
        default: return nil
        }
    }
}
