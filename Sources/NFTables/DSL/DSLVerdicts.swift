// Verdicts: accept, drop, reject, jump, goto, return, continue, queue.

public let accept = RuleItem.accept
public let drop = RuleItem.drop

/// Why a packet is rejected: `reject(with: .tcpReset)`, `reject(with: .icmpx(.adminProhibited))`.
public struct RejectReason: Sendable, Hashable {
    let type: String
    let code: String?
    public static let tcpReset = RejectReason(type: "tcp reset", code: nil)
    public static func icmp(_ code: ICMPCode) -> RejectReason { RejectReason(type: "icmp", code: code.name) }
    public static func icmpv6(_ code: ICMPCode) -> RejectReason { RejectReason(type: "icmpv6", code: code.name) }
    /// Family-independent codes (inet, bridge).
    public static func icmpx(_ code: ICMPCode) -> RejectReason { RejectReason(type: "icmpx", code: code.name) }
}

/// An ICMP/ICMPv6/ICMPx unreachable code, by its nft name.
public struct ICMPCode: Sendable, Hashable, ExpressibleByStringLiteral {
    public let name: String
    public init(stringLiteral name: String) { self.name = name }
    public init(_ name: String) { self.name = name }
    public static let portUnreachable = ICMPCode("port-unreachable")
    public static let hostUnreachable = ICMPCode("host-unreachable")
    public static let netUnreachable = ICMPCode("net-unreachable")
    public static let protUnreachable = ICMPCode("prot-unreachable")
    public static let adminProhibited = ICMPCode("admin-prohibited")
    public static let netProhibited = ICMPCode("net-prohibited")
    public static let hostProhibited = ICMPCode("host-prohibited")
    public static let noRoute = ICMPCode("no-route")
    public static let addrUnreachable = ICMPCode("addr-unreachable")
}

/// `reject` with the kernel's default reply.
public let reject = RuleItem(.reject(type: nil, expr: nil))
/// `reject with tcp reset`, `reject with icmp port-unreachable`, ...
public func reject(with reason: RejectReason) -> RuleItem {
    RuleItem(.reject(type: reason.type, expr: reason.code.map(Expression.string)))
}

public func jump(_ chain: String) -> RuleItem { RuleItem(.verdict(.jump(chain))) }
public func jump(_ chain: ChainDecl) -> RuleItem { RuleItem(.verdict(.jump(chain.name))) }
public func goto(_ chain: String) -> RuleItem { RuleItem(.verdict(.goto(chain))) }
public func goto(_ chain: ChainDecl) -> RuleItem { RuleItem(.verdict(.goto(chain.name))) }

public enum QueueFlag: String, Sendable { case bypass, fanout }
/// `queue num 1 bypass`; `num` may be a range (`Number.range(1...3)`).
public func queue(num: Number? = nil, flags: [QueueFlag] = []) -> RuleItem {
    RuleItem(.queue(num: num?.expression, flags: flags.isEmpty ? nil : FlagList(flags.map(\.rawValue))))
}

/// An anonymous chain: `jump { rule(counter); rule(ip.saddr == lan, accept) }` is nft's
/// `jump { counter; ip saddr … accept; }`. libnftables' JSON cannot carry one, so it reaches
/// the kernel as text: the DSL leaves a `DSLMarker` that the tool prints.
public func jump(@ChainBuilder _ rules: () -> [RuleDecl]) -> RuleItem { anonymousChain("jump", rules()) }
/// `goto { … }`: an anonymous chain that does not return to the rule that went to it.
public func goto(@ChainBuilder _ rules: () -> [RuleDecl]) -> RuleItem { anonymousChain("goto", rules()) }

func anonymousChain(_ verdict: String, _ rules: [RuleDecl]) -> RuleItem {
    RuleItem(.text(DSLMarker.anonymousChain(verdict, rules.map { ($0.statements, $0.comment) }).text))
}
