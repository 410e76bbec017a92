import Testing

@testable import NFTCtlKit

/// The packet description grammar and the TESTS file format.
@Suite struct SimulateParserTests {
    @Test func parsesIPv4WithPortsAndOptions() throws {
        let p = try PacketSpec.parse("tcp 198.51.100.7:40000 -> 203.0.113.10:443 iif eth0 state new mark 0x10")
        #expect(p.proto == .tcp)
        #expect(p.saddr.description == "198.51.100.7")
        #expect(p.sport == 40000)
        #expect(p.daddr.description == "203.0.113.10")
        #expect(p.dport == 443)
        #expect(p.iif == "eth0")
        #expect(p.state == .new)
        #expect(p.mark == 16)
        #expect(p.hook == nil)
    }

    @Test func parsesIPv6AndArrowWithoutSpaces() throws {
        let p = try PacketSpec.parse("udp [2001:db8::1]:5353->[2001:db8::2]:53 oif wan0 hook forward")
        #expect(p.version == 6)
        #expect(p.saddr.description == "2001:db8::1")
        #expect(p.dport == 53)
        #expect(p.oif == "wan0")
        #expect(p.hook == .forward)
        let q = try PacketSpec.parse("icmpv6 fe80::1 -> ::1")
        #expect(q.daddr.isLoopback)
        #expect(q.icmpType == 128, "icmpv6 defaults to echo-request")
        let r = try PacketSpec.parse("icmp 10.0.0.1 -> 10.0.0.2 type destination-unreachable code 3")
        #expect(r.icmpType == 3 && r.icmpCode == 3)
        let s = try PacketSpec.parse("tcp 10.0.0.1 -> 10.0.0.2:80 flags syn,ack")
        #expect(s.tcpFlags == 18)
        #expect(s.sport == nil)
    }

    @Test func ipv6Formatting() {
        #expect(IPAddress("2001:0db8:0:0:0:0:0:1")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:10.0.0.1")?.description == "::ffff:a00:1")
        #expect(IPAddress("1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(IPAddress("1::2::3") == nil)
        #expect(IPAddress("256.1.1.1") == nil)
    }

    @Test(arguments: [
        ("gre 1.2.3.4 -> 5.6.7.8", "gre"),
        ("tcp 1.2.3.4 => 5.6.7.8", "=>"),
        ("tcp 1.2.3.400 -> 5.6.7.8", "1.2.3.400"),
        ("tcp 1.2.3.4 -> 5.6.7.8:99999", "5.6.7.8:99999"),
        ("tcp 1.2.3.4 -> 5.6.7.8 state fresh", "fresh"),
        ("tcp 1.2.3.4 -> 5.6.7.8 hook ingress", "ingress"),
        ("tcp 1.2.3.4 -> 5.6.7.8 colour blue", "colour"),
        ("tcp 1.2.3.4 -> 5.6.7.8 mark lots", "lots"),
        ("tcp 1.2.3.4 -> 5.6.7.8 iif", "iif"),
        ("icmp 1.2.3.4:5 -> 5.6.7.8", "1.2.3.4:5"),
        ("tcp 1.2.3.4 -> 5.6.7.8 flags syn,bogus", "bogus"),
        ("icmp 2001:db8::1 -> 2001:db8::2", "icmp"),
        ("tcp 1.2.3.4 -> 2001:db8::2", "2001:db8::2")
    ])
    func errorsNameTheBadToken(_ text: String, _ token: String) {
        #expect {
            _ = try PacketSpec.parse(text)
        } throws: { error in
            guard let e = error as? PacketSpecError else { return false }
            return e.token == token && e.message.contains(token)
        }
    }

    @Test func incompleteAndEmpty() {
        #expect(throws: PacketSpecError.self) { try PacketSpec.parse("") }
        #expect(throws: PacketSpecError.self) { try PacketSpec.parse("tcp 1.2.3.4") }
    }

    @Test func assertionsFile() throws {
        let text = """
            # SSH is closed to the world
            tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop

            udp 10.0.0.2:5000 -> 10.0.0.1:53 => accept   # DNS
            """
        let a = try PacketAssertion.parseFile(text, path: "t.tests")
        #expect(a.count == 2)
        #expect(a[0].line == 2 && a[0].expected == .drop && a[0].packet.dport == 22)
        #expect(a[1].line == 4 && a[1].expected == .accept)
        #expect {
            _ = try PacketAssertion.parseFile("tcp 1.2.3.4 -> 5.6.7.8 => maybe\n", path: "t.tests")
        } throws: { ($0 as? PacketSpecError)?.message.hasPrefix("t.tests:1: unknown verdict 'maybe'") ?? false }
        #expect(throws: PacketSpecError.self) { try PacketAssertion.parse("tcp 1.2.3.4 -> 5.6.7.8 accept") }
    }

    /// Every bad line of a tests file is reported, each with its line, not only the first.
    @Test func everyBadAssertionIsReported() {
        let text = "tcp 1.2.3.4 -> 5.6.7.8 => maybe\ntcp 1.2.3.4 -> 5.6.7.8:22 => drop\nudp 1.2.3.4 -> 5.6.7.8 accept\n"
        #expect {
            _ = try PacketAssertion.parseFile(text, path: "t.tests")
        } throws: { error in
            let lines = (error as? PacketSpecError)?.message.split(separator: "\n") ?? []
            return lines.count == 2 && lines[0].hasPrefix("t.tests:1: unknown verdict") && lines[1].hasPrefix("t.tests:3: expected")
        }
    }
}
