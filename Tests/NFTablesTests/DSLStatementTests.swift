import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

@Suite struct DSLStatementTests {
    @Test func verdicts() {
        #expect(
            lowered(accept, drop, .return, .continue)
                == expected(#"[{"accept": null}, {"drop": null}, {"return": null}, {"continue": null}]"#))
        #expect(
            lowered(jump("ssh"), goto("web"))
                == expected(#"[{"jump": {"target": "ssh"}}, {"goto": {"target": "web"}}]"#))
        let c = chain("other") {}
        #expect(lowered(jump(c)) == expected(#"[{"jump": {"target": "other"}}]"#))
        #expect(lowered(reject) == expected(#"[{"reject": null}]"#))
        #expect(lowered(reject(with: .tcpReset)) == expected(#"[{"reject": {"type": "tcp reset"}}]"#))
        #expect(
            lowered(reject(with: .icmp(.hostUnreachable)))
                == expected(#"[{"reject": {"type": "icmp", "expr": "host-unreachable"}}]"#))
        #expect(
            lowered(reject(with: .icmpx(.adminProhibited)))
                == expected(#"[{"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]"#))
        #expect(lowered(queue(num: 1, flags: [.bypass])) == expected(#"[{"queue": {"num": 1, "flags": ["bypass"]}}]"#))
        #expect(lowered(queue()) == expected(#"[{"queue": null}]"#))
    }

    @Test func countersLimitsQuotasLogs() {
        #expect(lowered(counter) == expected(#"[{"counter": null}]"#))
        #expect(lowered(counter(named: "hits")) == expected(#"[{"counter": "hits"}]"#))
        #expect(lowered(limit(rate: 400, per: .minute)) == expected(#"[{"limit": {"rate": 400, "per": "minute"}}]"#))
        #expect(
            lowered(limit(rate: 10, per: .second, burst: 5))
                == expected(#"[{"limit": {"rate": 10, "burst": 5, "per": "second"}}]"#))
        #expect(
            lowered(limit(rate: 1, .mbytes, per: .second, over: true))
                == expected(#"[{"limit": {"rate": 1, "per": "second", "inv": true, "rate_unit": "mbytes"}}]"#))
        #expect(lowered(quota(1025)) == expected(#"[{"quota": {"val": 1025, "val_unit": "bytes"}}]"#))
        #expect(lowered(quota(5, .mbytes, over: true)) == expected(#"[{"quota": {"val": 5, "val_unit": "mbytes", "inv": true}}]"#))
        #expect(lowered(log) == expected(#"[{"log": null}]"#))
        #expect(lowered(log(prefix: "drop: ", level: .info)) == expected(#"[{"log": {"prefix": "drop: ", "level": "info"}}]"#))
        #expect(lowered(log(group: 2, flags: [.all])) == expected(#"[{"log": {"group": 2, "flags": ["all"]}}]"#))
        #expect(lowered(ctCount(10, over: true)) == expected(#"[{"ct count": {"val": 10, "inv": true}}]"#))
    }

    @Test func natAndProxies() {
        #expect(lowered(dnat(to: "10.0.0.2", port: 8080)) == expected(#"[{"dnat": {"addr": "10.0.0.2", "port": 8080}}]"#))
        #expect(lowered(dnat(port: 80)) == expected(#"[{"dnat": {"port": 80}}]"#))
        #expect(
            lowered(snat(to: "203.0.113.1-203.0.113.9"))
                == expected(#"[{"snat": {"addr": {"range": ["203.0.113.1", "203.0.113.9"]}}}]"#))
        #expect(lowered(masquerade) == expected(#"[{"masquerade": null}]"#))
        #expect(lowered(masquerade(flags: [.random])) == expected(#"[{"masquerade": {"flags": "random"}}]"#))
        #expect(lowered(redirect(to: 8080)) == expected(#"[{"redirect": {"port": 8080}}]"#))
        #expect(
            lowered(tproxy(to: "192.0.2.1", port: 50080, family: .ip))
                == expected(#"[{"tproxy": {"family": "ip", "addr": "192.0.2.1", "port": 50080}}]"#))
        #expect(lowered(dup(to: "192.168.2.1", device: "lo")) == expected(#"[{"dup": {"addr": "192.168.2.1", "dev": "lo"}}]"#))
        #expect(lowered(fwd(to: "lo")) == expected(#"[{"fwd": {"dev": "lo"}}]"#))
        #expect(lowered(notrack) == expected(#"[{"notrack": null}]"#))
        #expect(lowered(synproxy) == expected(#"[{"synproxy": null}]"#))
        #expect(
            lowered(synproxy(mss: 1460, wscale: 7, flags: [.timestamp, .sackPerm]))
                == expected(#"[{"synproxy": {"mss": 1460, "wscale": 7, "flags": ["timestamp", "sack-perm"]}}]"#))
        let backends: [MapEntry] = [80 => "10.0.0.2", 443 => "10.0.0.3"]
        #expect(
            lowered(dnat(to: Addr(tcp.dport.map(backends))))
                == expected(
                    #"[{"dnat": {"addr": {"map": {"key": \#(tcpDport), "data": {"set": [[80, "10.0.0.2"], [443, "10.0.0.3"]]}}}}}]"#))
    }

    @Test func settingFieldsAndKeys() {
        #expect(lowered(meta.mark.set(1)) == expected(#"[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]"#))
        #expect(
            lowered(ct.mark.set(from: meta.mark))
                == expected(#"[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"meta": {"key": "mark"}}}}]"#))
        #expect(
            lowered(ip.ttl.set(64)) == expected(#"[{"mangle": {"key": {"payload": {"protocol": "ip", "field": "ttl"}}, "value": 64}}]"#))
        #expect(
            lowered(ct.mark.set(Number(numgen(.inc, mod: 2))))
                == expected(#"[{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"numgen": {"mode": "inc", "mod": 2}}}}]"#))
        #expect(lowered(ct.helper.set("ftp")) == expected(#"[{"ct helper": "ftp"}]"#))
        #expect(lowered(ct.timeout.set("short")) == expected(#"[{"ct timeout": "short"}]"#))
        #expect(lowered(secmark(named: "ssh")) == expected(#"[{"secmark": "ssh"}]"#))
    }

    @Test func dynamicUpdatesAndMaps() {
        let seen = set("seen", type: .ipv4Addr, flags: [.dynamic, .timeout], timeout: 60) {}
        #expect(
            lowered(add(ip.saddr, to: seen))
                == expected(#"[{"set": {"op": "add", "elem": \#(ipSaddr), "set": "@seen"}}]"#))
        #expect(
            lowered(update(ip.saddr, in: seen, timeout: 30, limit(rate: 10, per: .second, over: true)))
                == expected(
                    #"[{"set": {"op": "update", "elem": {"elem": {"val": \#(ipSaddr), "timeout": 30}}, "set": "@seen", "stmt": [{"limit": {"rate": 10, "per": "second", "inv": true}}]}}]"#
                ))
        #expect(
            lowered(delete(ip.saddr, from: seen))
                == expected(#"[{"set": {"op": "delete", "elem": \#(ipSaddr), "set": "@seen"}}]"#))
        let marks = map("marks", type: .ipv4Addr, to: .mark) {}
        #expect(
            lowered(add(ip.saddr, 42, to: marks))
                == expected(#"[{"map": {"op": "add", "elem": \#(ipSaddr), "data": 42, "map": "@marks"}}]"#))
        #expect(
            lowered(tcp.dport.vmap([22 => accept, 23 => drop, 80 => jump("web")]))
                == expected(
                    #"[{"vmap": {"key": \#(tcpDport), "data": {"set": [[22, {"accept": null}], [23, {"drop": null}], [80, {"jump": {"target": "web"}}]]}}}]"#
                ))
        let vm = map("ports", type: .inetService, to: .verdict) {}
        #expect(lowered(tcp.dport.vmap(vm)) == expected(#"[{"vmap": {"key": \#(tcpDport), "data": "@ports"}}]"#))
        #expect(
            lowered(meta.mark.set(Number(ip.saddr.map(marks))))
                == expected(#"[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"map": {"key": \#(ipSaddr), "data": "@marks"}}}}]"#))
    }
}
