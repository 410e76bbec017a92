/// The expressions that select what a rule looks at: header fields, metadata, conntrack,
/// routing, hashes. Their text does not depend on a value type.
extension ExpressionPrinter {
    /// Meta keys nft prints without the `meta` keyword.
    static let unqualifiedMeta: Set<String> = ["iif", "oif", "iifname", "oifname", "iifgroup", "oifgroup"]

    func selector(_ e: Expression) -> String {
        switch e {
        case .payload(.field(let proto, let field)): return proto + " " + field
        case .payload(.raw(let base, let offset, let len)): return "@\(base),\(offset),\(len)"
        case .exthdr(let name, let field, _):
            guard let field else { return "exthdr " + name }
            return name + " " + field
        case .tcpOption(.named(let name, let field)):
            return "tcp option " + name + (field.map { " " + $0 } ?? "")
        case .tcpOption(.raw(let base, let offset, let len)):
            // `tcp option 6 exists` and `reset tcp option 6` carry no field position.
            return offset == 0 && (len == 0 || len == 8) ? "tcp option \(base)" : "tcp option @\(base),\(offset),\(len)"
        case .ipOption(let name, let field): return "ip option " + name + (field.map { " " + $0 } ?? "")
        case .sctpChunk(let name, let field): return "sctp chunk " + name + (field.map { " " + $0 } ?? "")
        case .dccpOption(let type): return "dccp option \(type)"
        case .meta(let key): return Self.unqualifiedMeta.contains(key) ? key : "meta " + key
        case .rt(let key, let family): return "rt " + (family.map { $0 + " " } ?? "") + key
        case .ct(let key, let family, let dir):
            return "ct " + (dir.map { $0 + " " } ?? "") + (family.map { $0 + " " } ?? "") + key
        case .numgen(let mode, let mod, let offset):
            return "numgen \(mode) mod \(mod)" + (offset.flatMap { $0 == 0 ? nil : " offset \($0)" } ?? "")
        case .jhash(let mod, let offset, let expr, let seed):
            var s = "jhash " + text(expr, as: nil) + " mod \(mod)"
            if let seed { s += " seed " + ValueFormat.hex(UInt64(bitPattern: seed), width: 0) }
            if let offset, offset != 0 { s += " offset \(offset)" }
            return s
        case .symhash(let mod, let offset):
            return "symhash mod \(mod)" + (offset.flatMap { $0 == 0 ? nil : " offset \($0)" } ?? "")
        case .fib(let result, let flags):
            return "fib " + (flags?.values ?? []).joined(separator: " . ") + " " + result
        case .socket(let key, let level):
            return "socket " + key + (level.map { " level \($0)" } ?? "")
        case .osf(let key, let ttl): return "osf " + (ttl.map { "ttl " + $0 + " " } ?? "") + key
        case .ipsec(let key, let dir, let spnum, let family):
            var s = "ipsec " + (dir ?? "in")
            if let spnum, spnum != 0 { s += " spnum \(spnum)" }
            return s + " " + (family.map { $0 + " " } ?? "") + key
        case .tunnel(let key): return "tunnel " + key
        default: return ""  // values are printed by `text(_:as:)`, which never sends them here
        }
    }
}
