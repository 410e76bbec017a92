/// A netfilter hook, and the one account of where chains run on it that explain, trace
/// and the DSL share: hooks in packet order, the priority the kernel runs a chain at, and
/// where netfilter's own work (defragmentation, connection tracking, NAT) sits.
public enum Hook: String, Sendable, Hashable, CaseIterable {
    case ingress, prerouting, input, forward, output, postrouting, egress

    /// The IPv4/IPv6 hooks a packet (and `nftctl trace`) can pass.
    public static let ipHooks: [Hook] = [.prerouting, .input, .forward, .output, .postrouting]

    /// Position in a packet's life (ingress first, egress last), for listing hooks in order.
    public var packetOrder: Int { Hook.allCases.firstIndex(of: self) ?? 0 }

    /// The priority at which the kernel runs a base chain of `type` with priority `prio` on
    /// this hook (ip, ip6, inet): every nat chain is called from the NAT core, registered at
    /// dstnat (-100) in prerouting and output and at srcnat (100) in input and postrouting;
    /// a nat chain's own priority orders it only among nat chains.
    public func runPriority(type: String?, prio: Int64) -> Int64 {
        guard type == "nat" else { return prio }
        return self == .prerouting || self == .output ? -100 : 100
    }

    /// Orders base chains as the kernel runs them on this hook: by run priority, then by
    /// their own priority, then in declaration order (where the kernel's order is not defined).
    public func runOrder<T>(_ chains: [T], type: (T) -> String?, prio: (T) -> Int64) -> [T] {
        chains.enumerated()
            .map { (key: (runPriority(type: type($0.element), prio: prio($0.element)), prio($0.element), $0.offset), value: $0.element) }
            .sorted { $0.key < $1.key }
            .map(\.value)
    }

    /// Netfilter's own stages on this hook for IPv4/IPv6, by priority.
    public var landmarks: [(priority: Int64, what: String)] {
        switch self {
        case .prerouting, .output:
            return [(-400, "defragmentation"), (-200, "connection tracking"), (-100, "destination NAT")]
        case .input:
            return [(100, "source NAT"), (Int64(Int32.max), "conntrack confirmation")]
        case .postrouting:
            return [(100, "source NAT"), (Int64(Int32.max), "conntrack confirmation")]
        case .forward, .ingress, .egress:
            return []
        }
    }
}
