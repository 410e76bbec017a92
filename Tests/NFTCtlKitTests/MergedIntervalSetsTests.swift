import NFTModel
import Testing

@testable import NFTCtlKit

/// A one-element anonymous interval set as nft lists it is split into two adjacent
/// intervals that cover exactly the same values (the kernel test, through nft itself, is
/// the realworld fixture `merged-anonymous-intervals.nft`).
@Suite struct MergedIntervalSetsTests {
    typealias E = NFTModel.Expression

    @Test func prefixesAreHalved() {
        #expect(
            MergedIntervalSets.halves(.prefix(addr: .string("2001:db8:2::8"), len: 127))
                == [.prefix(addr: .string("2001:db8:2::8"), len: 128), .prefix(addr: .string("2001:db8:2::9"), len: 128)])
        #expect(
            MergedIntervalSets.halves(.prefix(addr: .string("10.0.0.0"), len: 23))
                == [.prefix(addr: .string("10.0.0.0"), len: 24), .prefix(addr: .string("10.0.1.0"), len: 24)])
        #expect(
            MergedIntervalSets.halves(.prefix(addr: .string("0.0.0.0"), len: 0))
                == [.prefix(addr: .string("0.0.0.0"), len: 1), .prefix(addr: .string("128.0.0.0"), len: 1)])
        #expect(
            MergedIntervalSets.halves(.prefix(addr: .string("fe80::"), len: 10))
                == [.prefix(addr: .string("fe80::"), len: 11), .prefix(addr: .string("fea0::"), len: 11)])
    }

    @Test func rangesLoseTheirFirstValue() {
        #expect(
            MergedIntervalSets.halves(.range(.number(1), .number(65535)))
                == [.range(.number(1), .number(1)), .range(.number(2), .number(65535))])
        #expect(
            MergedIntervalSets.halves(.range(.number(5), .number(6))) == [.range(.number(5), .number(5)), .range(.number(6), .number(6))])
        // The carry runs across bytes.
        #expect(
            MergedIntervalSets.halves(.range(.string("10.3.0.255"), .string("10.3.1.5")))
                == [.range(.string("10.3.0.255"), .string("10.3.0.255")), .range(.string("10.3.1.0"), .string("10.3.1.5"))])
        #expect(
            MergedIntervalSets.halves(.range(.string("2001:db8::ffff"), .string("2001:db8::1:5")))
                == [
                    .range(.string("2001:db8::ffff"), .string("2001:db8::ffff")), .range(.string("2001:db8::1:0"), .string("2001:db8::1:5"))
                ])
    }

    @Test func whatCoversOneValueOrIsNotAnIntervalStaysAsItIs() {
        let kept: [E] = [
            .prefix(addr: .string("10.0.0.1"), len: 32), .prefix(addr: .string("::1"), len: 128), .range(.number(3), .number(3)),
            .range(.number(4), .number(3)), .range(.string("10.0.0.2"), .string("10.0.0.1")),
            .range(.string("10.0.0.1"), .string("::2")), .string("10.0.0.0"), .number(22), .prefix(addr: .number(16), len: 31),
            .range(.string("eth0"), .string("eth9"))
        ]
        for e in kept { #expect(MergedIntervalSets.halves(e) == nil, "\(e)") }
    }

    /// Only a one-element set on a match's right side: a two-element one, a set of values,
    /// a map, and a set written as one value are left alone.
    @Test func onlyOneElementSetsOfMatchesAreSplit() {
        let left = E.payload(.field(protocol: "tcp", field: "dport"))
        func rule(_ right: E) -> Rule {
            Rule(family: "inet", table: "t", chain: "c", expr: [.match(left: left, op: .eq, right: right), .verdict(.accept)])
        }
        let merged = rule(.set([.range(.number(1), .number(9))], single: false))
        #expect(
            MergedIntervalSets.split(merged).expr?.first
                == .match(left: left, op: .eq, right: .set([.range(.number(1), .number(1)), .range(.number(2), .number(9))], single: false))
        )
        for r in [
            rule(.set([.range(.number(1), .number(4)), .range(.number(6), .number(9))], single: false)),
            rule(.set([.number(22)], single: false)), rule(.set([.range(.number(1), .number(9))], single: true)),
            rule(.range(.number(1), .number(9)))
        ] {
            #expect(MergedIntervalSets.split(r) == r)
        }
    }
}
