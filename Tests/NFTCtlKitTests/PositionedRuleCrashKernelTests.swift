import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// libnftables 1.0.6 dies on a rule placed by position while any table holds an anonymous
/// set keyed by a header bitfield (`PositionedRuleCrash`): a rollback that would put a rule
/// back in the middle of a chain, with such a rule in its table or in another program's,
/// replaces the table whole instead, and the namespace lists as before the apply.
@Suite struct PositionedRuleCrashKernelTests {
    static func table(_ ports: [Int]) -> String {
        "table inet t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy accept;\n"
            + "\t\tct mark set ip dscp map { cs1 : 0x00000001 }\n"
            + ports.map { "\t\ttcp dport \($0) accept\n" }.joined() + "\t}\n}\n"
    }

    @Test(.needsRoot) func aRollbackPuttingARuleBackInTheMiddleReplacesTheTable() throws {
        guard let k = AgainstNft("positioned rule crash") else { return }
        let before = Self.table([1, 2, 3]), after = Self.table([1, 3])
        for text in [before, after] {
            let r = try k.apply(text)
            #expect(r.status == 0 && r.stdout.contains("verified"), "\(r.stdout)\(r.stderr)")
        }
        let rollback = k.nftctl(["rollback", "--netns", k.ns.name])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        try k.expectSameAsNft(before)
    }

    @Test(.needsRoot) func anotherTablesRuleCountsToo() throws {
        guard let k = AgainstNft("positioned rule crash, other table") else { return }
        let mine = { (ports: [Int]) in
            "table inet mine {\n\tchain c {\n" + ports.map { "\t\ttcp dport \($0) accept\n" }.joined() + "\t}\n}\n"
        }
        let foreign = "table ip other {\n\tchain c {\n\t\tip dscp { cs1, ef } accept\n\t}\n}\n"
        try #require(k.ns.nftLoad(foreign).status == 0)
        for text in [mine([1, 2, 3]), mine([1, 3])] {
            let r = try k.apply(text)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        let rollback = k.nftctl(["rollback", "--netns", k.ns.name])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        try k.expectSameAsNft(foreign + mine([1, 2, 3]))
        // And an apply placing the rule back counts the other program's table too, as `diff`
        // of it (from the remembered listing of nftctl's table alone) shows beforehand.
        let removed = try k.apply(mine([1, 3]))
        #expect(removed.status == 0 && removed.stdout.contains("verified"), "\(removed.stdout)\(removed.stderr)")
        try mine([1, 2, 3]).write(toFile: k.path, atomically: true, encoding: .utf8)
        let diff = k.nftctl(["diff", "--netns", k.ns.name, k.path])
        #expect(diff.stdout.contains(PositionedRuleCrash.reason), "\(diff.stdout)\(diff.stderr)")
        let back = try k.apply(mine([1, 2, 3]))
        #expect(back.status == 0 && back.stdout.contains("verified"), "\(back.stdout)\(back.stderr)")
        #expect(back.stdout.contains(PositionedRuleCrash.reason), "\(back.stdout)")
        try k.expectSameAsNft(foreign + mine([1, 2, 3]))
    }

    /// A TCP option's bitfield counts too (measured: `nft insert rule … position H` dies
    /// beside `tcp option mptcp subtype { 0, 1 }`): a rollback putting a rule back in the
    /// middle (through libnftables) replaces the table.
    @Test(.needsRoot) func aTCPOptionsBitfieldCountsToo() throws {
        guard let k = AgainstNft("positioned rule crash, tcp option") else { return }
        let text = { (ports: [Int]) in
            "table inet t {\n\tchain c {\n\t\ttcp option mptcp subtype { 0, 1 } accept\n"
                + ports.map { "\t\ttcp dport \($0) accept\n" }.joined() + "\t}\n}\n"
        }
        for ports in [[1, 2, 3], [1, 3]] {
            let r = try k.apply(text(ports))
            #expect(r.status == 0 && r.stdout.contains("verified"), "\(r.stdout)\(r.stderr)")
        }
        let rollback = k.nftctl(["rollback", "--netns", k.ns.name])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        try k.expectSameAsNft(text([1, 2, 3]))
    }

    @Test func whatMakesPositionsCrash() throws {
        func rule(_ json: String) throws -> Rule {
            let doc = try Document.parse(
                #"{"nftables": [{"rule": {"family": "inet", "table": "t", "chain": "c", "expr": ["# + json + "]}}]}")
            guard case .item(.rule(let r))? = doc.entries.first else { throw Problem("no rule") }
            return r
        }
        let dscpSet = try rule(
            #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "dscp"}}, "right": {"set": ["cs1", "ef"]}}}, {"accept": null}"#
        )
        let dscpOne = try rule(#"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "dscp"}}, "right": "cs1"}}"#)
        let portSet = try rule(
            #"{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [1, 2]}}}"#)
        let rawSet = try rule(
            #"{"match": {"op": "==", "left": {"payload": {"base": "nh", "offset": 4, "len": 4}}, "right": {"set": [1, 2]}}}"#)
        #expect(PositionedRuleCrash.triggers(dscpSet) && PositionedRuleCrash.triggers(rawSet))
        #expect(!PositionedRuleCrash.triggers(dscpOne) && !PositionedRuleCrash.triggers(portSet))
        // Measured to crash too: an extension header's bitfield, tcp reserved, and such a
        // set inside an anonymous chain (nft text); a bitfield inside a concatenation does not.
        let frag = try rule(
            #"{"match": {"op": "==", "left": {"exthdr": {"name": "frag", "field": "more-fragments"}}, "right": {"set": [0, 1]}}}"#)
        let reserved = try rule(
            #"{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "reserved"}}, "right": {"set": [1, 2]}}}"#)
        let chain = try rule(#""jump {\n\t\t\tip dscp { cs1, ef } accept\n\t\t}""#)
        let concat = try rule(
            #"{"match": {"op": "==", "left": {"concat": [{"payload": {"protocol": "ip", "field": "dscp"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "right": {"set": [{"concat": ["cs1", 80]}]}}}"#
        )
        let mptcp = try rule(
            #"{"match": {"op": "==", "left": {"tcp option": {"name": "mptcp", "field": "subtype"}}, "right": {"set": [0, 1]}}}"#)
        #expect(PositionedRuleCrash.triggers(frag) && PositionedRuleCrash.triggers(reserved) && PositionedRuleCrash.triggers(chain))
        #expect(PositionedRuleCrash.triggers(mptcp))
        #expect(!PositionedRuleCrash.triggers(concat))
        // Deletes from concatenated intervals: host byte order counts, one byte does not.
        #expect(TablePlanner.concatenatesHostOrder(.concat(["ipv4_addr", "mark"])))
        #expect(!TablePlanner.concatenatesHostOrder(.concat(["ipv4_addr", "icmp_type"])))
        #expect(
            !TablePlanner.concatenatesHostOrder(.typeof(.concat([.meta(key: "l4proto"), .payload(.field(protocol: "ip", field: "saddr"))])))
        )
        #expect(
            TablePlanner.concatenatesHostOrder(.typeof(.concat([.payload(.field(protocol: "ip", field: "saddr")), .meta(key: "mark")]))))
    }
}
