import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A named map keyed by `ip dscp`, `ip6 dscp`, `ip6 ecn` or `dccp type`: nft 1.0.6 lists the
/// key as its raw load (`(@nh,8,8 & 0xfc) >> 2 map @m`), which its parser refuses back. The
/// file `nft -f` loads must apply, list as nft's, and find nothing to do again.
@Suite struct ShiftedBitfieldKeysTests {
    static let text = """
        table ip t {
        \tmap m { type dscp : mark; elements = { cs1 : 0x1, ef : 0x2 }; }
        \tmap v { type dscp : verdict; elements = { cs1 : accept }; }
        \tmap d { type dccp_pkttype : mark; elements = { request : 0x1 }; }
        \tchain c {
        \t\tmeta mark set ip dscp map @m
        \t\tip dscp vmap @v
        \t\tmeta mark set dccp type map @d
        \t\tmeta mark set ip dscp map { cs1 : 0x1 }
        \t}
        }
        table ip6 t6 {
        \tmap m { type dscp : mark; elements = { cs1 : 0x1 }; }
        \tmap e { type ecn : mark; elements = { ect0 : 0x1 }; }
        \tchain c {
        \t\tmeta mark set ip6 dscp map @m
        \t\tmeta mark set ip6 ecn map @e
        \t}
        }
        table inet i {
        \tmap m { type dscp : mark; elements = { cs1 : 0x1 }; }
        \tchain c {
        \t\tmeta mark set ip dscp map @m
        \t\tmeta mark set ip6 dscp map @m
        \t}
        }
        table bridge b {
        \tmap m { type dscp : mark; elements = { cs1 : 0x1 }; }
        \tchain c {
        \t\tether type ip meta mark set ip dscp map @m
        \t\tvlan id 10 vlan type ip meta mark set ip dscp map @m
        \t}
        }
        table ip objects {
        \tcounter c1 { }
        \tmap cm { type dscp : counter; elements = { cs1 : "c1" }; }
        \tchain c {
        \t\tcounter name ip dscp map @cm
        \t}
        }

        """

    @Test(.needsRoot) func aMapKeyedByAShiftedBitfieldApplies() throws {
        guard let k = AgainstNft("shifted bitfield keys") else { return }
        try k.expectAppliesAsNft(Self.text)
        let diff = k.nftctl(["diff", "--netns", k.ns.name, k.path])
        #expect(diff.status == 0, "\(diff.stdout)\(diff.stderr)")
        // A change of the map's elements, planned from the repaired listing.
        let edited = Self.text.replacingOccurrences(of: "cs1 : 0x1, ef : 0x2", with: "cs1 : 0x1, ef : 0x3")
        let b = try k.apply(edited)
        #expect(b.status == 0 && b.stdout.contains("verified"), "\(b.stdout)\(b.stderr)")
        try k.expectSameAsNft(edited)
    }

    /// The raw load is named only as the field of the protocol the rule is about.
    @Test func theLoadIsNamedOnlyInItsProtocol() {
        func load(_ base: String, _ offset: Int, _ len: Int, mask: Int64, shift: Int64) -> NFTModel.Expression {
            .binop(.rshift, [.binop(.and, [.payload(.raw(base: base, offset: offset, len: len)), .number(mask)]), .number(shift)])
        }
        let ipDSCP = load("nh", 8, 8, mask: 0xfc, shift: 2)
        #expect(ShiftedBitfieldKeys.named(ipDSCP, protocols: ["ip"]) == .payload(.field(protocol: "ip", field: "dscp")))
        #expect(ShiftedBitfieldKeys.named(ipDSCP, protocols: ["ip6"]) == nil)
        #expect(ShiftedBitfieldKeys.named(ipDSCP, protocols: []) == nil)
        #expect(
            ShiftedBitfieldKeys.named(load("nh", 0, 16, mask: 0xfc0, shift: 6), protocols: ["ip6"])
                == .payload(.field(protocol: "ip6", field: "dscp")))
        #expect(
            ShiftedBitfieldKeys.named(load("nh", 8, 8, mask: 0x30, shift: 4), protocols: ["ip6"])
                == .payload(.field(protocol: "ip6", field: "ecn")))
        // Another mask or shift is another expression.
        #expect(ShiftedBitfieldKeys.named(load("nh", 8, 8, mask: 0xf0, shift: 2), protocols: ["ip"]) == nil)
        #expect(ShiftedBitfieldKeys.named(load("nh", 8, 8, mask: 0xfc, shift: 3), protocols: ["ip"]) == nil)
        // In inet, only after the dependency 1.0.6 lists: `meta nfproto ipv4`.
        let key = NFTModel.Expression.map(key: ipDSCP, data: .string("@m"))
        let bare = Rule(family: "inet", table: "t", chain: "c", expr: [.mangle(key: .meta(key: "mark"), value: key)])
        #expect(ShiftedBitfieldKeys.repair(bare) == bare)
        var guarded = bare
        guarded.expr = [.match(left: .meta(key: "nfproto"), op: .eq, right: .string("ipv4"))] + bare.statements
        guard case .mangle(_, .map(let named, _)) = ShiftedBitfieldKeys.repair(guarded).statements.last else {
            Issue.record("not a mangle of a map")
            return
        }
        #expect(named == .payload(.field(protocol: "ip", field: "dscp")))
    }
}
