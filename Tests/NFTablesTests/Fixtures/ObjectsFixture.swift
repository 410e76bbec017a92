import NFTAnalysis
import NFTables

/// Captured from nft 1.0.6 inside a throw-away namespace (`unshare -rn`).
/// Named objects (counter, quota, limit, ct helper/timeout/expectation), sets of many
/// key types (element wrapping), maps, object maps, priorities near standard names,
/// bridge and arp tables. `nft -f objects.nft`, then `nft -s list ruleset` and
/// `nft -j list ruleset`; the table comment, which 1.0.6 leaves out of its JSON, was
/// added back to the JSON by hand.
extension PrinterFixture {
    static let objects = PrinterFixture(
        name: "objects",
        context: PrintContext(stateless: true),
        source: #"""
table ip objs {
  comment "objects and sets"
  counter hits { comment "all hits"; packets 5 bytes 100; }
  quota q2 { 10 kbytes used 2 kbytes; }
  quota q3 { over 100 mbytes; }
  limit lim { rate 10/second burst 20 packets; }
  ct helper ftp { type "ftp" protocol tcp; l3proto ip; }
  ct timeout tmo { protocol tcp; l3proto ip; policy = { established: 100, close: 5 }; }
  ct expectation ex { protocol tcp; dport 22; timeout 1m; size 12; l3proto ip; }
  set ports { type inet_service; elements = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }; }
  set marks { type mark; elements = { 1, 2, 3, 4, 5, 6 }; }
  set ifs { type ifname; elements = { "eth0", "eth1", "eth2" }; }
  set pairs { type ipv4_addr . inet_service; elements = { 1.1.1.1 . 22, 1.1.1.2 . 80 }; }
  set counted { type ipv4_addr; counter; elements = { 1.1.1.1, 1.1.1.2 }; }
  set states { type ct_state; elements = { new, established, related }; }
  set macs { type ether_addr; elements = { 00:11:22:33:44:55, 00:11:22:33:44:56 }; }
  set big { type ipv4_addr; size 65535; policy memory; }
  set tmo { type ipv4_addr; timeout 1h; gc-interval 10s; comment "expiring"; elements = { 1.1.1.1 comment "one", 1.1.1.2 }; }
  set fixed { type ipv4_addr; flags constant; elements = { 1.2.3.4 }; }
  set protos { type inet_proto; elements = { 6, 17 }; }
  map marksby { type ipv4_addr : mark; elements = { 1.1.1.1 : 1, 1.1.1.2 : 2, 1.1.1.3 : 3 }; }
  map cnts { type inet_service : counter; elements = { 21 : "hits", 22 : "hits" }; }
  chain c {
    type filter hook input priority -5; policy accept;
    ip saddr @marksby counter name "hits"
    tcp dport 21 ct helper set "ftp"
    counter name tcp dport map @cnts
    quota name "q2" drop
    limit name "lim" accept
    ct state @states accept
    meta l4proto @protos ip saddr . tcp dport @pairs accept
  }
  chain d { type filter hook prerouting priority -95; policy accept; }
  chain e { type filter hook input priority -295; policy accept; }
  chain f { type nat hook output priority 95; policy accept; }
  chain g { type filter hook forward priority 60; policy accept; }
  chain h { }
}
table bridge br {
  chain pre { type filter hook prerouting priority dstnat; policy accept; ether type vlan vlan id 10 accept; }
  chain out { type filter hook output priority out; policy accept; }
  chain post { type filter hook postrouting priority srcnat + 1; policy accept; }
  chain in { type filter hook input priority filter; policy accept; }
}
table arp a {
  chain c { type filter hook input priority 0; policy accept; arp operation request accept; }
}
"""#,
        json: #"""
{"nftables": [
        {"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "ip", "name": "objs", "handle": 1, "comment": "objects and sets"}},
        {"counter": {"family": "ip", "name": "hits", "table": "objs", "handle": 7, "comment": "all hits", "packets": 5, "bytes": 100}},
        {"quota": {"family": "ip", "name": "q2", "table": "objs", "handle": 8, "bytes": 10240, "used": 2048, "inv": false}},
        {"quota": {"family": "ip", "name": "q3", "table": "objs", "handle": 9, "bytes": 104857600, "used": 0, "inv": true}},
        {"limit": {"family": "ip", "name": "lim", "table": "objs", "handle": 10, "rate": 10, "per": "second", "burst": 20}},
        {"ct helper": {"family": "ip", "name": "ftp", "table": "objs", "handle": 11, "type": "ftp", "protocol": "tcp", "l3proto": "ip"}},
        {"ct timeout": {"family": "ip", "name": "tmo", "table": "objs", "handle": 12, "protocol": "tcp", "l3proto": "ip", "policy": {"established": 100, "close": 5}}},
        {"ct expectation": {"family": "ip", "name": "ex", "table": "objs", "handle": 13, "protocol": "tcp", "dport": 22, "timeout": 60000, "size": 12, "l3proto": "ip"}},
        {"set": {"family": "ip", "name": "ports", "table": "objs", "type": "inet_service", "handle": 14, "elem": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}},
        {"set": {"family": "ip", "name": "marks", "table": "objs", "type": "mark", "handle": 15, "elem": [1, 2, 3, 4, 5, 6]}},
        {"set": {"family": "ip", "name": "ifs", "table": "objs", "type": "ifname", "handle": 16, "elem": ["eth0", "eth1", "eth2"]}},
        {"set": {"family": "ip", "name": "pairs", "table": "objs", "type": ["ipv4_addr", "inet_service"], "handle": 17, "elem": [{"concat": ["1.1.1.1", 22]}, {"concat": ["1.1.1.2", 80]}]}},
        {"set": {"family": "ip", "name": "counted", "table": "objs", "type": "ipv4_addr", "handle": 18, "elem": [{"elem": {"val": "1.1.1.1", "counter": {"packets": 0, "bytes": 0}}}, {"elem": {"val": "1.1.1.2", "counter": {"packets": 0, "bytes": 0}}}], "stmt": [{"counter": null}]}},
        {"set": {"family": "ip", "name": "states", "table": "objs", "type": "ct_state", "handle": 19, "elem": ["established", "related", "new"]}},
        {"set": {"family": "ip", "name": "macs", "table": "objs", "type": "ether_addr", "handle": 20, "elem": ["00:11:22:33:44:55", "00:11:22:33:44:56"]}},
        {"set": {"family": "ip", "name": "big", "table": "objs", "type": "ipv4_addr", "handle": 21, "policy": "memory", "size": 65535}},
        {"set": {"family": "ip", "name": "tmo", "table": "objs", "type": "ipv4_addr", "handle": 22, "comment": "expiring", "flags": ["timeout"], "timeout": 3600, "gc-interval": 10, "elem": [{"elem": {"val": "1.1.1.1", "expires": 3599, "comment": "one"}}, {"elem": {"val": "1.1.1.2", "expires": 3599}}]}},
        {"set": {"family": "ip", "name": "fixed", "table": "objs", "type": "ipv4_addr", "handle": 23, "flags": ["constant"], "elem": ["1.2.3.4"]}},
        {"set": {"family": "ip", "name": "protos", "table": "objs", "type": "inet_proto", "handle": 24, "elem": ["tcp", "udp"]}},
        {"map": {"family": "ip", "name": "marksby", "table": "objs", "type": "ipv4_addr", "handle": 25, "map": "mark", "elem": [["1.1.1.1", 1], ["1.1.1.2", 2], ["1.1.1.3", 3]]}},
        {"map": {"family": "ip", "name": "cnts", "table": "objs", "type": "inet_service", "handle": 26, "map": "counter", "elem": [[21, "hits"], [22, "hits"]]}},
        {"chain": {"family": "ip", "table": "objs", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": -5, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "objs", "name": "d", "handle": 2, "type": "filter", "hook": "prerouting", "prio": -95, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "objs", "name": "e", "handle": 3, "type": "filter", "hook": "input", "prio": -295, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "objs", "name": "f", "handle": 4, "type": "nat", "hook": "output", "prio": 95, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "objs", "name": "g", "handle": 5, "type": "filter", "hook": "forward", "prio": 60, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "objs", "name": "h", "handle": 6}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 27, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@marksby"}}, {"counter": "hits"}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 28, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 21}}, {"ct helper": "ftp"}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 29, "expr": [{"counter": {"map": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@cnts"}}}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 30, "expr": [{"quota": "q2"}, {"drop": null}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 31, "expr": [{"limit": "lim"}, {"accept": null}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 32, "expr": [{"match": {"op": "==", "left": {"ct": {"key": "state"}}, "right": "@states"}}, {"accept": null}]}},
        {"rule": {"family": "ip", "table": "objs", "chain": "c", "handle": 33, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "@protos"}}, {"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": "@pairs"}}, {"accept": null}]}},
        {"table": {"family": "bridge", "name": "br", "handle": 2}},
        {"chain": {"family": "bridge", "table": "br", "name": "pre", "handle": 1, "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}},
        {"chain": {"family": "bridge", "table": "br", "name": "out", "handle": 2, "type": "filter", "hook": "output", "prio": 100, "policy": "accept"}},
        {"chain": {"family": "bridge", "table": "br", "name": "post", "handle": 3, "type": "filter", "hook": "postrouting", "prio": 301, "policy": "accept"}},
        {"chain": {"family": "bridge", "table": "br", "name": "in", "handle": 4, "type": "filter", "hook": "input", "prio": -200, "policy": "accept"}},
        {"rule": {"family": "bridge", "table": "br", "chain": "pre", "handle": 5, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "vlan", "field": "id"}}, "right": 10}}, {"accept": null}]}},
        {"table": {"family": "arp", "name": "a", "handle": 3}},
        {"chain": {"family": "arp", "table": "a", "name": "c", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}},
        {"rule": {"family": "arp", "table": "a", "chain": "c", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "arp", "field": "operation"}}, "right": "request"}}, {"accept": null}]}}
    ]}
