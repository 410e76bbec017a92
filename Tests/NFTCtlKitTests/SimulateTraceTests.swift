import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Offline traces: jumps, gotos, returns, sets, maps, NAT, policies, priorities and what
/// cannot be decided.
@Suite struct SimulateTraceTests {
    @Test func seedDrop() throws {
        let s = try simulateState(
            """
            table ip filter {
              chain input {
                type filter hook input priority filter; policy accept;
                ip saddr 192.168.1.100 drop
              }
            }
            """)
        let t = try simulateTrace(s, "tcp 192.168.1.100:1234 -> 10.0.0.1:22 state new")
        #expect(t.verdict == .drop)
        #expect(t.reason.contains("rule 1 of ip filter input"))
        let r = try #require(t.steps.first { $0.rule == 1 })
        #expect(r.result == .matched && r.text == "ip saddr 192.168.1.100 drop")
        #expect(r.location?.line == 4)
        let other = try simulateTrace(s, "tcp 192.168.1.101 -> 10.0.0.1:22")
        #expect(other.verdict == .accept)
        #expect(other.steps.contains { $0.result == .policy })
        // IPv6 packets never see an ip table.
        #expect(try simulateTrace(s, "tcp ::1 -> ::2").steps.isEmpty)
    }

    static let jumps = """
        table inet f {
          chain admin {
            ip saddr 10.0.0.0/24 accept
            ip saddr 10.0.0.0/16 return
            drop
          }
          chain web {
            tcp dport { 80, 443 } accept
          }
          chain tail {
            udp dport 53 accept
          }
          chain input {
            type filter hook input priority 0; policy drop;
            tcp dport 22 jump admin
            tcp dport 22 ip saddr 10.0.0.0/8 accept
            jump web
            goto tail
            accept
          }
        }
        """

    @Test func jumpReturnGoto() throws {
        let s = try simulateState(Self.jumps)
        let a = try simulateTrace(s, "tcp 10.0.0.7 -> 10.9.9.9:22")
        #expect(a.verdict == .accept)
        #expect(a.steps.map(\.chain).contains("admin"))
        let r = try simulateTrace(s, "tcp 10.0.1.7 -> 10.9.9.9:22")
        #expect(r.verdict == .accept, "returns from admin, then rule 2 accepts 10/8")
        #expect(r.steps.contains { $0.result == .return && $0.chain == "admin" })
        #expect(r.reason.contains("rule 2 of inet f input"))
        let d = try simulateTrace(s, "tcp 192.0.2.1 -> 10.9.9.9:22")
        #expect(d.verdict == .drop && d.reason.contains("rule 3 of inet f admin"))
        // goto: the end of `tail` ends input (policy), rule 5 is never reached.
        let g = try simulateTrace(s, "udp 192.0.2.1 -> 10.9.9.9:54")
        #expect(g.verdict == .drop)
        #expect(g.reason.contains("policy drop of inet f input"))
        #expect(!g.steps.contains { $0.chain == "input" && $0.rule == 5 })
        let w = try simulateTrace(s, "tcp 192.0.2.1 -> 10.9.9.9:443")
        #expect(w.verdict == .accept && w.reason.contains("web"))
    }

    static let sets = """
        table inet f {
          set blocked { type ipv4_addr; flags interval; elements = { 198.51.100.0/24, 192.0.2.7 }; }
          set svc { type ipv4_addr . inet_service; flags interval; elements = { 10.0.0.0/8 . 22, 10.1.2.3 . 8000-8100 }; }
          map ports { type inet_service : verdict; elements = { 22 : jump ssh, 25 : drop }; }
          map marks { type ipv4_addr : mark; elements = { 10.5.0.1 : 7 }; }
          chain ssh { ip saddr 10.0.0.0/8 accept; drop; }
          chain input {
            type filter hook input priority 0; policy accept;
            ip saddr @blocked drop
            ip saddr . tcp dport @svc accept
            tcp dport vmap @ports
            udp dport vmap { 53 : accept, 123 : drop }
            meta mark set ip saddr map @marks
            meta mark 7 drop
          }
        }
        """

