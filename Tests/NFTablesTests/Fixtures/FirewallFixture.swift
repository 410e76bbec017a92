import NFTAnalysis
import NFTables

/// Captured from nft 1.0.6 inside a throw-away namespace (`unshare -rn`).
/// An inet filter table, an ip nat table and an ip6 nat table: sets, a verdict map, NAT
/// with ports and IPv6 brackets, flag masks, marks, logging, rejects and handles.
/// `nft -f firewall.nft`, then `nft -s -a list ruleset` and `nft -j list ruleset`.
extension PrinterFixture {
    static let firewall = PrinterFixture(
        name: "firewall",
        context: PrintContext(handles: true, stateless: true),
        source: #"""
table inet filter {
  set blocklist { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.1.1, 172.16.0.1-172.16.0.9 }; }
  set allowed6 { type ipv6_addr; flags interval; elements = { ::1, fe80::1, 2001:db8::/32 }; }
  map svc { type inet_service : verdict; elements = { 22 : accept, 80 : accept, 443 : accept, 8080 : drop, 9000 : jump logdrop, 9001 : goto logdrop }; }
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    ct state invalid drop
    iifname "lo" accept comment "loopback"
    ip saddr @blocklist counter drop
    ip6 saddr != @allowed6 ip6 nexthdr ipv6-icmp icmpv6 type { echo-request, nd-neighbor-solicit } accept
    meta l4proto icmp icmp type echo-request limit rate 5/second accept
    tcp dport vmap @svc
    tcp dport { 25, 587, 993 } ct state new log prefix "mail: " level info accept
    tcp flags & (syn | ack) == syn tcp option maxseg size set 1360
    meta mark & 0xff == 0x1 meta mark set 0x2
    udp dport 53 th sport 1024-65535 accept
    jump logdrop
  }
  chain forward { type filter hook forward priority filter + 5; policy accept; }
  chain output { type filter hook output priority -150; policy accept; meta skuid 1000 reject with tcp reset; reject; }
  chain logdrop { log prefix "drop: " flags all; counter; drop; }
}
table ip nat {
  map dests { type inet_service : ipv4_addr . inet_service; elements = { 80 : 10.0.0.2 . 8080, 443 : 10.0.0.3 . 8443 }; }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "eth0" tcp dport 8080 dnat to 192.168.1.10:80
    dnat to tcp dport map @dests
    ip daddr 10.1.0.0/16 dnat to numgen inc mod 2 map { 0 : 10.1.0.1, 1 : 10.1.0.2 }
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "eth0" ip saddr 10.0.0.0/8 masquerade random,persistent
    ip saddr 192.168.0.0/16 meta l4proto tcp snat to 1.2.3.4-1.2.3.8:1000-2000
  }
  chain out { type nat hook output priority -100; policy accept; tcp dport 25 redirect to :2525; }
}
table ip6 nat6 {
  chain pre { type nat hook prerouting priority dstnat - 10; policy accept; tcp dport 80 dnat to [2001:db8::1]:8080; }
}
"""#,
        json: #"""
{"nftables": [
        {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "filter", "handle": 1}},
        {"set": {"family": "inet", "name": "blocklist", "table": "filter", "type": "ipv4_addr", "handle": 5, "flags": ["interval"], "elem": [{"prefix": {"addr": "10.0.0.0", "len": 8}}, {"range": ["172.16.0.1", "172.16.0.9"]}, "192.168.1.1"]}},
        {"set": {"family": "inet", "name": "allowed6", "table": "filter", "type": "ipv6_addr", "handle": 6, "flags": ["interval"], "elem": ["::1", {"prefix": {"addr": "2001:db8::", "len": 32}}, "fe80::1"]}},
        {"map": {"family": "inet", "name": "svc", "table": "filter", "type": "inet_service", "handle": 7, "map": "verdict", "elem": [[22, {"accept": null}], [80, {"accept": null}], [443, {"accept": null}], [8080, {"drop": null}], [9000, {"jump": {"target": "logdrop"}}], [9001, {"goto": {"target": "logdrop"}}]]}},
        {"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
        {"chain": {"family": "inet", "table": "filter", "name": "forward", "handle": 2, "type": "filter", "hook": "forward", "prio": 5, "policy": "accept"}},
        {"chain": {"family": "inet", "table": "filter", "name": "output", "handle": 3, "type": "filter", "hook": "output", "prio": -150, "policy": "accept"}},
        {"chain": {"family": "inet", "table": "filter", "name": "logdrop", "handle": 4}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 8, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 9, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "invalid"}}, {"drop": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 10, "comment": "loopback", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 11, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@blocklist"}}, {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 13, "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "@allowed6"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "nexthdr"}}, "right": "ipv6-icmp"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "icmpv6", "field": "type"}}, "right": {"set": ["echo-request", "nd-neighbor-solicit"]}}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 14, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-request"}}, {"limit": {"rate": 5, "burst": 5, "per": "second"}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 15, "expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@svc"}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 17, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [25, 587, 993]}}}, {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "new"}}, {"log": {"prefix": "mail: ", "level": "info"}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 18, "expr": [{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "ack"]]}, "right": "syn"}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1360}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 19, "expr": [{"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 255]}, "right": 1}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 2}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 20, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}}, {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "sport"}}, "right": {"range": [1024, 65535]}}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 21, "expr": [{"jump": {"target": "logdrop"}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "output", "handle": 22, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}}, {"match": {"op": "==", "left": {"meta": {"key": "skuid"}}, "right": 1000}}, {"reject": {"type": "tcp reset"}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "output", "handle": 23, "expr": [{"reject": {"type": "icmpx", "expr": "port-unreachable"}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "logdrop", "handle": 24, "expr": [{"log": {"prefix": "drop: ", "flags": "all"}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "logdrop", "handle": 25, "expr": [{"counter": {"packets": 0, "bytes": 0}}]}},
        {"rule": {"family": "inet", "table": "filter", "chain": "logdrop", "handle": 26, "expr": [{"drop": null}]}},
        {"table": {"family": "ip", "name": "nat", "handle": 2}},
        {"map": {"family": "ip", "name": "dests", "table": "nat", "type": "inet_service", "handle": 4, "map": "ipv4_addr . inet_service", "elem": [[80, {"concat": ["10.0.0.2", 8080]}], [443, {"concat": ["10.0.0.3", 8443]}]]}},
        {"chain": {"family": "ip", "table": "nat", "name": "prerouting", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "nat", "name": "postrouting", "handle": 2, "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "nat", "name": "out", "handle": 3, "type": "nat", "hook": "output", "prio": -100, "policy": "accept"}},
        {"rule": {"family": "ip", "table": "nat", "chain": "prerouting", "handle": 5, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 8080}}, {"dnat": {"addr": "192.168.1.10", "port": 80}}]}},
        {"rule": {"family": "ip", "table": "nat", "chain": "prerouting", "handle": 6, "expr": [{"dnat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@dests"}}}}]}},
        {"rule": {"family": "ip", "table": "nat", "chain": "prerouting", "handle": 8, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"prefix": {"addr": "10.1.0.0", "len": 16}}}}, {"dnat": {"addr": {"map": {"key": {"numgen": {"mode": "inc", "mod": 2, "offset": 0}}, "data": {"set": [[0, "10.1.0.1"], [1, "10.1.0.2"]]}}}}}]}},
        {"rule": {"family": "ip", "table": "nat", "chain": "postrouting", "handle": 9, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}}, {"masquerade": {"flags": ["random", "persistent"]}}]}},
        {"rule": {"family": "ip", "table": "nat", "chain": "postrouting", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "192.168.0.0", "len": 16}}}}, {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}}, {"snat": {"addr": {"range": ["1.2.3.4", "1.2.3.8"]}, "port": {"range": [1000, 2000]}}}]}},
        {"rule": {"family": "ip", "table": "nat", "chain": "out", "handle": 11, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 25}}, {"redirect": {"port": 2525}}]}},
        {"table": {"family": "ip6", "name": "nat6", "handle": 3}},
        {"chain": {"family": "ip6", "table": "nat6", "name": "pre", "handle": 1, "type": "nat", "hook": "prerouting", "prio": -110, "policy": "accept"}},
        {"rule": {"family": "ip6", "table": "nat6", "chain": "pre", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"dnat": {"addr": "2001:db8::1", "port": 8080}}]}}
    ]}