"""#,
        expected: #"""
table ip objs {
	comment "objects and sets"
	counter hits {
		comment "all hits"
	}

	quota q2 {
		10 kbytes
	}

	quota q3 {
		over 100 mbytes
	}

	limit lim {
		rate 10/second burst 20 packets
	}

	ct helper ftp {
		type "ftp" protocol tcp
		l3proto ip
	}

	ct timeout tmo {
		protocol tcp
		l3proto ip
		policy = { established : 100, close : 5 }
	}

	ct expectation ex {
		protocol tcp
		dport 22
		timeout 1m
		size 12
		l3proto ip
	}

	set ports {
		type inet_service
		elements = { 1, 2, 3, 4, 5,
			     6, 7, 8, 9, 10,
			     11, 12 }
	}

	set marks {
		type mark
		elements = { 0x00000001, 0x00000002, 0x00000003, 0x00000004, 0x00000005,
			     0x00000006 }
	}

	set ifs {
		type ifname
		elements = { "eth0",
			     "eth1",
			     "eth2" }
	}

	set pairs {
		type ipv4_addr . inet_service
		elements = { 1.1.1.1 . 22,
			     1.1.1.2 . 80 }
	}

	set counted {
		type ipv4_addr
		counter
		elements = { 1.1.1.1 counter, 1.1.1.2 counter }
	}

	set states {
		type ct_state
		elements = { established, related,
			     new }
	}

	set macs {
		type ether_addr
		elements = { 00:11:22:33:44:55,
			     00:11:22:33:44:56 }
	}

	set big {
		type ipv4_addr
		policy memory
		size 65535
	}

	set tmo {
		type ipv4_addr
		timeout 1h
		gc-interval 10s
		comment "expiring"
		elements = { 1.1.1.1 comment "one", 1.1.1.2 }
	}

	set fixed {
		type ipv4_addr
		flags constant
		elements = { 1.2.3.4 }
	}

	set protos {
		type inet_proto
		elements = { tcp, udp }
	}

	map marksby {
		type ipv4_addr : mark
		elements = { 1.1.1.1 : 0x00000001, 1.1.1.2 : 0x00000002,
			     1.1.1.3 : 0x00000003 }
	}

	map cnts {
		type inet_service : counter
		elements = { 21 : "hits", 22 : "hits" }
	}

	chain c {
		type filter hook input priority filter - 5; policy accept;
		ip saddr @marksby counter name "hits"
		tcp dport 21 ct helper set "ftp"
		counter name tcp dport map @cnts
		quota name "q2" drop
		limit name "lim" accept
		ct state @states accept
		meta l4proto @protos ip saddr . tcp dport @pairs accept
	}

	chain d {
		type filter hook prerouting priority dstnat + 5; policy accept;
	}

	chain e {
		type filter hook input priority raw + 5; policy accept;
	}

	chain f {
		type nat hook output priority 95; policy accept;
	}

	chain g {
		type filter hook forward priority security + 10; policy accept;
	}

	chain h {
	}
}
table bridge br {
	chain pre {
		type filter hook prerouting priority dstnat; policy accept;
		vlan id 10 accept
	}

	chain out {
		type filter hook output priority out; policy accept;
	}

	chain post {
		type filter hook postrouting priority srcnat + 1; policy accept;
	}

	chain in {
		type filter hook input priority filter; policy accept;
	}
}
table arp a {
	chain c {
		type filter hook input priority filter; policy accept;
		arp operation request accept
	}
}
"""#)
}
