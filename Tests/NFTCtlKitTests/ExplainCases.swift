import NFTAnalysis

@testable import NFTCtlKit

/// One rule of every expression and statement kind, for the golden tests.
enum ExplainCases {
    static func p(_ proto: String, _ field: String) -> Expression { .payload(.field(protocol: proto, field: field)) }
    static func eq(_ l: Expression, _ r: Expression) -> Statement { .match(left: l, op: .eq, right: r) }

    /// A table `ip t` with a set, a verdict map, a counter and a ct helper, so references explain.
    static var table: TableContents {
        var t = TableContents(table: Located(Table(family: "ip", name: "t")))
        t.chains = [
            Located(Chain(family: "ip", table: "t", name: "input", type: "filter", hook: "input", prio: 0, policy: "drop")),
            Located(Chain(family: "ip", table: "t", name: "ssh"))
        ]
        t.sets = [
            Located(
                NamedSet(
                    family: "ip", table: "t", name: "blocklist", type: .named("ipv4_addr"), flags: FlagList(["interval"]),
                    elem: .list([.prefix(addr: .string("10.0.0.0"), len: 8), .string("192.0.2.1")]))),
            Located(
                NamedSet(
                    isMap: true, family: "ip", table: "t", name: "ports", type: .named("inet_service"), map: .named("verdict"),
                    elem: .list([.list([.number(22), .verdict(.jump("ssh"))]), .list([.number(53), .verdict(.accept)])])))
        ]
        t.objects = [
            Located(NamedObject(family: "ip", table: "t", name: "c1", body: .counter(packets: 3, bytes: 180))),
            Located(NamedObject(family: "ip", table: "t", name: "ftp", body: .ctHelper(type: "ftp", protocol: "tcp", l3proto: "ip")))
        ]
        return t
    }

