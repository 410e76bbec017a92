import NFTables

/// A packet described in one line, the input of a trace:
///
///     PROTO SRC[:PORT] -> DST[:PORT] [iif NAME] [oif NAME] [state S] [hook H] [mark N]
///                                    [type ICMPTYPE] [code N] [flags F,F...] [ctmark N]
///
/// PROTO is tcp, udp, icmp, icmpv6 or sctp; addresses are IPv4 or IPv6 (`[v6]:port` for an
/// IPv6 address with a port). What the line leaves out is unknown to the evaluator, except
/// the documented defaults: mark 0, and for icmp/icmpv6 type echo-request code 0.
public struct PacketSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Proto: String, Sendable, CaseIterable { case tcp, udp, icmp, icmpv6, sctp }
    public enum State: String, Sendable, CaseIterable { case new, established, related, invalid, untracked }

    public var proto: Proto
    public var saddr: IPAddress
    public var daddr: IPAddress
    public var sport: Int?
    public var dport: Int?
    public var iif: String?
    public var oif: String?
    public var state: State?
    public var hook: Hook?
    public var mark: UInt32 = 0
    public var ctMark: UInt32?
    public var icmpType: UInt8?
    public var icmpCode: UInt8?
    /// TCP flag bits (`flags syn,ack`), when given.
    public var tcpFlags: UInt8?
    /// The original text, for reports.
    public var text: String

    public var version: Int { saddr.version }
    public var l4: UInt128 {
        switch proto {
        case .tcp: return 6
        case .udp: return 17
        case .icmp: return 1
        case .icmpv6: return 58
        case .sctp: return 132
        }
    }

    public var description: String { text }

    public init(
        proto: Proto, saddr: IPAddress, daddr: IPAddress, sport: Int? = nil, dport: Int? = nil,
        text: String = ""
    ) {
        self.proto = proto; self.saddr = saddr; self.daddr = daddr; self.sport = sport; self.dport = dport
        self.text = text
    }
}

/// Why a packet description cannot be read; names the offending token.
public struct PacketSpecError: Sendable, Equatable, DiagnosticError {
    public var message: String
    public var token: String?
    public init(_ message: String, token: String? = nil) { self.message = message; self.token = token }
    public var diagnostics: [Diagnostic] { [.error(message)] }
}

