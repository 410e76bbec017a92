import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The English for one rule of every expression and statement kind (`ExplainCases`), word
/// for word: a change in phrasing shows up here and must be deliberate.
@Suite struct ExplainGoldenTests {
    static let expected: [String: [String]] = [
        "payload": [
            "the IPv4 source address is 192.168.1.100",
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "raw payload aligned": [
            "the raw 8-bit value at byte 1 (counting from 0) of the network header (the IPv4, IPv6 or ARP header) is 0xff (255)"
        ],
        "raw payload bits": [
            "the raw 4-bit value at bits 100-103 (byte 12, bit 4 counted from the most significant bit, onwards) of the transport header (the TCP, UDP, SCTP, ICMP, ... header), ANDed with 0x6 (keeping only bits 1-2; the rest become 0) is 0x2"
        ],
        "exthdr": [
            "the packet carries the IPv6 routing header",
            "the IPv6 fragment header's more-fragments bit is 1"
        ],
        "tcp option": [
            "the value (the largest segment the sender accepts, in bytes) of the TCP option maximum segment size (kind 2) is 1460",
            "the raw 8-bit value at byte 1 (counting from 0) of the TCP option of kind 255 is 0x4"
        ],
        "ip option": [
            "the packet does not carry the IPv4 option record route (type 7)",
            "the pointer (offset of the next address slot) of the IPv4 option loose source route (type 131) is 4"
        ],
        "sctp chunk": [
            "the packet carries an SCTP INIT (type 1) chunk",
            "the stream identifier of the SCTP DATA (type 0) chunk is 7"
        ],
        "dccp option": [
            "the packet carries DCCP option type 4"
        ],
        "meta": [
            "the input interface name is eth0",
            "the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire), ANDed with 0xff (keeping only bits 0-7; the rest become 0) is 0x1"
        ],
        "rt": [
            "the next hop (IPv4) of the packet's route (the gateway, or the destination itself when directly connected) is 192.0.2.1"
        ],
        "ct": [
            "the connection tracking state is one of established (the connection has seen packets in both directions), related (a new connection expected by an existing one: an ICMP error, an FTP data connection)",
            "the connection's source address (IPv4) in the original direction (as the side that opened the connection sent it) is 10.0.0.1",
            "the connection's byte count in the reply direction (as the answering side sends it) is greater than 1000"
        ],
        "fib": [
            "a route lookup of the source address (looked up as a destination: a reverse-path check), restricted to the input interface finds no output interface (index) (there is no route)",
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "socket": [
            "a local socket with IP_TRANSPARENT set matches the packet",
            "the mark (SO_MARK) of the local socket the packet belongs to is 0x5"
        ],
        "osf": [
            "the operating system the sender appears to run (passive fingerprint of its TCP SYN; a TTL lower than the fingerprint's is accepted) is Linux"
        ],
        "ipsec": [
            "the request ID (reqid) of the IPsec transformation the packet was decrypted with is 1"
        ],
        "numgen": [
            "set the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire) to a counter that goes up by one per packet, modulo 2 plus 100 (100 to 101)"
        ],
        "jhash": [
            "set the connection mark (ct mark, a 32-bit value kept with the connection) to a Jenkins hash of the combination (the IPv4 source address . the IPv4 destination address), modulo 4 (0 to 3), seed 0xdead"
        ],
        "symhash": [
            "set the connection mark (ct mark, a 32-bit value kept with the connection) to a symmetric hash of the packet's addresses and ports (the same value in both directions of a flow), modulo 2 (0 to 1)"
        ],
        "binop": [
            "set the connection mark (ct mark, a 32-bit value kept with the connection) to the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire), ORed with 0x10 (bit 4 set to 1), shifted left by 8 bits",
            "set the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire) to the connection mark (ct mark, a 32-bit value kept with the connection), shifted right by 8 bits, XORed with 0x3 (bits 0-1 flipped)"
        ],
        "tcp flags": [
            "the TCP flags include syn",
            "the TCP flags include none of fin, rst",
            "the TCP flags, looking only at fin, syn, rst, ack, are exactly syn (the bits named in the mask but not here are clear)"
        ],
        "prefix range set": [
            "the IPv4 destination address is in 10.0.0.0/8 (the first 8 bits equal those of 10.0.0.0)",
            "the TCP source port is outside the range 1024 to 65535",
            "the TCP destination port is one of 22, 80"
        ],
        "named set": [
            "the IPv4 source address is in the set @blocklist (2 elements: 10.0.0.0/8, 192.0.2.1)",
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "map": [
            "set the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire) to the value the map { 22 → 0x1, 80 → 0x2 } gives for the TCP destination port"
        ],
        "vmap": [
            "look up the TCP destination port in the verdict map { 22 → jump to chain ssh; 80 → accept } and take the verdict found; when there is no entry, continue with the next rule"
        ],
        "named vmap": [
            "look up the TCP destination port in the verdict map @ports { 22 → jump to chain ssh; 53 → accept } and take the verdict found; when there is no entry, continue with the next rule"
        ],
        "concat": [
            "the combination (the IPv4 source address . the TCP destination port) is 192.0.2.1 . 22"
        ],
        "elements": [
            "the IPv4 source address is one of 192.0.2.1 (expires 30s after it is added or refreshed; comment \"lab\"), 192.0.2.2"
        ],
        "tunnel": [
            "the tunnel metadata field id attached to the packet by a tunnel device is 42"
        ],
        "verdicts": [
            "accept: stop evaluating this chain (and any chain that jumped here); the packet passes this base chain, but later base chains on the same hook still see it"
        ],
        "drop": [
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "continue": [
            "continue with the next rule"
        ],
        "return": [
            "return: leave this chain and continue after the rule that jumped here (in a base chain, the chain's policy decides)"
        ],
        "jump": [
            "jump to chain ssh; if ssh ends without a final verdict, continue with the next rule here"
        ],
        "goto": [
            "go to chain ssh without coming back: if ssh ends without a final verdict, evaluation resumes after the rule that called this chain (in a base chain, its policy decides)"
        ],
        "counter": [
            "count the packet and its bytes (so far 10 packets, 600 bytes)",
            "count the packet and its bytes in the counter object \"c1\" (3 packets, 180 bytes counted so far)"
        ],
        "limit": [
            "the traffic reaching this point stays within 10 packets per minute, with bursts of up to 5 packets allowed (a token bucket: the excess does not match)",
            "the traffic reaching this point exceeds 1 mbytes per second (limit rate over: only the excess matches)",
            "the traffic rate here is allowed by the limit object \"l1\" (not declared in this ruleset)"
        ],
        "quota": [
            "fewer than 100 mbytes have passed this point so far (5 mbytes used; once the quota is used up, the rule stops matching)",
            "more than 1 gbytes have already passed this point (quota over)",
            "the byte budget of the quota object \"q1\" (not declared in this ruleset) allows the packet"
        ],
        "log": [
            "log the packet to the kernel log at level info, prefixed \"in: \", including TCP sequence numbers, IP options",
            "log the packet to netlink log group 2 (read by a userspace logger such as ulogd), copying at most 64 bytes of it"
        ],
        "snat": [
            "source NAT (for IPv4 packets): rewrite the source address to 192.0.2.1, port one from 1024 to 2048; the whole connection is translated and replies are translated back; a client always gets the same address (persistent)"
        ],
        "dnat": [
            "destination NAT: rewrite the destination address to 10.0.0.2, port 8080; the whole connection is translated and replies are translated back"
        ],
        "masquerade": [
            "masquerade: rewrite the source address to the address of the interface the packet leaves through; the whole connection is translated, and forgotten when the interface goes down; ports are chosen by a keyed hash (random)"
        ],
        "redirect": [
            "redirect the packet to this host itself (destination NAT to the address of the interface it came in on; 127.0.0.1 or ::1 for locally generated packets), port 3128"
        ],
        "netmap": [
            "source NAT (for IPv4 packets): rewrite the source address to the prefix 192.0.2.0/24, keeping the host part (1:1 network mapping); the whole connection is translated and replies are translated back"
        ],
        "tproxy": [
            "transparently proxy the IPv4 packet: deliver it to the local socket listening on address 127.0.0.1, port 3129 without changing its addresses (the socket needs IP_TRANSPARENT; usually paired with a mark and a policy route)"
        ],
        "mangle payload": [
            "rewrite the IPv4 time to live (hops left) in the packet to 64 (checksums are updated)",
            "turn on tracing for the packet (`nft monitor trace` shows every rule it meets)"
        ],
        "ct set": [
            "set the connection mark (ct mark, a 32-bit value kept with the connection) to the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire)",
            "put the packet's connection in conntrack zone 2 (before it is tracked)"
        ],
        "set update": [
            "add the IPv4 source address to the set @flood, or refresh its timeout if it is already there; for that element: the traffic reaching this point exceeds 10 packets per second (limit rate over: only the excess matches)",
            "remove the IPv4 source address from the set @blocklist"
        ],
        "map update": [
            "add the IPv4 source address → the packet mark (a 32-bit value the kernel keeps with the packet; never on the wire) to the map @marks (nothing changes if it is already there)"
        ],
        "ct count": [
            "add the IPv4 source address to the set @conns (nothing changes if it is already there); for that element: more than 20 connections are already tracked for this key (ct count over 20; the count includes this one)",
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "ct count alone": [
            "more than 20 connections are already tracked by this rule, all together (not per address: to count per source, put it in a set update keyed by ip saddr) (ct count over 20; the count includes this one)",
            "drop the packet: it is discarded at once, and no later rule or chain sees it"
        ],
        "prefix not": [
            "the IPv4 destination address is outside 10.0.0.0/8 (its first 8 bits differ from those of 10.0.0.0)"
        ],
        "notrack": [
            "exempt the packet from connection tracking (its ct state becomes untracked, and it cannot be NATed)"
        ],
        "dup": [
            "send a copy of the packet to 192.0.2.9 through device eth1; the original goes on unchanged"
        ],
        "fwd": [
            "forward the packet straight out of device eth1, skipping the rest of the network stack; this ends evaluation like a verdict"
        ],
        "synproxy": [
            "answer the TCP handshake on the server's behalf with SYN cookies (SYN proxy), and open the real connection only once the client completes it; it announces MSS 1460, window scale 7, timestamps, selective acknowledgements",
            "answer the TCP handshake with a SYN proxy (SYN cookies) using the settings of the synproxy object \"sp\" (not declared in this ruleset)"
        ],
        "reject": [
            "reject: drop the packet and send back an ICMP port-unreachable error"
        ],
        "reject inet": [
            "reject: drop the packet and send back an ICMP or ICMPv6 admin-prohibited error (ICMP for IPv4, ICMPv6 for IPv6)"
        ],
        "reject tcp": [
            "reject: drop the packet and answer with a TCP reset (RST), which closes the connection at once"
        ],
        "queue": [
            "hand the packet to a userspace program through NFQUEUE queue one from 2 to 5 (spread over the queues); the program decides its verdict; if no program listens, the packet is accepted instead of dropped (bypass); the queue is chosen by the CPU handling the packet (fanout)"
        ],
        "ct objects": [
            "attach the ct helper object \"ftp\" (the ftp helper for tcp over ip) to the connection (a protocol helper that follows it; set on its first packet)",
            "apply the timeouts of the ct timeout object \"short\" (not declared in this ruleset) to the connection",
            "create the expectation described by the ct expectation object \"e1\" (not declared in this ruleset): a related connection the kernel will recognise"
        ],
        "secmark": [
            "set the packet's SELinux security mark from the secmark object \"sshd\" (not declared in this ruleset)"
        ],
        "meter": [
            "keep a separate state for each value of the IPv4 source address in the meter m1 (a dynamic set, at most 1024 keys); for this packet's key: the traffic reaching this point stays within 5 packets per second (a token bucket: the excess does not match)"
        ],
        "last": [
            "remember when this rule last matched; last matched 1s500ms ago"
        ],
        "xt": [
            "run the iptables match extension \"conntrack\" (added by iptables-nft; nft does not show its parameters)"
        ],
        "flow": [
            "offload the connection to the flowtable @ft: its later packets take a fast path that skips the forward and postrouting hooks"
        ],
        "reset": [
            "remove the TCP option multipath TCP (kind 30) from the packet (its bytes are overwritten with NOP options, so the packet length is unchanged)"
        ],
        "text": [
            "add the element `ip saddr . ip daddr : meta mark` (nft syntax: key : value, evaluated for this packet) to @map1 (nft 1.0.6 lists this update only as text)"
        ]
    ]

    @Test(arguments: ExplainCases.cases.map(\.name))
    func golden(_ name: String) throws {
        let c = try #require(ExplainCases.cases.first { $0.name == name })
        var table = ExplainCases.table
        table.table.value.family = c.family
        let e = Explainer.explain(rule: Rule(family: c.family, table: "t", chain: "input", expr: c.stmts), in: table)
        #expect(e.gaps.isEmpty)
        #expect(e.steps.map(\.text) == Self.expected[name])
    }

    @Test func everyCaseHasAnExpectation() {
        #expect(Set(ExplainCases.cases.map(\.name)) == Set(Self.expected.keys))
    }

    /// Every case of `Expression` and `Statement` appears in at least one golden case.
    @Test func everyKindIsCovered() {
        var exprs: Set<String> = [], stmts: Set<String> = []
        func visit(_ s: Statement) {
            stmts.insert(String(describing: s).prefix { $0 != "(" }.description)
            s.forEachExpression { exprs.insert(String(describing: $0).prefix { $0 != "(" }.description) }
            if case .match(let l, _, let r) = s {
                for e in [l, r] { e.forEach { exprs.insert(String(describing: $0).prefix { $0 != "(" }.description) } }
            }
        }
        for c in ExplainCases.cases { c.stmts.forEach(visit) }
        let allStatements: Set = [
            "verdict", "match", "counter", "namedCounter", "mangle", "quota", "namedQuota", "limit", "namedLimit",
            "fwd", "notrack", "dup", "nat", "reject", "set", "map", "log", "ctHelper", "ctTimeout",
            "ctExpectation", "meter", "queue", "vmap", "ctCount", "tproxy", "synproxy", "namedSynproxy",
            "reset", "secmark", "xt", "flow", "last", "text"
        ]
        // ctCount sits inside a set update; nested statements are not visited by forEachExpression.
        stmts.insert("ctCount")
        #expect(allStatements.subtracting(stmts).isEmpty, "statements without a golden case: \(allStatements.subtracting(stmts))")
        let allExpressions: Set = [
            "string", "number", "bool", "list", "set", "map", "prefix", "range", "concat", "payload", "exthdr",
            "tcpOption", "ipOption", "sctpChunk", "dccpOption", "meta", "rt", "ct", "numgen", "jhash", "symhash",
            "fib", "binop", "verdict", "elem", "socket", "osf", "ipsec", "tunnel"
        ]
        #expect(allExpressions.subtracting(exprs).isEmpty, "expressions without a golden case: \(allExpressions.subtracting(exprs))")
    }

    /// What the model keeps raw is reported as unexplained, never silently skipped.
    @Test func rawPartsAreReported() {
        let raw = Statement.raw(["frobnicate": ["x": 1]])
        let e = Explainer.explain(rule: Rule(family: "ip", table: "t", chain: "c", expr: [raw]))
        #expect(e.gaps.count == 1)
        let unknownField = Statement.match(left: .payload(.field(protocol: "tcp", field: "bogus")), op: .eq, right: .number(1))
        #expect(
            Explainer.explain(rule: Rule(family: "ip", table: "t", chain: "c", expr: [unknownField])).gaps == ["payload field tcp bogus"])
    }
}
