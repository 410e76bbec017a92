import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

@Suite struct DSLBuilderTests {
    @Test func readmeExample() {
        let input = chain("input", hook: .input, priority: .filter, policy: .accept) {
            rule(ip.saddr == "192.168.1.100", drop)
        }
        let ruleset = Ruleset { table("filter", family: .ip) { input } }
        let (doc, locations) = ruleset.compile()
        #expect(
            doc.json
                == expected(
                    #"""
                    {"nftables": [
                      {"add": {"table": {"family": "ip", "name": "filter"}}},
                      {"add": {"chain": {"family": "ip", "table": "filter", "name": "input", "type": "filter", "hook": "input",
                                         "prio": 0, "policy": "accept"}}},
                      {"add": {"rule": {"family": "ip", "table": "filter", "chain": "input",
                                        "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                                                            "right": "192.168.1.100"}}, {"drop": null}]}}}
                    ]}
                    """#))
        #expect(locations.count == 3)
        #expect(locations.allSatisfy { $0?.file == "NFTablesTests/DSLBuilderTests.swift" })
    }

    @Test func sourceLocationsAreTheDeclaringLines() {
        let line = #line
        let c = chain("c") {  // line + 1
            rule(accept)  // line + 2
            rule(drop)  // line + 3
        }
        let s = set("s", type: .ipv4Addr) { "10.0.0.1" }  // line + 5
        let r = Ruleset {
            table("t", family: .inet) {  // line + 7
                s
                c
            }
        }
        let (_, locations) = r.compile()
        #expect(locations.map { $0?.line } == [line + 7, line + 5, line + 1, line + 2, line + 3])
    }

    @Test func ifElseForAndArrays() {
        let blocked = ["10.0.0.1", "10.0.0.2"]
        let strict = true
        let extra: [RuleDecl] = [rule(tcp.dport == 80, accept), rule(tcp.dport == 443, accept)]
        let c = chain("input", hook: .input, priority: .filter) {
            for b in blocked { rule(ip.saddr == Addr(b), drop) }
            if strict { rule(ct.state.has(.invalid), drop) }
            if !strict { rule(accept) } else { rule(counter) }
            extra
            blocked.map { rule(ip.daddr == Addr($0), reject) }
        }
        #expect(c.rules.count == 8)
        let t = table("t", family: .ip) {
            if strict { c }
            [chain("a") {}, chain("b") {}]
            for n in ["x", "y"] {
                set(n, type: .inetService) {
                    22; [80, 443]
                }
            }
        }
        #expect(t.elements.count == 5)
        let (doc, _) = Ruleset {
            t; [table("u", family: .ip6) {}]
        }.compile()
        // table t, 2 sets, 3 chains, 8 rules, table u
        #expect(doc.entries.count == 1 + 2 + 3 + 8 + 1)
    }

    @Test func lowersInLibnftablesOrderAndShapes() throws {
        let ports = map("ports", type: .inetService, to: .verdict) {
            22 => jump("ssh")
            80 => accept
        }
        let ssh = chain("ssh") { rule(accept) }
        let nat = chain("pre", type: .nat, hook: .prerouting, priority: .dstnat + 10) {
            rule(tcp.dport == 8080, dnat(to: "10.0.0.2", port: 80))
            rule(tcp.dport == 8443, dnat(to: "fd00::2", port: 443))
        }
        let ingress = chain("in", hook: .ingress, priority: -500, device: "eth0") {}
        let r = Ruleset {
            table("t", family: .inet, comment: "x") {
                ssh
                nat
                ports
                counter("hits")
                quota("q", bytes: 1000)
                limit("l", rate: 10, per: .minute)
                set(
                    "blocked", type: [.ipv4Addr, .inetService], flags: [.interval, .timeout], timeout: 60,
                    statements: [counter])
                flowtable("ft", devices: ["lo"])
            }
            table("br", family: .bridge) { chain("f", hook: .forward, priority: .filter) {} }
            table("nd", family: .netdev) { ingress }
        }
        let (doc, locs) = r.compile()
        #expect(locs.count == doc.entries.count)
        let kinds = doc.entries.map { e -> String in
            guard case .command(let c) = e else { return "?" }
            switch c.item {
            case .table: return "table"
            case .set(let s): return s.isMap ? "map" : "set"
            case .object(let k, _): return k.rawValue
            case .flowtable: return "flowtable"
            case .chain: return "chain"
            case .rule: return "rule"
            case .element: return "element"
            default: return "?"
            }
        }
        #expect(
            kinds == [
                "table", "map", "counter", "quota", "limit", "set", "flowtable", "chain", "chain", "element",
                "rule", "rule", "rule", "table", "chain", "table", "chain"
            ])
        let j = doc.json["nftables"]!.arrayValue!
        // integer prio, resolved per family; flags as arrays; inferred NAT family in inet.
        #expect(j[8]["add"]?["chain"]?["prio"] == .int(-90))
        #expect(j[14]["add"]?["chain"]?["prio"] == .int(-200))
        #expect(j[16]["add"]?["chain"]?["dev"] == .string("eth0"))
        #expect(j[5]["add"]?["set"]?["flags"] == expected(#"["interval", "timeout"]"#))
        #expect(j[5]["add"]?["set"]?["type"] == expected(#"["ipv4_addr", "inet_service"]"#))
        #expect(j[11]["add"]?["rule"]?["expr"]?.arrayValue?[1] == expected(#"{"dnat": {"family": "ip", "addr": "10.0.0.2", "port": 80}}"#))
        #expect(j[12]["add"]?["rule"]?["expr"]?.arrayValue?[1] == expected(#"{"dnat": {"family": "ip6", "addr": "fd00::2", "port": 443}}"#))
        #expect(
            j[9]
                == expected(
                    #"{"add": {"element": {"family": "inet", "table": "t", "name": "ports", "elem": [[22, {"jump": {"target": "ssh"}}], [80, {"accept": null}]]}}}"#
                ))
        // The lowered document decodes back to the same typed model.
        #expect(try Document.decode(doc.json) == doc)
    }

    @Test func namedObjects() {
        let (doc, _) = Ruleset {
            table("t", family: .ip) {
                counter("c", comment: "hits")
                quota("q", bytes: 1024, over: true)
                limit("l", rate: 5, per: .second, burst: 10)
                ctHelper("ftp-std", type: "ftp", protocol: .tcp, l3proto: "ip")
                ctTimeout("short", protocol: .tcp, l3proto: "ip", policy: ["established": 120, "close": 10])
                ctExpectation("e", protocol: .tcp, dport: 21, timeout: 1000, size: 8, l3proto: "ip")
                synproxy("sp", mss: 1460, wscale: 7, flags: [.timestamp])
                secmark("sm", context: "system_u:object_r:ssh_server_packet_t:s0")
            }
        }.compile()
        let j = doc.json["nftables"]!.arrayValue!.dropFirst().map { $0["add"]! }
        #expect(j[0] == expected(#"{"counter": {"family": "ip", "name": "c", "table": "t", "comment": "hits"}}"#))
        #expect(j[1] == expected(#"{"quota": {"family": "ip", "name": "q", "table": "t", "bytes": 1024, "inv": true}}"#))
        #expect(j[2] == expected(#"{"limit": {"family": "ip", "name": "l", "table": "t", "rate": 5, "per": "second", "burst": 10}}"#))
        #expect(
            j[3]
                == expected(
                    #"{"ct helper": {"family": "ip", "name": "ftp-std", "table": "t", "type": "ftp", "protocol": "tcp", "l3proto": "ip"}}"#)
        )
        #expect(
            j[4]
                == expected(
                    #"{"ct timeout": {"family": "ip", "name": "short", "table": "t", "protocol": "tcp", "l3proto": "ip", "policy": {"established": 120, "close": 10}}}"#
                ))
        #expect(
            j[5]
                == expected(
                    #"{"ct expectation": {"family": "ip", "name": "e", "table": "t", "l3proto": "ip", "protocol": "tcp", "dport": 21, "timeout": 1000, "size": 8}}"#
                ))
        #expect(
            j[6]
                == expected(
                    #"{"synproxy": {"family": "ip", "name": "sp", "table": "t", "mss": 1460, "wscale": 7, "flags": ["timestamp"]}}"#))
        #expect(
            j[7]
                == expected(
                    #"{"secmark": {"family": "ip", "name": "sm", "table": "t", "context": "system_u:object_r:ssh_server_packet_t:s0"}}"#))
        let hits = counter("hits")
        #expect(
            lowered(counter(hits), quota(named: "q"), limit(named: "l"))
                == expected(#"[{"counter": "hits"}, {"quota": "q"}, {"limit": "l"}]"#))
    }

    @Test func setElementsWithAttributes() {
        let s = set("s", type: .ipv4Addr, flags: [.timeout]) {
            SetElementValue("10.0.0.1", timeout: 60, comment: "temp")
            "10.0.0.0/24"
        }
        let (doc, _) = Ruleset { table("t", family: .ip) { s } }.compile()
        #expect(
            doc.json["nftables"]?.arrayValue?[1]["add"]?["set"]?["elem"]
                == expected(
                    #"[{"elem": {"val": "10.0.0.1", "timeout": 60, "comment": "temp"}}, {"prefix": {"addr": "10.0.0.0", "len": 24}}]"#))
    }

    @Test func rulesProgramOutput() {
        let out = RulesProgram.output(Ruleset { table("t", family: .ip) {} })
        #expect(out["locations"]?.arrayValue?.first?["file"] == .string("NFTablesTests/DSLBuilderTests.swift"))
        #expect(out["document"]?["nftables"]?.arrayValue?.count == 1)
    }
}