extension PacketSpec {
    /// Parses a packet description (grammar above). Errors name the token that is wrong.
    public static func parse(_ line: String) throws(PacketSpecError) -> PacketSpec {
        let text = line.trimmingWhitespace
        var tokens = text.replacingArrow.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard !tokens.isEmpty else { throw PacketSpecError("empty packet description; expected PROTO SRC -> DST") }
        let protoToken = tokens.removeFirst()
        guard let proto = Proto(rawValue: protoToken.lowercased()) ?? (protoToken == "ipv6-icmp" ? .icmpv6 : nil) else {
            throw PacketSpecError(
                "unknown protocol '\(protoToken)': expected one of tcp, udp, icmp, icmpv6, sctp",
                token: protoToken)
        }
        guard tokens.count >= 3 else {
            throw PacketSpecError("incomplete packet description '\(text)': expected \(protoToken) SRC[:PORT] -> DST[:PORT]")
        }
        let src = tokens.removeFirst()
        let arrow = tokens.removeFirst()
        guard arrow == "->" else { throw PacketSpecError("expected '->' after the source, found '\(arrow)'", token: arrow) }
        let dst = tokens.removeFirst()
        let (saddr, sport) = try endpoint(src, role: "source", proto: proto)
        let (daddr, dport) = try endpoint(dst, role: "destination", proto: proto)
        guard saddr.version == daddr.version else {
            throw PacketSpecError("source \(saddr) and destination \(daddr) are of different IP versions", token: dst)
        }
        if proto == .icmp && saddr.version == 6 {
            throw PacketSpecError("icmp is IPv4's; use icmpv6 for IPv6 addresses", token: protoToken)
        }
        if proto == .icmpv6 && saddr.version == 4 {
            throw PacketSpecError("icmpv6 needs IPv6 addresses; use icmp for IPv4", token: protoToken)
        }
        var spec = PacketSpec(proto: proto, saddr: saddr, daddr: daddr, sport: sport, dport: dport, text: text)
        while !tokens.isEmpty {
            let key = tokens.removeFirst()
            guard !tokens.isEmpty else {
                throw PacketSpecError("'\(key)' needs a value", token: key)
            }
            let value = tokens.removeFirst()
            switch key.lowercased() {
            case "iif", "iifname": spec.iif = value
            case "oif", "oifname": spec.oif = value
            case "state", "ct":
                guard let s = State(rawValue: value.lowercased()) else {
                    throw PacketSpecError(
                        "unknown state '\(value)': expected new, established, related, invalid or untracked", token: value)
                }
                spec.state = s
            case "hook":
                guard let h = Hook(rawValue: value.lowercased()), Hook.ipHooks.contains(h) else {
                    throw PacketSpecError(
                        "unknown hook '\(value)': expected prerouting, input, forward, output or postrouting", token: value)
                }
                spec.hook = h
            case "mark": spec.mark = try number(value, key: key)
            case "ctmark": spec.ctMark = try number(value, key: key)
            case "type":
                guard proto == .icmp || proto == .icmpv6 else {
                    throw PacketSpecError("'type' is only for icmp and icmpv6 packets", token: key)
                }
                let table = proto == .icmp ? Symbols.icmpTypes : Symbols.icmpv6Types
                if let t = table[value.lowercased()] {
                    spec.icmpType = UInt8(t)
                } else {
                    let n: UInt32 = try number(value, key: key)
                    guard n <= 255 else { throw PacketSpecError("icmp type \(value) is out of range", token: value) }
                    spec.icmpType = UInt8(n)
                }
            case "code":
                let n: UInt32 = try number(value, key: key)
                guard n <= 255 else { throw PacketSpecError("icmp code \(value) is out of range", token: value) }
                spec.icmpCode = UInt8(n)
            case "flags":
                guard proto == .tcp else { throw PacketSpecError("'flags' is only for tcp packets", token: key) }
                var bits: UInt8 = 0
                for f in value.split(separator: ",") {
                    guard let b = Symbols.tcpFlags[f.lowercased()] else {
                        throw PacketSpecError("unknown tcp flag '\(f)': expected fin, syn, rst, psh, ack, urg, ecn, cwr", token: String(f))
                    }
                    bits |= UInt8(b)
                }
                spec.tcpFlags = bits
            default:
                throw PacketSpecError(
                    "unknown word '\(key)': expected iif, oif, state, hook, mark, ctmark, type, code or flags", token: key)
            }
        }
        if proto == .icmp || proto == .icmpv6 {
            if spec.icmpType == nil { spec.icmpType = proto == .icmp ? 8 : 128 }
            if spec.icmpCode == nil { spec.icmpCode = 0 }
        }
        return spec
    }

    static func number(_ text: String, key: String) throws(PacketSpecError) -> UInt32 {
        let v: UInt32? = text.lowercased().hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
        guard let v else { throw PacketSpecError("'\(key)' needs a number, found '\(text)'", token: text) }
        return v
    }

    /// `ADDR`, `ADDR:PORT`, `[V6]`, `[V6]:PORT`.
    static func endpoint(_ token: String, role: String, proto: Proto) throws(PacketSpecError) -> (IPAddress, Int?) {
        var addrText = token
        var portText: String?
        if token.hasPrefix("[") {
            guard let close = token.firstIndex(of: "]") else {
                throw PacketSpecError("\(role) '\(token)': missing ']' after the IPv6 address", token: token)
            }
            addrText = String(token[token.index(after: token.startIndex)..<close])
            let rest = token[token.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else {
                    throw PacketSpecError("\(role) '\(token)': expected ':PORT' after ']'", token: token)
                }
                portText = String(rest.dropFirst())
            }
        } else if token.filter({ $0 == ":" }).count == 1 {
            let parts = token.split(separator: ":", omittingEmptySubsequences: false)
            addrText = String(parts[0]); portText = String(parts[1])
        }
        guard let addr = IPAddress(addrText) else {
            throw PacketSpecError("\(role) '\(addrText)' is not an IPv4 or IPv6 address", token: token)
        }
        guard let portText else { return (addr, nil) }
        guard proto == .tcp || proto == .udp || proto == .sctp else {
            throw PacketSpecError("\(role) '\(token)': \(proto.rawValue) has no ports", token: token)
        }
        guard let p = Int(portText), (0...65535).contains(p) else {
            throw PacketSpecError("\(role) '\(token)': port '\(portText)' is not a number from 0 to 65535", token: token)
        }
        return (addr, p)
    }
}

extension String {
    var trimmingWhitespace: String {
        let ws: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(self.drop(while: ws).reversed().drop(while: ws).reversed())
    }

    /// `a->b` becomes `a -> b`.
    var replacingArrow: String { self.replacing("->", with: " -> ") }
}
