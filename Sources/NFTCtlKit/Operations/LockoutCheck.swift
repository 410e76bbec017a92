import NFTAnalysis

/// Before an apply over SSH: would the new rules cut this very session, or stop the same
/// client from connecting again? The SSH session's packets (`SSH_CONNECTION` = client ip,
/// client port, server ip, server port) are traced offline through the desired ruleset:
/// the established session in both directions, and a new connection from the same client.
public enum LockoutCheck {
    public struct Finding: Sendable {
        public var packet: String
        public var verdict: TraceVerdict
        public var reason: String
    }

    /// The packets of an SSH session as `nftctl trace` writes them; nil when the variable
    /// is not `CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT`.
    public static func packets(sshConnection: String) -> [String]? {
        let parts = sshConnection.split(separator: " ").map(String.init)
        guard parts.count == 4, let cport = Int(parts[1]), let sport = Int(parts[3]) else { return nil }
        func ep(_ ip: String, _ port: Int) -> String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }
        let client = parts[0], server = parts[2]
        return [
            "tcp \(ep(client, cport)) -> \(ep(server, sport)) state established",
            "tcp \(ep(server, sport)) -> \(ep(client, cport)) hook output state established",
            "tcp \(ep(client, 40000)) -> \(ep(server, sport)) state new"
        ]
    }

    /// What the desired ruleset does to each SSH packet; only definite refusals and
    /// undetermined verdicts are returned.
    public static func findings(state: RulesetState, sshConnection: String) -> [Finding] {
        guard let packets = packets(sshConnection: sshConnection) else { return [] }
        var out: [Finding] = []
        let sim = Simulator(state: state)
        for p in packets {
            guard let spec = try? PacketSpec.parse(p) else { continue }
            let t = sim.trace(spec)
            if t.verdict != .accept { out.append(Finding(packet: p, verdict: t.verdict, reason: t.reason)) }
        }
        return out
    }
}

/// The apply would lock out the SSH session it runs in.
public struct LockoutRefusal: Sendable, OptionMessage {
    public var findings: [LockoutCheck.Finding]
    public init(findings: [LockoutCheck.Finding]) { self.findings = findings }
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        "refusing to apply: these rules would cut the SSH connection this command runs over (SSH_CONNECTION):\n"
            + findings.map { "  \($0.packet) => \($0.verdict.rawValue): \($0.reason)" }.joined(separator: "\n")
            + "\nfix the rules, or pass \(spell(.force)) if you are sure (consider \(spell(.confirm)) 60s so a mistake rolls itself back)"
    }
}
