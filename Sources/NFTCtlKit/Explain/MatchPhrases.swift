import NFTAnalysis

/// Conditions (`left op right`) and bit operations, in words.
extension Phraser {
    /// Flag fields: several bits that can be set at once.
    static func isBitmask(_ e: Expression) -> Bool {
        switch e {
        case .payload(.field("tcp", "flags")): return true
        case .ct(let key, _, _): return ["state", "status", "event", "label"].contains(key)
        default: return false
        }
    }

    /// `ct state` has one state at a time, though nft types it as a bitmask.
    static func isSingleState(_ e: Expression) -> Bool {
        if case .ct("state", _, _) = e { return true }
        return false
    }

    func match(_ left: Expression, _ op: MatchOperator, _ right: Expression) -> String {
        // `tcp flags syn / fin,syn,rst,ack`: only the masked bits are compared.
        if op == .eq || op == .ne, case .binop(.and, let ops) = left, ops.count == 2, Self.isBitmask(ops[0]), ops[1].isLiteral {
            let verb = op == .eq ? "are exactly" : "are not exactly"
            let v = with(context: ops[0]) { value(right) }
            return "\(subject(ops[0])), looking only at \(value(ops[1])), \(verb) \(v) (the bits named in the mask but not here are clear)"
        }
        if let yesNo = clause(left), let truth = truth(right) {
            return (truth == (op != .ne && op != .not)) ? yesNo.yes : yesNo.no
        }
        let s = subject(left)
        return with(context: left) { relation(s, left, op, right) }
    }

    /// `left op right` once the subject is in words; values read in the context of `left`.
    private func relation(_ s: String, _ left: Expression, _ op: MatchOperator, _ right: Expression) -> String {
        let plural = Self.isBitmask(left) && !Self.isSingleState(left)
        let be = plural ? "are" : "is"
        switch right {
        case .set(let items, _) where items.count > 1:
            let vals = items.map(value).joined(separator: ", ")
            return s + (op == .ne ? " \(be) none of " : " \(be) one of ") + vals
        case .string(let ref) where SetReference(reference: ref) != nil:
            return s + (op == .ne ? " \(be) not in " : " \(be) in ") + setReference(ref)
        case .prefix(let addr, let len):
            let net = "\(value(addr))/\(len)"
            return op == .ne
                ? s + " \(be) outside \(net) (its first \(len) bits differ from those of \(value(addr)))"
                : s + " \(be) in \(net) (the first \(len) bits equal those of \(value(addr)))"
        case .range(let a, let b):
            if op == .ne { return s + " \(be) outside the range \(value(a)) to \(value(b))" }
            if op == .eq { return s + " \(be) between \(value(a)) and \(value(b)) (inclusive)" }
        default: break
        }
        let v = value(right)
        var several = false
        if case .list(let l) = right { several = l.count > 1 }
        if Self.isSingleState(left) {
            switch op {
            case .in, .eq: return s + (several ? " is one of " : " is ") + v
            case .not, .ne: return s + (several ? " is none of " : " is not ") + v
            default: break
            }
        }
        if plural {
            switch op {
            case .in: return s + (several ? " include at least one of " : " include ") + v
            case .not: return s + (several ? " include none of " : " do not include ") + v
            case .eq: return s + " are exactly " + v + " (no other bit set)"
            case .ne: return s + " are not exactly " + v
            default: break
            }
        }
        switch op {
        case .eq: return s + " \(be) " + v
        case .ne: return s + " \(be) not " + v
        case .lt: return s + " \(be) less than " + v
        case .gt: return s + " \(be) greater than " + v
        case .le: return s + " \(be) at most " + v
        case .ge: return s + " \(be) at least " + v
        case .in: return s + " has at least one of the bits of " + v + " set"
        case .not: return s + " has none of the bits of " + v + " set"
        }
    }

    /// `exists`/`missing`, or 1/0 for yes-or-no keys.
    private func truth(_ e: Expression) -> Bool? {
        switch e {
        case .bool(let b): return b
        case .number(let n) where n == 0 || n == 1: return n == 1
        default: return nil
        }
    }

    /// Things that are either there or not, as a sentence each way.
    func clause(_ e: Expression) -> (yes: String, no: String)? {
        switch e {
        case .exthdr(_, nil, _), .tcpOption(.named(_, nil)), .sctpChunk(_, nil), .ipOption(_, nil), .dccpOption:
            let s = subject(e)
            return ("the packet carries \(s)", "the packet does not carry \(s)")
        case .tcpOption(.raw(_, let offset, let len)) where offset == 0 && (len == 0 || len == 8):
            let s = subject(e)
            return ("the packet carries \(s)", "the packet does not carry \(s)")
        case .rt("ipsec", _):
            return ("the packet's route goes through IPsec (an xfrm transformation)", "the packet's route does not go through IPsec")
        case .meta("secpath"), .meta("ipsec"):
            return (
                "the packet was decrypted by IPsec (it has a security path)", "the packet was not decrypted by IPsec (no security path)"
            )
        case .socket("transparent", _):
            return (
                "a local socket with IP_TRANSPARENT set matches the packet", "no local socket with IP_TRANSPARENT set matches the packet"
            )
        case .socket("wildcard", _):
            return (
                "the packet's local socket is bound to the wildcard address (0.0.0.0 or ::)",
                "the packet's local socket is bound to a specific address"
            )
        case .fib(let result, let flags):
            let (lookup, found) = fibParts(result, flags?.values ?? [])
            return (
                "\(lookup) finds a\(found.first.map { "aeiou".contains($0) } == true ? "n" : "") \(found)",
                "\(lookup) finds no \(found) (there is no route)"
            )
        case .meta("nftrace"):
            return ("the packet is being traced", "the packet is not being traced")
        default: return nil
        }
    }

    /// `a & mask`, `a | bits`, `a ^ bits`, `a << n`, `a >> n`, left to right.
    func binop(_ op: BinaryOperator, _ operands: [Expression]) -> String {
        if operands.allSatisfy(\.isLiteral) {
            return operands.map(value).joined(separator: " \(op.rawValue) ")
        }
        guard var out = operands.first.map(subject) else { return gap("empty \(op.rawValue) operation", "nothing") }
        for operand in operands.dropFirst() { out = apply(op, to: out, operand) }
        return out
    }

    private func apply(_ op: BinaryOperator, to a: String, _ b: Expression) -> String {
        let n = b.numberValue
        switch op {
        case .and:
            if let n { return "\(a), ANDed with \(Self.hex(n)) (keeping only \(Self.bits(n)); the rest become 0)" }
            if b.isLiteral { return "\(a), keeping only \(value(b))" }
            return "\(a), ANDed with \(subject(b))"
        case .or:
            if let n { return "\(a), ORed with \(Self.hex(n)) (\(Self.bits(n)) set to 1)" }
            if b.isLiteral { return "\(a), with \(value(b)) also set" }
            return "\(a), ORed with \(subject(b))"
        case .xor:
            if let n { return "\(a), XORed with \(Self.hex(n)) (\(Self.bits(n)) flipped)" }
            return "\(a), XORed with \(subject(b))"
        case .lshift: return "\(a), shifted left by \(n.map(String.init) ?? subject(b)) bits"
        case .rshift: return "\(a), shifted right by \(n.map(String.init) ?? subject(b)) bits"
        }
    }
}
