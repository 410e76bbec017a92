/// Number, string and duration formatting as nft prints them, Foundation-free.
enum ValueFormat {
    static func number(_ n: Int64, _ type: ValueType?, _ context: PrintContext) -> String {
        if n < 0 { return String(n) }
        return unsigned(UInt64(n), type, context)
    }

    static func unsigned(_ n: UInt64, _ type: ValueType?, _ context: PrintContext) -> String {
        switch type?.number ?? .decimal {
        case .decimal: return String(n)
        case .hex(let width): return hex(n, width: width)
        case .time: return duration(seconds: n)
        case .proto:
            if !context.numericProtocol, let name = protocolNames[n] { return name }
            return String(n)
        }
    }

    static func hex(_ n: UInt64, width: Int) -> String {
        let digits = String(n, radix: 16)
        let pad = width > digits.count ? String(repeating: "0", count: width - digits.count) : ""
        return "0x" + pad + digits
    }

    /// A string value. Set references (`@name`) and hex literals never take quotes.
    static func string(_ s: String, _ type: ValueType?) -> String {
        if let ref = SetReference(reference: s) { return "@" + SafeText.name(ref.name) }
        switch type?.quoting ?? .never {
        case .never: return SafeText.escape(s)
        case .always: return quote(s)
        case .unlessNumeric: return !s.isEmpty && s.allSatisfy(\.isASCIIDigit) ? s : quote(s)
        }
    }

    /// A quoted string; see `SafeText.quoted` (control characters and `"` are escaped).
    static func quote(_ s: String) -> String { SafeText.quoted(s) }

    /// nft's `time_print`: days, hours, minutes and seconds, each only when non-zero.
    static func duration(seconds: UInt64) -> String { TimeSpan(milliseconds: Int64(clamping: seconds) &* 1000).description }

    static func duration(_ t: TimeSpan) -> String { t.description }

    static func duration(milliseconds: UInt64) -> String { TimeSpan(milliseconds: Int64(clamping: milliseconds)).description }

    /// `/etc/protocols` names nft prints for layer-4 protocol numbers.
    static let protocolNames: [UInt64: String] = [
        0: "ip", 1: "icmp", 2: "igmp", 3: "ggp", 4: "ipencap", 5: "st", 6: "tcp", 8: "egp", 9: "igp",
        12: "pup", 17: "udp", 20: "hmp", 22: "xns-idp", 27: "rdp", 29: "iso-tp4", 33: "dccp", 36: "xtp",
        37: "ddp", 38: "idpr-cmtp", 41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp",
        47: "gre", 50: "esp", 51: "ah", 57: "skip", 58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts",
        73: "rspf", 81: "vmtp", 88: "eigrp", 89: "ospf", 93: "ax.25", 94: "ipip", 97: "etherip",
        98: "encap", 103: "pim", 108: "ipcomp", 112: "vrrp", 115: "l2tp", 124: "isis", 132: "sctp",
        133: "fc", 135: "mobility-header", 136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip",
        140: "shim6", 141: "wesp", 142: "rohc", 143: "ethernet", 262: "mptcp"
    ]
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
