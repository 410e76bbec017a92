// Symbolic values with completion-friendly names. Each is its own type so that
// `ct.state == .established` completes and type-checks with one overload.
// (Written with a small script; edit freely.)

/// Ct state values; any other spelling nft knows works as a string literal.
public struct CTState: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: CTState...) { expression = .set(elements.map(\.expression), single: false) }
    public static let invalid = CTState(.string("invalid"))
    public static let established = CTState(.string("established"))
    public static let related = CTState(.string("related"))
    public static let `new` = CTState(.string("new"))
    public static let untracked = CTState(.string("untracked"))
    /// A bit combination: `.syn | .ack` (nft `syn,ack`).
    public static func | (a: CTState, b: CTState) -> CTState {
        func parts(_ e: Expression) -> [Expression] { if case .list(let l) = e { return l }; return [e] }
        return CTState(.list(parts(a.expression) + parts(b.expression)))
    }
}

/// Ct status values; any other spelling nft knows works as a string literal.
public struct CTStatus: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: CTStatus...) { expression = .set(elements.map(\.expression), single: false) }
    public static let expected = CTStatus(.string("expected"))
    public static let seenReply = CTStatus(.string("seen-reply"))
    public static let assured = CTStatus(.string("assured"))
    public static let confirmed = CTStatus(.string("confirmed"))
    public static let snat = CTStatus(.string("snat"))
    public static let dnat = CTStatus(.string("dnat"))
    public static let dying = CTStatus(.string("dying"))
    /// A bit combination: `.syn | .ack` (nft `syn,ack`).
    public static func | (a: CTStatus, b: CTStatus) -> CTStatus {
        func parts(_ e: Expression) -> [Expression] { if case .list(let l) = e { return l }; return [e] }
        return CTStatus(.list(parts(a.expression) + parts(b.expression)))
    }
}

/// Ct direction values; any other spelling nft knows works as a string literal.
public struct CTDirection: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: CTDirection...) { expression = .set(elements.map(\.expression), single: false) }
    public static let original = CTDirection(.string("original"))
    public static let reply = CTDirection(.string("reply"))
}

/// TCP flags; any other spelling nft knows works as a string literal.
public struct TCPFlag: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: TCPFlag...) { expression = .set(elements.map(\.expression), single: false) }
    public static let fin = TCPFlag(.string("fin"))
    public static let syn = TCPFlag(.string("syn"))
    public static let rst = TCPFlag(.string("rst"))
    public static let psh = TCPFlag(.string("psh"))
    public static let ack = TCPFlag(.string("ack"))
    public static let urg = TCPFlag(.string("urg"))
    public static let ecn = TCPFlag(.string("ecn"))
    public static let cwr = TCPFlag(.string("cwr"))
    /// A bit combination: `.syn | .ack` (nft `syn,ack`).
    public static func | (a: TCPFlag, b: TCPFlag) -> TCPFlag {
        func parts(_ e: Expression) -> [Expression] { if case .list(let l) = e { return l }; return [e] }
        return TCPFlag(.list(parts(a.expression) + parts(b.expression)))
    }
}

/// ICMP types; any other spelling nft knows works as a string literal.
public struct ICMPType: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: ICMPType...) { expression = .set(elements.map(\.expression), single: false) }
    public static let echoReply = ICMPType(.string("echo-reply"))
    public static let destinationUnreachable = ICMPType(.string("destination-unreachable"))
    public static let sourceQuench = ICMPType(.string("source-quench"))
    public static let redirect = ICMPType(.string("redirect"))
    public static let echoRequest = ICMPType(.string("echo-request"))
    public static let routerAdvertisement = ICMPType(.string("router-advertisement"))
    public static let routerSolicitation = ICMPType(.string("router-solicitation"))
    public static let timeExceeded = ICMPType(.string("time-exceeded"))
    public static let parameterProblem = ICMPType(.string("parameter-problem"))
    public static let timestampRequest = ICMPType(.string("timestamp-request"))
    public static let timestampReply = ICMPType(.string("timestamp-reply"))
    public static let infoRequest = ICMPType(.string("info-request"))
    public static let infoReply = ICMPType(.string("info-reply"))
    public static let addressMaskRequest = ICMPType(.string("address-mask-request"))
    public static let addressMaskReply = ICMPType(.string("address-mask-reply"))
}

