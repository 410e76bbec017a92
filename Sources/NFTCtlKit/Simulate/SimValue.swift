import NFTAnalysis

/// What the evaluator knows about something: a value, "not there" (the match fails, as
/// in the kernel when a header is missing), or "cannot tell" (the trace is undetermined).
enum Known<T> {
    case value(T)
    /// The packet has no such field: every comparison on it fails.
    case absent(String)
    /// The description does not say: the comparison cannot be evaluated.
    case unknown(String)

    func map<U>(_ f: (T) -> U) -> Known<U> {
        switch self {
        case .value(let v): return .value(f(v))
        case .absent(let r): return .absent(r)
        case .unknown(let r): return .unknown(r)
        }
    }
}

/// How a field's values are written, so a rule's literal can be read in the same terms.
enum ValueKind: Sendable, Hashable {
    case ipv4, ipv6, port, integer, proto, icmpType, icmpv6Type, ctState, ctStatus, ctDirection
    case tcpFlags, nfproto, etherType, ifname

    var isBitmask: Bool { self == .ctState || self == .ctStatus || self == .tcpFlags }

    var symbols: [String: UInt128]? {
        switch self {
        case .proto: return Symbols.protocols
        case .icmpType: return Symbols.icmpTypes
        case .icmpv6Type: return Symbols.icmpv6Types
        case .ctState: return Symbols.ctStates
        case .ctStatus: return Symbols.ctStatus
        case .ctDirection: return Symbols.ctDirections
        case .tcpFlags: return Symbols.tcpFlags
        case .nfproto: return Symbols.nfprotos
        case .etherType: return Symbols.etherTypes
        case .port: return Symbols.services
        default: return nil
        }
    }
}

/// One field of the packet as the evaluator sees it.
struct Field: Hashable {
    var kind: ValueKind
    var number: UInt128 = 0
    /// Interface names.
    var name: String?

    init(_ kind: ValueKind, _ number: UInt128) { self.kind = kind; self.number = number }
    init(name: String) { self.kind = .ifname; self.name = name }

    /// The value as a person would write it.
    var text: String {
        switch kind {
        case .ifname: return "\"\(name ?? "")\""
        case .ipv4: return IPAddress.format(number, version: 4)
        case .ipv6: return IPAddress.format(number, version: 6)
        case .proto: return Symbols.protocolName(number)
        case .integer where number > 9: return "\(number) (0x\(String(number, radix: 16)))"
        default:
            if let table = kind.symbols, kind != .port {
                if kind.isBitmask {
                    let names = table.filter { $0.value & number != 0 && $0.value != 0 }.map(\.key).sorted()
                    if !names.isEmpty { return names.joined(separator: ",") }
                }
                if let n = table.first(where: { $0.value == number })?.key { return n }
            }
            return String(number)
        }
    }
}

/// One element of a rule's right-hand side, for one field.
enum Pattern: Hashable {
    case exact(UInt128)
    case interval(UInt128, UInt128)
    case name(String)
    /// `eth*`: any name with this prefix.
    case namePrefix(String)

    func matches(_ f: Field) -> Bool {
        switch self {
        case .exact(let v): return f.kind != .ifname && f.number == v
        case .interval(let lo, let hi): return f.kind != .ifname && lo <= f.number && f.number <= hi
        case .name(let n): return f.name == n
        case .namePrefix(let p): return f.name?.hasPrefix(p) ?? false
        }
    }
}