"""#,
        expected: #"""
table inet filter { # handle 1
	set blocklist { # handle 5
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 172.16.0.1-172.16.0.9,
			     192.168.1.1 }
	}

	set allowed6 { # handle 6
		type ipv6_addr
		flags interval
		elements = { ::1,
			     2001:db8::/32,
			     fe80::1 }
	}

	map svc { # handle 7
		type inet_service : verdict
		elements = { 22 : accept, 80 : accept, 443 : accept, 8080 : drop, 9000 : jump logdrop,
			     9001 : goto logdrop }
	}

	chain input { # handle 1
		type filter hook input priority filter; policy drop;
		ct state established,related accept # handle 8
		ct state invalid drop # handle 9
		iifname "lo" accept comment "loopback" # handle 10
		ip saddr @blocklist counter drop # handle 11
		ip6 saddr != @allowed6 ip6 nexthdr ipv6-icmp icmpv6 type { echo-request, nd-neighbor-solicit } accept # handle 13
		icmp type echo-request limit rate 5/second accept # handle 14
		tcp dport vmap @svc # handle 15
		tcp dport { 25, 587, 993 } ct state new log prefix "mail: " level info accept # handle 17
		tcp flags syn / syn,ack tcp option maxseg size set 1360 # handle 18
		meta mark & 0x000000ff == 0x00000001 meta mark set 0x00000002 # handle 19
		udp dport 53 udp sport 1024-65535 accept # handle 20
		jump logdrop # handle 21
	}

	chain forward { # handle 2
		type filter hook forward priority filter + 5; policy accept;
	}

	chain output { # handle 3
		type filter hook output priority mangle; policy accept;
		meta l4proto tcp meta skuid 1000 reject with tcp reset # handle 22
		reject # handle 23
	}

	chain logdrop { # handle 4
		log prefix "drop: " flags all # handle 24
		counter # handle 25
		drop # handle 26
	}
}
table ip nat { # handle 2
	map dests { # handle 4
		type inet_service : ipv4_addr . inet_service
		elements = { 80 : 10.0.0.2 . 8080, 443 : 10.0.0.3 . 8443 }
	}

	chain prerouting { # handle 1
		type nat hook prerouting priority dstnat; policy accept;
		iifname "eth0" tcp dport 8080 dnat to 192.168.1.10:80 # handle 5
		dnat ip to tcp dport map @dests # handle 6
		ip daddr 10.1.0.0/16 dnat to numgen inc mod 2 map { 0 : 10.1.0.1, 1 : 10.1.0.2 } # handle 8
	}

	chain postrouting { # handle 2
		type nat hook postrouting priority srcnat; policy accept;
		oifname "eth0" ip saddr 10.0.0.0/8 masquerade random,persistent # handle 9
		ip saddr 192.168.0.0/16 meta l4proto tcp snat to 1.2.3.4-1.2.3.8:1000-2000 # handle 10
	}

	chain out { # handle 3
		type nat hook output priority -100; policy accept;
		tcp dport 25 redirect to :2525 # handle 11
	}
}
table ip6 nat6 { # handle 3
	chain pre { # handle 1
		type nat hook prerouting priority dstnat - 10; policy accept;
		tcp dport 80 dnat to [2001:db8::1]:8080 # handle 2
	}
}
"""#)
}
