import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// An element's key as the kernel holds it (the `NFTA_DATA_VALUE` of `NFTA_SET_ELEM_KEY`),
/// written by nftctl for the key types whose bytes are fixed and the same on any host:
/// IPv4 and IPv6 addresses and ports (`inet_service`), all in network order. What
/// `EchoedListing` checks a set's added and deleted elements against in the kernel's own
/// dump of the set, without libnftables decoding it.
enum ElementKey {
    enum KeyType: Equatable {
        case ipv4, ipv6, port

        /// The key type of a set declared `type T` or `typeof` one packet field; nil for any other.
        init?(_ type: SetKeyType?) {
            switch type {
            case .named("ipv4_addr")?: self = .ipv4
            case .named("ipv6_addr")?: self = .ipv6
            case .named("inet_service")?: self = .port
            case .typeof(let e)?:
                guard let p = e.json["payload"], let proto = p["protocol"]?.stringValue, let field = p["field"]?.stringValue
                else { return nil }
                switch (proto, field) {
                case ("ip", "saddr"), ("ip", "daddr"): self = .ipv4
                case ("ip6", "saddr"), ("ip6", "daddr"): self = .ipv6
                case ("tcp", "sport"), ("tcp", "dport"), ("udp", "sport"), ("udp", "dport"), ("th", "sport"), ("th", "dport"):
                    self = .port
                default: return nil
                }
            default: return nil
            }
        }
    }

    /// The kernel's bytes for element `x` (a value, or an `elem` with a comment at most) of a
    /// set keyed by `type`; nil for anything else (a prefix, a range, a name, a timeout).
    static func bytes(_ x: NFTModel.Expression, type: KeyType) -> [UInt8]? {
        var value = x
        if case .elem(let el) = x {
            guard el.timeout == nil, el.expires == nil, el.statements.isEmpty else { return nil }
            value = el.val
        }
        switch (type, value.json) {
        case (.ipv4, .string(let s)): return address(s, family: AF_INET, size: 4)
        case (.ipv6, .string(let s)): return address(s, family: AF_INET6, size: 16)
        case (.port, .int(let n)) where (0...65535).contains(n): return [UInt8(n >> 8), UInt8(n & 0xff)]
        case (.port, .uint(let n)) where n <= 65535: return [UInt8(n >> 8), UInt8(n & 0xff)]
        default: return nil
        }
    }

    /// `bytes` of a plain value alone (no `elem` with a comment, timeout or statement):
    /// what nftctl sends itself (`KernelBatch.elements`) and checks keys against (`KernelRuleBytes.keysRead`).
    static func plainBytes(_ x: NFTModel.Expression, type: KeyType) -> [UInt8]? {
        switch x {
        case .string, .number, .unsigned: return bytes(x, type: type)
        default: return nil
        }
    }

    /// `inet_pton`, which takes only a plain address (no prefix, no name).
    private static func address(_ s: String, family: Int32, size: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: 16)
        let ok = out.withUnsafeMutableBytes { inet_pton(family, s, $0.baseAddress) }
        return ok == 1 ? Array(out.prefix(size)) : nil
    }
}
