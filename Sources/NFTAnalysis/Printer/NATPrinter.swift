/// snat/dnat/masquerade/redirect and tproxy: an IPv6 address followed by a port is
/// bracketed (`[dead::beef]:4443`) so the port's colon stays readable.
extension StatementPrinter {
    func nat(_ n: NAT) -> String {
        var out = n.kind.rawValue
        if n.addr != nil || n.port != nil {
            if let f = n.family { out += " " + f }
            if n.typeFlags?.values.contains("prefix") == true { out += " prefix" }
            out += " to"
        }
        if let addr = n.addr { out += " " + address(addr, bracketed: n.port != nil) }
        if let port = n.port { out += (n.addr == nil ? " :" : ":") + expr.text(port, as: .plain) }
        let flags = NAT.writtenFlags.filter { n.flags?.values.contains($0) == true }
        if !flags.isEmpty { out += " " + flags.joined(separator: ",") }
        return out
    }

    func tproxy(_ family: String?, _ addr: Expression?, _ port: Expression?) -> String {
        var out = "tproxy" + (family.map { " " + $0 } ?? "") + " to"
        if let addr { out += " " + address(addr, bracketed: true) }
        // nft 1.0.6 prints the port only when it is a constant: a mapped port is left out.
        if let port, port.isConstant { out += (addr == nil ? " :" : ":") + expr.text(port, as: .plain) }
        return out
    }

    /// An address, bracketed when it is an IPv6 literal (or a range of them) and `bracketed`.
    private func address(_ e: Expression, bracketed: Bool) -> String {
        guard bracketed else { return expr.text(e, as: .plain) }
        switch e {
        case .string(let s) where Self.isIPv6(s): return "[" + s + "]"
        case .range(.string(let a), .string(let b)) where Self.isIPv6(a): return "[" + a + "]-[" + b + "]"
        default: return expr.text(e, as: .plain)
        }
    }

    static func isIPv6(_ s: String) -> Bool { s.contains(":") && SetReference(reference: s) == nil }
}

extension Expression {
    /// A single literal value (what nft calls a value expression).
    var isConstant: Bool {
        switch self {
        case .string, .number, .unsigned: return true
        default: return false
        }
    }
}
