// Address translation and transparent proxying.

public enum NATFlag: String, Sendable {
    case random
    case fullyRandom = "fully-random"
    case persistent, netmap
}

func nat(_ kind: NATKind, _ family: Family?, _ addr: Expression?, _ port: Expression?, _ flags: [NATFlag]) -> RuleItem {
    RuleItem(
        .nat(
            NAT(
                kind, family: family?.rawValue, addr: addr, port: port,
                flags: flags.isEmpty ? nil : FlagList(flags.map(\.rawValue), scalar: flags.count == 1))))
}

/// `snat to 203.0.113.1`, `snat to 10.0.0.1-10.0.0.9:1024-2048`. In an inet table the family is
/// taken from the address when not given.
public func snat(to addr: Addr, port: Number? = nil, family: Family? = nil, flags: [NATFlag] = []) -> RuleItem {
    nat(.snat, family, addr.expression, port?.expression, flags)
}
/// `dnat to 10.0.0.2:8080`; `dnat(to: Addr(tcp.dport.map(backends)))` for a map lookup.
public func dnat(to addr: Addr, port: Number? = nil, family: Family? = nil, flags: [NATFlag] = []) -> RuleItem {
    nat(.dnat, family, addr.expression, port?.expression, flags)
}
/// `dnat to :8080`: only the port.
public func dnat(port: Number, flags: [NATFlag] = []) -> RuleItem { nat(.dnat, nil, nil, port.expression, flags) }
/// `masquerade` with the defaults.
public let masquerade = RuleItem(.nat(NAT(.masquerade)))
/// `masquerade to :1024-2048 random`.
public func masquerade(port: Number? = nil, flags: [NATFlag] = []) -> RuleItem {
    nat(.masquerade, nil, nil, port?.expression, flags)
}
/// `redirect` to the local machine, keeping the port.
public let redirect = RuleItem(.nat(NAT(.redirect)))
/// `redirect to :8080`.
public func redirect(to port: Number, flags: [NATFlag] = []) -> RuleItem { nat(.redirect, nil, nil, port.expression, flags) }

/// `tproxy ip to 127.0.0.1:8080`. In an inet table the family is taken from the address.
public func tproxy(to addr: Addr? = nil, port: Number? = nil, family: Family? = nil) -> RuleItem {
    RuleItem(.tproxy(family: family?.rawValue, addr: addr?.expression, port: port?.expression))
}
