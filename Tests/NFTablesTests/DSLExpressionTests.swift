import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// The lowered JSON of rule pieces equals what libnftables 1.0.6 reads (man 5 libnftables-json).
func lowered(_ items: RuleItem...) -> JSON { .array(items.flatMap(\.statements).map(\.json)) }
func expected(_ text: String) -> JSON { (try? JSON.parse(text)) ?? .null }
func m(_ left: String, _ op: String, _ right: String) -> String {
    #"{"match": {"op": "\#(op)", "left": \#(left), "right": \#(right)}}"#
}
let ipSaddr = #"{"payload": {"protocol": "ip", "field": "saddr"}}"#
let tcpDport = #"{"payload": {"protocol": "tcp", "field": "dport"}}"#

@Suite struct DSLPayloadTests {
    @Test func addresses() {
        #expect(lowered(ip.saddr == "192.168.1.100") == expected("[\(m(ipSaddr, "==", #""192.168.1.100""#))]"))
        #expect(
            lowered(ip.saddr != "10.0.0.0/8")
                == expected("[\(m(ipSaddr, "!=", #"{"prefix": {"addr": "10.0.0.0", "len": 8}}"#))]"))
        #expect(
            lowered(ip.daddr == "10.0.0.1-10.0.0.9")
                == expected("[\(m(#"{"payload": {"protocol": "ip", "field": "daddr"}}"#, "==", #"{"range": ["10.0.0.1", "10.0.0.9"]}"#))]"))
        #expect(
            lowered(ip6.saddr == ["::1", "fe80::/10"])
                == expected(
                    "[\(m(#"{"payload": {"protocol": "ip6", "field": "saddr"}}"#, "==", #"{"set": ["::1", {"prefix": {"addr": "fe80::", "len": 10}}]}"#))]"
                ))
        #expect(
            lowered(ether.saddr == "00:11:22:33:44:55")
                == expected("[\(m(#"{"payload": {"protocol": "ether", "field": "saddr"}}"#, "==", #""00:11:22:33:44:55""#))]"))
        #expect(
            lowered(ip.saddr == Addr.set(["10.0.0.1", "10.0.0.2"]))
                == expected("[\(m(ipSaddr, "==", #"{"set": ["10.0.0.1", "10.0.0.2"]}"#))]"))
    }

    @Test func portsAndNumbers() {
        #expect(lowered(tcp.dport == 22) == expected("[\(m(tcpDport, "==", "22"))]"))
        #expect(lowered(tcp.dport == "ssh") == expected("[\(m(tcpDport, "==", #""ssh""#))]"))
        #expect(lowered(tcp.dport == [80, 443]) == expected("[\(m(tcpDport, "==", #"{"set": [80, 443]}"#))]"))
        #expect(lowered(tcp.dport == 1024...65535) == expected("[\(m(tcpDport, "==", #"{"range": [1024, 65535]}"#))]"))
        #expect(lowered(tcp.dport != 1...1023) == expected("[\(m(tcpDport, "!=", #"{"range": [1, 1023]}"#))]"))
        #expect(lowered(udp.sport < 1024) == expected(#"[\#(m(#"{"payload": {"protocol": "udp", "field": "sport"}}"#, "<", "1024"))]"#))
        #expect(lowered(ip.ttl > 64) == expected(#"[\#(m(#"{"payload": {"protocol": "ip", "field": "ttl"}}"#, ">", "64"))]"#))
        #expect(lowered(ip.length <= 100, ip.length >= 20).arrayValue?.count == 2)
        #expect(lowered(th.dport == 53) == expected(#"[\#(m(#"{"payload": {"protocol": "th", "field": "dport"}}"#, "==", "53"))]"#))
        #expect(
            lowered(meta.mark & 0xff == 1)
                == expected(#"[\#(m(#"{"&": [{"meta": {"key": "mark"}}, 255]}"#, "==", "1"))]"#))
        #expect(lowered(tcp.dport == Number.set([1, 2])) == expected("[\(m(tcpDport, "==", #"{"set": [1, 2]}"#))]"))
    }

    @Test func symbolicFields() {
        #expect(
            lowered(icmp.type == .echoRequest)
                == expected(#"[\#(m(#"{"payload": {"protocol": "icmp", "field": "type"}}"#, "==", #""echo-request""#))]"#))
        #expect(
            lowered(icmpv6.type == [.ndNeighborSolicit, .ndNeighborAdvert])
                == expected(
                    #"[\#(m(#"{"payload": {"protocol": "icmpv6", "field": "type"}}"#, "==", #"{"set": ["nd-neighbor-solicit", "nd-neighbor-advert"]}"#))]"#
                ))
        #expect(
            lowered(ip.protocol == .tcp)
                == expected(#"[\#(m(#"{"payload": {"protocol": "ip", "field": "protocol"}}"#, "==", #""tcp""#))]"#))
        #expect(
            lowered(ip6.nexthdr != .udp)
                == expected(#"[\#(m(#"{"payload": {"protocol": "ip6", "field": "nexthdr"}}"#, "!=", #""udp""#))]"#))
        #expect(
            lowered(tcp.flags.has(.syn))
                == expected(#"[\#(m(#"{"payload": {"protocol": "tcp", "field": "flags"}}"#, "in", #""syn""#))]"#))
        #expect(
            lowered(tcp.flags & (.syn | .ack) == .syn)
                == expected(#"[\#(m(#"{"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}"#, "==", #""syn""#))]"#))
        #expect(
            lowered(tcp.flags.hasNone(.syn))
                == expected(#"[\#(m(#"{"payload": {"protocol": "tcp", "field": "flags"}}"#, "!", #""syn""#))]"#))
    }

    @Test func namedSetsAndConcatenations() {
        let blocklist = set("blocklist", type: .ipv4Addr) {}
        #expect(lowered(ip.saddr == blocklist) == expected("[\(m(ipSaddr, "==", #""@blocklist""#))]"))
        #expect(lowered(ip.saddr != blocklist) == expected("[\(m(ipSaddr, "!=", #""@blocklist""#))]"))
        #expect(lowered(ip.saddr == "@other") == expected("[\(m(ipSaddr, "==", #""@other""#))]"))
        #expect(
            lowered(concat(ip.saddr, tcp.dport) == [concat("10.0.0.1", 22), concat("10.0.0.2", 80)])
                == expected(
                    #"[\#(m(#"{"concat": [\#(ipSaddr), \#(tcpDport)]}"#, "==", #"{"set": [{"concat": ["10.0.0.1", 22]}, {"concat": ["10.0.0.2", 80]}]}"#))]"#
                ))
    }
}

@Suite struct DSLMetaTests {
    @Test func metaAndConntrack() {
        #expect(lowered(meta.iifname == "eth0") == expected(#"[\#(m(#"{"meta": {"key": "iifname"}}"#, "==", #""eth0""#))]"#))
        #expect(
            lowered(meta.oifname == ["veth*", "eth1"])
                == expected(#"[\#(m(#"{"meta": {"key": "oifname"}}"#, "==", #"{"set": ["veth*", "eth1"]}"#))]"#))
        #expect(
            lowered(meta.l4proto == [.tcp, .udp])
                == expected(#"[\#(m(#"{"meta": {"key": "l4proto"}}"#, "==", #"{"set": ["tcp", "udp"]}"#))]"#))
        #expect(lowered(meta.nfproto == .ipv6) == expected(#"[\#(m(#"{"meta": {"key": "nfproto"}}"#, "==", #""ipv6""#))]"#))
        #expect(lowered(meta.pkttype == .broadcast) == expected(#"[\#(m(#"{"meta": {"key": "pkttype"}}"#, "==", #""broadcast""#))]"#))
        #expect(
            lowered(ct.state.has(.established, .related))
                == expected(#"[\#(m(#"{"ct": {"key": "state"}}"#, "in", #"["established", "related"]"#))]"#))
        #expect(lowered(ct.state == .new) == expected(#"[\#(m(#"{"ct": {"key": "state"}}"#, "==", #""new""#))]"#))
        #expect(lowered(ct.status.has(.dnat)) == expected(#"[\#(m(#"{"ct": {"key": "status"}}"#, "in", #""dnat""#))]"#))
        #expect(lowered(ct.direction == .reply) == expected(#"[\#(m(#"{"ct": {"key": "direction"}}"#, "==", #""reply""#))]"#))
        #expect(
            lowered(ct.original.saddr(.ip) == "10.0.0.1")
                == expected(#"[\#(m(#"{"ct": {"key": "saddr", "family": "ip", "dir": "original"}}"#, "==", #""10.0.0.1""#))]"#))
        #expect(
            lowered(ct.reply.protoDst == 80)
                == expected(#"[\#(m(#"{"ct": {"key": "proto-dst", "dir": "reply"}}"#, "==", "80"))]"#))
    }

    @Test func fibSocketExthdrOptions() {
        #expect(
            lowered(fib(.daddr).type == .local)
                == expected(#"[\#(m(#"{"fib": {"result": "type", "flags": ["daddr"]}}"#, "==", #""local""#))]"#))
        #expect(
            lowered(fib(.saddr, .iif).oif == "0")
                == expected(#"[\#(m(#"{"fib": {"result": "oif", "flags": ["saddr", "iif"]}}"#, "==", #""0""#))]"#))
        #expect(lowered(socket.transparent == 1) == expected(#"[\#(m(#"{"socket": {"key": "transparent"}}"#, "==", "1"))]"#))
        #expect(lowered(exthdr.hbh.exists) == expected(#"[\#(m(#"{"exthdr": {"name": "hbh"}}"#, "==", "true"))]"#))
        #expect(lowered(exthdr.frag.missing) == expected(#"[\#(m(#"{"exthdr": {"name": "frag"}}"#, "==", "false"))]"#))
        #expect(
            lowered(exthdr["rt", "type"] == 0)
                == expected(#"[\#(m(#"{"exthdr": {"name": "rt", "field": "type"}}"#, "==", "0"))]"#))
        #expect(
            lowered(tcp.option("maxseg", field: "size") > 1400)
                == expected(#"[\#(m(#"{"tcp option": {"name": "maxseg", "field": "size"}}"#, ">", "1400"))]"#))
        #expect(
            lowered(tcp.option("sack-perm").exists)
                == expected(#"[\#(m(#"{"tcp option": {"name": "sack-perm"}}"#, "==", "true"))]"#))
        #expect(lowered(osf.name == "Linux") == expected(#"[\#(m(#"{"osf": {"key": "name"}}"#, "==", #""Linux""#))]"#))
        #expect(lowered(rt.mtu < 1500) == expected(#"[\#(m(#"{"rt": {"key": "mtu"}}"#, "<", "1500"))]"#))
        #expect(
            lowered(payload(.transport, offset: 16, length: 16) == 53)
                == expected(#"[\#(m(#"{"payload": {"base": "th", "offset": 16, "len": 16}}"#, "==", "53"))]"#))
        #expect(
            lowered(numgen(.inc, mod: 2) == 0)
                == expected(#"[\#(m(#"{"numgen": {"mode": "inc", "mod": 2}}"#, "==", "0"))]"#))
    }
}
