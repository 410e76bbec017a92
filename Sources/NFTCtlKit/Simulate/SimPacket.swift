import NFTAnalysis

/// The packet while it travels: the description plus what NAT and mangling changed.
/// A nil address or port is unknown; `unknownWhy` says why.
struct SimPacket {
    var spec: PacketSpec
    var saddr: IPAddress?
    var daddr: IPAddress?
    var sport: Int?
    var dport: Int?
    var unknownWhy: [String: String] = [:]
    var mark: UInt128
    var ctMark: UInt128?
    /// `untracked` after `notrack`, otherwise the description's state.
    var state: PacketSpec.State?
    var didDNAT = false
    var didSNAT = false
    /// Fields a statement changed in a way the evaluator does not model (by nft text).
    var clobbered: [String: String] = [:]

    init(_ spec: PacketSpec) {
        self.spec = spec
        saddr = spec.saddr; daddr = spec.daddr; sport = spec.sport; dport = spec.dport
        mark = UInt128(spec.mark)
        state = spec.state
        if let m = spec.ctMark { ctMark = UInt128(m) } else if spec.state == .new { ctMark = 0 }
        if spec.sport == nil { unknownWhy["sport"] = "the description gives no source port" }
        if spec.dport == nil { unknownWhy["dport"] = "the description gives no destination port" }
    }

    /// `tcp 10.0.0.9:40000 -> 172.18.0.2:80`, with `?` for what is unknown.
    var summary: String {
        func end(_ a: IPAddress?, _ p: Int?, hasPort: Bool) -> String {
            var s = a.map { $0.version == 6 && hasPort && p != nil ? "[\($0)]" : $0.description } ?? "?"
            if hasPort, let p { s += ":\(p)" }
            return s
        }
        let ports = spec.proto == .tcp || spec.proto == .udp || spec.proto == .sctp
        return "\(spec.proto.rawValue) \(end(saddr, sport, hasPort: ports)) -> \(end(daddr, dport, hasPort: ports))"
    }
}
