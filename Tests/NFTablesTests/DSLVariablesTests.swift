import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// Variables of standard types work where literals do, and lower to the same JSON.
@Suite struct DSLVariablesTests {
    @Test func variablesLowerLikeLiterals() {
        let office = "10.1.0.0/16", office6 = "2001:db8::/48", port = 22, ports = [80, 443]
        let hosts = ["10.0.0.1", "10.0.0.2"], iface = "eth0", service = "ssh"
        #expect(lowered(ip.saddr == office) == lowered(ip.saddr == "10.1.0.0/16"))
        #expect(lowered(ip6.saddr != office6) == lowered(ip6.saddr != "2001:db8::/48"))
        #expect(lowered(ip.daddr == hosts) == lowered(ip.daddr == ["10.0.0.1", "10.0.0.2"]))
        #expect(lowered(tcp.dport == port) == lowered(tcp.dport == 22))
        #expect(lowered(tcp.dport == ports) == lowered(tcp.dport == [80, 443]))
        #expect(lowered(tcp.dport == service) == lowered(tcp.dport == "ssh"))
        #expect(lowered(meta.iifname == iface) == lowered(meta.iifname == "eth0"))
        #expect(lowered(ip.saddr == office) != lowered(ip.saddr == "10.2.0.0/16"))
    }

    @Test func andJoinsMatchesLikeCommas() {
        let both = ip.saddr == "10.0.0.1" && tcp.dport == 22
        #expect(lowered(both) == lowered(ip.saddr == "10.0.0.1", tcp.dport == 22))
        #expect(both.statements.count == 2)
    }

    @Test func aNonVerdictInAVerdictMapIsMarked() {
        let entry = 22 => counter
        guard case .raw(.string(let s)) = entry.data else {
            Issue.record("expected a marker, got \(entry.data)")
            return
        }
        #expect(DSLMarker(s)?.statements == counter.statements)
        #expect((22 => accept).data == .verdict(.accept))
    }
}