/// ICMPv6 types; any other spelling nft knows works as a string literal.
public struct ICMPv6Type: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: ICMPv6Type...) { expression = .set(elements.map(\.expression), single: false) }
    public static let destinationUnreachable = ICMPv6Type(.string("destination-unreachable"))
    public static let packetTooBig = ICMPv6Type(.string("packet-too-big"))
    public static let timeExceeded = ICMPv6Type(.string("time-exceeded"))
    public static let parameterProblem = ICMPv6Type(.string("parameter-problem"))
    public static let echoRequest = ICMPv6Type(.string("echo-request"))
    public static let echoReply = ICMPv6Type(.string("echo-reply"))
    public static let mldListenerQuery = ICMPv6Type(.string("mld-listener-query"))
    public static let mldListenerReport = ICMPv6Type(.string("mld-listener-report"))
    public static let mldListenerDone = ICMPv6Type(.string("mld-listener-done"))
    public static let ndRouterSolicit = ICMPv6Type(.string("nd-router-solicit"))
    public static let ndRouterAdvert = ICMPv6Type(.string("nd-router-advert"))
    public static let ndNeighborSolicit = ICMPv6Type(.string("nd-neighbor-solicit"))
    public static let ndNeighborAdvert = ICMPv6Type(.string("nd-neighbor-advert"))
    public static let ndRedirect = ICMPv6Type(.string("nd-redirect"))
    public static let routerRenumbering = ICMPv6Type(.string("router-renumbering"))
    public static let indNeighborSolicit = ICMPv6Type(.string("ind-neighbor-solicit"))
    public static let indNeighborAdvert = ICMPv6Type(.string("ind-neighbor-advert"))
    public static let mld2ListenerReport = ICMPv6Type(.string("mld2-listener-report"))
}

/// Layer 4 protocols; any other spelling nft knows works as a string literal.
public struct L4Proto: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: L4Proto...) { expression = .set(elements.map(\.expression), single: false) }
    public static let tcp = L4Proto(.string("tcp"))
    public static let udp = L4Proto(.string("udp"))
    public static let udplite = L4Proto(.string("udplite"))
    public static let icmp = L4Proto(.string("icmp"))
    public static let ipv6Icmp = L4Proto(.string("ipv6-icmp"))
    public static let sctp = L4Proto(.string("sctp"))
    public static let dccp = L4Proto(.string("dccp"))
    public static let gre = L4Proto(.string("gre"))
    public static let esp = L4Proto(.string("esp"))
    public static let ah = L4Proto(.string("ah"))
    public static let comp = L4Proto(.string("comp"))
    public static let igmp = L4Proto(.string("igmp"))
}

/// Meta pkttype values; any other spelling nft knows works as a string literal.
public struct PacketType: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: PacketType...) { expression = .set(elements.map(\.expression), single: false) }
    public static let host = PacketType(.string("host"))
    public static let broadcast = PacketType(.string("broadcast"))
    public static let multicast = PacketType(.string("multicast"))
    public static let other = PacketType(.string("other"))
}

/// Fib address types; any other spelling nft knows works as a string literal.
public struct AddressType: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: AddressType...) { expression = .set(elements.map(\.expression), single: false) }
    public static let unspec = AddressType(.string("unspec"))
    public static let unicast = AddressType(.string("unicast"))
    public static let local = AddressType(.string("local"))
    public static let broadcast = AddressType(.string("broadcast"))
    public static let anycast = AddressType(.string("anycast"))
    public static let multicast = AddressType(.string("multicast"))
    public static let blackhole = AddressType(.string("blackhole"))
    public static let unreachable = AddressType(.string("unreachable"))
    public static let prohibit = AddressType(.string("prohibit"))
}

/// Meta nfproto values; any other spelling nft knows works as a string literal.
public struct NFProto: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: NFProto...) { expression = .set(elements.map(\.expression), single: false) }
    public static let ipv4 = NFProto(.string("ipv4"))
    public static let ipv6 = NFProto(.string("ipv6"))
}

/// Ether types; any other spelling nft knows works as a string literal.
public struct EtherType: ValueExpression, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    public var expression: Expression
    public init(_ expression: Expression) { self.expression = expression }
    public init(stringLiteral s: String) { expression = .string(s) }
    public init(integerLiteral n: Int) { expression = .number(Int64(n)) }
    public init(arrayLiteral elements: EtherType...) { expression = .set(elements.map(\.expression), single: false) }
    public static let ip = EtherType(.string("ip"))
    public static let ip6 = EtherType(.string("ip6"))
    public static let arp = EtherType(.string("arp"))
    public static let vlan = EtherType(.string("vlan"))
    public static let _8021ad = EtherType(.string("8021ad"))
}
