import Foundation
import Testing

/// `explain FILE --packet` tells CI what happened to the packet through its exit status, as
/// `trace` does: 0 accept, 1 drop.
struct ExplainPacketExitTests {
    @Test func exitStatusFollowsTheVerdict() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-packet-\(getpid()).json").path
        try #"""
        {"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}},
        {"add": {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
        {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 23}}, {"drop": null}]}}}]}
        """#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let dropped = Shell.run([Shell.nftctl, "explain", file, "--packet", "tcp 198.51.100.7:40000 -> 203.0.113.10:23 state new"])
        #expect(dropped.status == 1, "\(dropped.stdout)\(dropped.stderr)")
        let accepted = Shell.run([Shell.nftctl, "explain", file, "--packet", "tcp 198.51.100.7:40000 -> 203.0.113.10:22 state new"])
        #expect(accepted.status == 0, "\(accepted.stdout)\(accepted.stderr)")
        let trace = Shell.run([Shell.nftctl, "trace", file, "--packet", "tcp 198.51.100.7:40000 -> 203.0.113.10:23 state new"])
        #expect(trace.status == dropped.status)
    }
}