    static let cases: [(name: String, family: String, stmts: [Statement])] = [
        ("payload", "ip", [eq(p("ip", "saddr"), .string("192.168.1.100")), .verdict(.drop)]),
        ("raw payload aligned", "inet", [eq(.payload(.raw(base: "nh", offset: 8, len: 8)), .number(255))]),
        ("raw payload bits", "inet", [eq(.binop(.and, [.payload(.raw(base: "th", offset: 100, len: 4)), .number(0x6)]), .number(0x2))]),
        (
            "exthdr", "ip6",
            [
                eq(.exthdr(name: "rt", field: nil, offset: nil), .bool(true)),
                eq(.exthdr(name: "frag", field: "more-fragments", offset: nil), .number(1))
            ]
        ),
        (
            "tcp option", "ip",
            [
                eq(.tcpOption(.named(name: "maxseg", field: "size")), .number(1460)),
                eq(.tcpOption(.raw(base: 255, offset: 8, len: 8)), .number(4))
            ]
        ),
        ("ip option", "ip", [eq(.ipOption(name: "rr", field: nil), .bool(false)), eq(.ipOption(name: "lsrr", field: "ptr"), .number(4))]),
        (
            "sctp chunk", "ip",
            [eq(.sctpChunk(name: "init", field: nil), .bool(true)), eq(.sctpChunk(name: "data", field: "stream"), .number(7))]
        ),
        ("dccp option", "ip", [eq(.dccpOption(type: 4), .bool(true))]),
        ("meta", "ip", [eq(.meta(key: "iifname"), .string("eth0")), eq(.binop(.and, [.meta(key: "mark"), .number(0xff)]), .number(1))]),
        ("rt", "ip", [eq(.rt(key: "nexthop", family: "ip"), .string("192.0.2.1"))]),
        (
            "ct", "ip",
            [
                .match(left: .ct(key: "state", family: nil, dir: nil), op: .in, right: .list([.string("established"), .string("related")])),
                eq(.ct(key: "saddr", family: "ip", dir: "original"), .string("10.0.0.1")),
                .match(left: .ct(key: "bytes", family: nil, dir: "reply"), op: .gt, right: .number(1000))
            ]
        ),
        ("fib", "ip", [eq(.fib(result: "oif", flags: FlagList(["saddr", "iif"])), .bool(false)), .verdict(.drop)]),
        ("socket", "ip", [eq(.socket(key: "transparent", level: nil), .number(1)), eq(.socket(key: "mark", level: nil), .number(5))]),
        ("osf", "ip", [eq(.osf(key: "name", ttl: "loose"), .string("Linux"))]),
        ("ipsec", "ip", [eq(.ipsec(key: "reqid", dir: "in", spnum: nil, family: nil), .number(1))]),
        ("numgen", "ip", [.mangle(key: .meta(key: "mark"), value: .numgen(mode: "inc", mod: 2, offset: 100))]),
        (
            "jhash", "ip",
            [
                .mangle(
                    key: .ct(key: "mark", family: nil, dir: nil),
                    value: .jhash(mod: 4, offset: nil, expr: .concat([p("ip", "saddr"), p("ip", "daddr")]), seed: 0xdead))
            ]
        ),
        ("symhash", "ip", [.mangle(key: .ct(key: "mark", family: nil, dir: nil), value: .symhash(mod: 2, offset: nil))]),
        (
            "binop", "ip",
            [
                .mangle(
                    key: .ct(key: "mark", family: nil, dir: nil),
                    value: .binop(.lshift, [.binop(.or, [.meta(key: "mark"), .number(0x10)]), .number(8)])),
                .mangle(
                    key: .meta(key: "mark"),
                    value: .binop(.xor, [.binop(.rshift, [.ct(key: "mark", family: nil, dir: nil), .number(8)]), .number(3)]))
            ]
        ),
        (
            "tcp flags", "ip",
            [
                .match(left: p("tcp", "flags"), op: .in, right: .string("syn")),
                .match(left: p("tcp", "flags"), op: .not, right: .list([.string("fin"), .string("rst")])),
                eq(
                    .binop(.and, [p("tcp", "flags"), .list([.string("fin"), .string("syn"), .string("rst"), .string("ack")])]),
                    .string("syn"))
            ]
        ),
        (
            "prefix range set", "ip",
            [
                eq(p("ip", "daddr"), .prefix(addr: .string("10.0.0.0"), len: 8)),
                .match(left: p("tcp", "sport"), op: .ne, right: .range(.number(1024), .number(65535))),
                eq(p("tcp", "dport"), .set([.number(22), .number(80)], single: false))
            ]
        ),
        ("named set", "ip", [eq(p("ip", "saddr"), .string("@blocklist")), .verdict(.drop)]),
        (
            "map", "ip",
            [
                .mangle(
                    key: .meta(key: "mark"),
                    value: .map(
                        key: p("tcp", "dport"),
                        data: .set([.list([.number(22), .number(1)]), .list([.number(80), .number(2)])], single: false)))
            ]
        ),
        (
            "vmap", "ip",
            [
                .vmap(
                    key: p("tcp", "dport"),
                    data: .set([.list([.number(22), .verdict(.jump("ssh"))]), .list([.number(80), .verdict(.accept)])], single: false))
            ]
        ),
        ("named vmap", "ip", [.vmap(key: p("tcp", "dport"), data: .string("@ports"))]),
        (
            "concat", "ip",
            [eq(.concat([p("ip", "saddr"), p("tcp", "dport")]), .set([.concat([.string("192.0.2.1"), .number(22)])], single: true))]
        ),
        (
            "elements", "ip",
            [
                eq(
                    p("ip", "saddr"),
                    .set(
                        [
                            .elem(SetElement(val: .string("192.0.2.1"), timeout: 30, comment: "lab")),
                            .string("192.0.2.2")
                        ], single: false))
            ]
        ),
        ("tunnel", "netdev", [eq(.tunnel(key: "id"), .number(42))]),
        ("verdicts", "ip", [.verdict(.accept)]),
        ("drop", "ip", [.verdict(.drop)]),
        ("continue", "ip", [.verdict(.continue)]),
        ("return", "ip", [.verdict(.return)]),
        ("jump", "ip", [.verdict(.jump("ssh"))]),
        ("goto", "ip", [.verdict(.goto("ssh"))]),
        ("counter", "ip", [.counter(packets: 10, bytes: 600), .namedCounter(.string("c1"))]),
        (
            "limit", "ip",
            [
                .limit(Limit(rate: 10, per: "minute", burst: 5)), .limit(Limit(rate: 1, per: "second", rateUnit: "mbytes", inv: true)),
                .namedLimit(.string("l1"))
            ]
        ),
        (
            "quota", "ip",
            [
                .quota(Quota(val: 100, valUnit: "mbytes", used: 5, usedUnit: "mbytes")),
                .quota(Quota(val: 1, valUnit: "gbytes", inv: true)),
                .namedQuota(.string("q1"))
            ]
        ),
        (
            "log", "ip",
            [.log(Log(prefix: "in: ", level: "info", flags: FlagList(["tcp sequence", "ip options"]))), .log(Log(group: 2, snaplen: 64))]
        ),
        (
            "snat", "inet",
            [
                .nat(
                    NAT(
                        .snat, family: "ip", addr: .string("192.0.2.1"), port: .range(.number(1024), .number(2048)),
                        flags: FlagList(["persistent"])))
            ]
        ),
        ("dnat", "ip", [.nat(NAT(.dnat, addr: .string("10.0.0.2"), port: .number(8080)))]),
        ("masquerade", "ip", [.nat(NAT(.masquerade, flags: FlagList(["random"])))]),
        ("redirect", "ip", [.nat(NAT(.redirect, port: .number(3128)))]),
        (
            "netmap", "ip",
            [.nat(NAT(.snat, family: "ip", addr: .prefix(addr: .string("192.0.2.0"), len: 24), typeFlags: FlagList(["prefix"])))]
        ),
        ("tproxy", "inet", [.tproxy(family: "ip", addr: .string("127.0.0.1"), port: .number(3129))]),
        (
            "mangle payload", "ip",
            [.mangle(key: p("ip", "ttl"), value: .number(64)), .mangle(key: .meta(key: "nftrace"), value: .number(1))]
        ),
        (
            "ct set", "ip",
            [
                .mangle(key: .ct(key: "mark", family: nil, dir: nil), value: .meta(key: "mark")),
                .mangle(key: .ct(key: "zone", family: nil, dir: nil), value: .number(2))
            ]
        ),
        (
            "set update", "ip",
            [
                .set(
                    SetUpdate(
                        op: "update", elem: p("ip", "saddr"), set: "@flood",
                        stmt: [.limit(Limit(rate: 10, per: "second", inv: true))])),
                .set(SetUpdate(op: "delete", elem: p("ip", "saddr"), set: "@blocklist"))
            ]
        ),
        ("map update", "ip", [.map(MapUpdate(op: "add", elem: p("ip", "saddr"), data: .meta(key: "mark"), map: "@marks"))]),
        (
            "ct count", "ip",
            [.set(SetUpdate(op: "add", elem: p("ip", "saddr"), set: "@conns", stmt: [.ctCount(val: 20, inv: true)])), .verdict(.drop)]
        ),
        ("ct count alone", "ip", [.ctCount(val: 20, inv: true), .verdict(.drop)]),
        ("prefix not", "ip", [.match(left: p("ip", "daddr"), op: .ne, right: .prefix(addr: .string("10.0.0.0"), len: 8))]),
        ("notrack", "ip", [.notrack]),
        ("dup", "ip", [.dup(addr: .string("192.0.2.9"), dev: .string("eth1"))]),
        ("fwd", "netdev", [.fwd(dev: .string("eth1"), family: nil, addr: nil)]),
        (
            "synproxy", "ip",
            [.synproxy(Synproxy(mss: 1460, wscale: 7, flags: FlagList(["timestamp", "sack-perm"]))), .namedSynproxy(.string("sp"))]
        ),
        ("reject", "ip", [.reject(type: nil, expr: nil)]),
        ("reject inet", "inet", [.reject(type: "icmpx", expr: .string("admin-prohibited"))]),
        ("reject tcp", "ip", [.reject(type: "tcp reset", expr: nil)]),
        ("queue", "ip", [.queue(num: .range(.number(2), .number(5)), flags: FlagList(["bypass", "fanout"]))]),
        ("ct objects", "ip", [.ctHelper(.string("ftp")), .ctTimeout(.string("short")), .ctExpectation(.string("e1"))]),
        ("secmark", "ip", [.secmark(.string("sshd"))]),
        ("meter", "ip", [.meter(name: "m1", key: p("ip", "saddr"), stmt: .limit(Limit(rate: 5, per: "second")), size: 1024)]),
        ("last", "ip", [.last(used: 1500)]),
        ("xt", "ip", [.xt(type: "match", name: "conntrack")]),
        ("flow", "inet", [.flow(op: "add", flowtable: "@ft")]),
        ("reset", "ip", [.reset(.tcpOption(.named(name: "mptcp", field: nil)))]),
        ("text", "ip", [.text("add @map1 { ip saddr . ip daddr : meta mark }")])
    ]
}