    @Test func namedSetsConcatenationsAndMaps() throws {
        let s = try simulateState(Self.sets)
        #expect(try simulateTrace(s, "tcp 198.51.100.20 -> 10.0.0.1:80").verdict == .drop)
        let c = try simulateTrace(s, "tcp 10.1.2.3 -> 10.0.0.1:8050")
        #expect(c.verdict == .accept && c.reason.contains("rule 2"))
        // vmap @ports: 22 jumps to ssh, which drops non-10/8 sources.
        let v = try simulateTrace(s, "tcp 192.0.2.8 -> 10.0.0.1:22")
        #expect(v.verdict == .drop && v.reason.contains("ssh"))
        #expect(try simulateTrace(s, "tcp 192.0.2.8 -> 10.0.0.1:25").verdict == .drop)
        #expect(try simulateTrace(s, "udp 192.0.2.8 -> 10.0.0.1:123").verdict == .drop)
        #expect(try simulateTrace(s, "udp 192.0.2.8 -> 10.0.0.1:53").verdict == .accept)
        // A map miss: no mark set, the mark stays 0.
        #expect(try simulateTrace(s, "udp 192.0.2.8 -> 10.0.0.1:99").verdict == .accept)
        // A data map sets the mark a later rule matches.
        let m = try simulateTrace(s, "udp 10.5.0.1 -> 10.0.0.1:99")
        #expect(m.verdict == .drop && m.reason.contains("rule 6"))
    }

    static let nat = """
        table ip nat {
          chain pre {
            type nat hook prerouting priority dstnat;
            iifname != "cbr0" tcp dport 8080 dnat to 172.18.0.2:80
          }
          chain post {
            type nat hook postrouting priority srcnat;
            ip saddr 172.18.0.0/16 oifname != "cbr0" masquerade
          }
        }
        table ip filter {
          chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            oifname "cbr0" ip daddr 172.18.0.2 tcp dport 80 ct status dnat accept
          }
        }
        """

    @Test func dnatChangesWhatLaterChainsSee() throws {
        let s = try simulateState(Self.nat)
        let t = try simulateTrace(s, "tcp 198.51.100.7:40000 -> 203.0.113.10:8080 iif eth0 oif cbr0 state new")
        #expect(t.verdict == .accept)
        #expect(t.finalPacket == "tcp 198.51.100.7:40000 -> 172.18.0.2:80")
        let fwd = try #require(t.steps.first { $0.chain == "forward" && $0.rule == 2 })
        #expect(fwd.result == .matched)
        #expect(t.steps.first { $0.chain == "pre" && $0.rule == 1 }?.detail.contains("becomes") == true)
        // Without the DNAT (another port) the forward chain drops it.
        let u = try simulateTrace(s, "tcp 198.51.100.7:40000 -> 203.0.113.10:9090 iif eth0 oif cbr0 state new")
        #expect(u.verdict == .drop)
        // An established packet skips the nat chains.
        let e = try simulateTrace(s, "tcp 198.51.100.7:40000 -> 172.18.0.2:80 iif eth0 oif cbr0 state established")
        #expect(e.verdict == .accept)
        #expect(e.steps.contains { $0.result == .skipped && $0.chain == "pre" })
        // With no oif the DNAT re-routes an input packet to forward (an assumption, said so).
        let r = try simulateTrace(s, "tcp 198.51.100.7:40000 -> 203.0.113.10:8080 iif eth0 state new")
        #expect(r.assumptions.contains { $0.contains("forwarded") })
        #expect(r.steps.contains { $0.hook == .forward })
    }

    @Test func masqueradeMakesTheSourceUnknown() throws {
        let s = try simulateState(
            """
            table ip nat {
              chain post { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }
            }
            table ip late {
              chain post { type filter hook postrouting priority 200; ip saddr 10.0.0.1 drop; }
            }
            """)
        let t = try simulateTrace(s, "udp 10.0.0.1:5000 -> 8.8.8.8:53 iif lan oif wan state new")
        #expect(t.verdict == .undetermined)
        #expect(t.reason.contains("masquerade"))
        #expect(t.undeterminedStep != nil)
    }

    @Test func tablesOnOneHookRunByPriority() throws {
        let s = try simulateState(
            """
            table ip a {
              chain in { type filter hook input priority 10; policy accept; tcp dport 22 accept; }
            }
            table inet b {
              chain in { type filter hook input priority -10; policy accept; tcp dport 22 counter; }
            }
            table ip c {
              chain in { type filter hook input priority 20; policy drop; }
            }
            """)
        let t = try simulateTrace(s, "tcp 10.0.0.2 -> 10.0.0.1:22 state new")
        let entered = t.steps.filter { $0.result == .enter }.map(\.table)
        #expect(entered == ["inet b", "ip a", "ip c"])
        #expect(t.verdict == .drop, "accept in ip a does not stop ip c's policy drop")
        #expect(t.reason.contains("policy drop of ip c in"))
    }

    @Test func undeterminedIsNeverGuessed() throws {
        let s = try simulateState(
            """
            table inet f {
              chain input {
                type filter hook input priority 0; policy drop;
                tcp flags syn limit rate 10/second counter
                ct state established,related accept
                tcp dport 22 accept
              }
            }
            """)
        let t = try simulateTrace(s, "tcp 10.0.0.2 -> 10.0.0.1:22")
        #expect(t.verdict == .undetermined)
        #expect(t.reason.contains("rule 2 of inet f input"))
        #expect(t.reason.contains("ct state"))
        let first = try #require(t.steps.first { $0.rule == 1 })
        #expect(first.result == .undetermined, "tcp flags are unknown, but the rule only counts: the trace goes on")
        let known = try simulateTrace(s, "tcp 10.0.0.2 -> 10.0.0.1:22 state new flags syn")
        #expect(known.verdict == .accept)
        #expect(known.assumptions.contains { $0.contains("limit 10/second") })
        // A definite mismatch later in the rule decides even when an earlier match cannot.
        let s2 = try simulateState(
            """
            table ip f {
              chain input { type filter hook input priority 0; policy accept; fib daddr type local tcp dport 80 drop; }
            }
            """)
        #expect(try simulateTrace(s2, "tcp 10.0.0.2 -> 10.0.0.1:22").verdict == .accept)
        let f = try simulateTrace(s2, "tcp 10.0.0.2 -> 10.0.0.1:80")
        #expect(f.verdict == .undetermined && f.reason.contains("fib"))
    }

    @Test func loopbackInterfaceAssumption() throws {
        let s = try simulateState(
            """
            table ip f {
              chain input { type filter hook input priority 0; policy drop; iifname "lo" accept; iifname "eth0" accept; }
            }
            """)
        let t = try simulateTrace(s, "tcp 192.0.2.1 -> 10.0.0.1:22 state new")
        #expect(t.assumptions.contains { $0.contains("not arrived on lo") })
        #expect(t.verdict == .undetermined, "eth0 is a real question when no iif is given")
        #expect(try simulateTrace(s, "tcp 192.0.2.1 -> 10.0.0.1:22 iif eth1").verdict == .drop)
        #expect(try simulateTrace(s, "tcp 127.0.0.1 -> 127.0.0.1:22").verdict == .accept)
    }

    @Test func outputPathAndRedirect() throws {
        let s = try simulateState(
            """
            table ip nat {
              chain out { type nat hook output priority -100; tcp dport 80 redirect to :3128; }
            }
            table ip f {
              chain out { type filter hook output priority 0; policy drop; ip daddr 127.0.0.1 tcp dport 3128 accept; }
              chain post { type filter hook postrouting priority 0; policy accept; oifname "lo" counter; }
            }
            """)
        let t = try simulateTrace(s, "tcp 10.0.0.1:5555 -> 93.184.216.34:80 hook output state new")
        #expect(t.verdict == .accept)
        #expect(t.finalPacket.contains("127.0.0.1:3128"))
        #expect(t.steps.map(\.hook).contains(.postrouting))
    }

    @Test func textAndJSONRendering() throws {
        let s = try simulateState(Self.jumps)
        let t = try simulateTrace(s, "tcp 10.0.1.7 -> 10.9.9.9:22")
        let text = t.renderText()
        #expect(text.contains("verdict: accept"))
        #expect(text.contains("rule 1 ("))
        let json = try JSON.parse(t.json.serialized())
        guard case .object(let o) = json else { Issue.record("not an object"); return }
        #expect(o["verdict"] == .string("accept"))
        guard case .array(let steps)? = o["steps"] else { Issue.record("no steps"); return }
        #expect(steps.count == t.steps.count)
        guard case .object(let first)? = steps.dropFirst().first else { Issue.record("no step object"); return }
        #expect(first["chain"] == .string("input"))
        #expect(first["result"] != nil && first["text"] != nil && first["location"] != nil)
    }

    @Test func assertionsAgainstTheHAProxyExample() throws {
        let s = try simulateState(
            """
            table ip haproxy {
              set admins { type ipv4_addr; flags interval; elements = { 10.0.0.0/24, 192.0.2.10 }; }
              chain input {
                type filter hook input priority filter; policy drop;
                iifname "lo" accept
                ct state established,related accept
                tcp dport { 80, 443 } ct state new accept
                tcp dport 22 ip saddr @admins accept
              }
            }
            """)
        let sim = Simulator(state: s)
        let cases = try PacketAssertion.parseFile(
            """
            tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop
            tcp 10.0.0.9 -> 10.0.0.1:22 state new => accept
            tcp 203.0.113.9 -> 10.0.0.1:443 state new => accept
            tcp 203.0.113.9:443 -> 10.0.0.1:5555 state established => accept
            udp 203.0.113.9 -> 10.0.0.1:53 state new => drop
            """, path: "haproxy.tests")
        for c in cases {
            let t = sim.trace(c.packet)
            #expect(c.holds(for: t), "\(c.text): got \(t.verdict)\n\(t.renderText())")
        }
    }
}
