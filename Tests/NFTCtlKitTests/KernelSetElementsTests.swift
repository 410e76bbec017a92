import Foundation
import Testing

@testable import NFTCtlKit

/// The undecoded dump that tells whether a set is being resized (`KernelSetElements`): an
/// element is its key, flags and range end, so that an interval's end and the next interval's
/// start (the same key) are two elements, and the same element dumped twice is a repeat.
@Suite struct KernelSetElementsTests {
    static func attr(_ type: UInt16, _ value: [UInt8]) -> [UInt8] { KernelRulesTests.attribute(type, value) }

    /// An element: `NFTA_SET_ELEM_KEY` (a data value), optional flags, a counter's bytes.
    static func element(key: [UInt8], flags: UInt32? = nil, counter: UInt8 = 0) -> [UInt8] {
        var body = attr(1 | 0x8000, attr(1, key))
        if let flags { body += attr(3, withUnsafeBytes(of: flags.bigEndian) { Array($0) }) }
        body += attr(7, [counter, 0, 0, 0])  // NFTA_SET_ELEM_EXPR: not part of what the element is
        return attr(1 | 0x8000, body)
    }

    @Test func elementsAreTheirKeyFlagsAndRangeEnd() {
        let start = Self.element(key: [10, 0, 1, 0])
        let end = Self.element(key: [10, 0, 1, 0], flags: 1)  // NFT_SET_ELEM_INTERVAL_END
        let again = Self.element(key: [10, 0, 1, 0], counter: 9)
        let body = [2, 0, 0, 0] + Self.attr(1, Array("t\0".utf8)) + Self.attr(3 | 0x8000, start + end + again)
        let ids = KernelSetElements.elements(body[...]).map(\.identity)
        #expect(ids.count == 3)
        #expect(ids[0] != ids[1], "an interval's end is not its neighbour's start")
        #expect(ids[0] == ids[2], "the same element, its counter moved, is the same element")
    }

    /// In the kernel: the named sets (not a rule's anonymous one), and a settled dump of a
    /// hash set and of adjacent intervals with no element taken for a repeat.
    @Test(.needsRoot) func aSettledSetDumpsWithoutRepeats() throws {
        guard let ns = TestNamespace.make("set elements dumped undecoded") else { return }
        let many = (0..<20_000).map { "10.\($0 >> 16).\(($0 >> 8) & 255).\($0 & 255)" }.joined(separator: ", ")
        let text = """
            table inet e {
            \tset many { type ipv4_addr; elements = { \(many) }; }
            \tset ranges { type ipv4_addr; flags interval; elements = { 10.0.0.0/24, 10.0.1.0/24, 10.0.3.0-10.0.3.9 }; }
            \tchain c { ip saddr { 192.0.2.1, 192.0.2.2 } accept; }
            }

            """
        try #require(ns.nftLoad(text).status == 0)
        let namespace = try NetworkNamespace(name: ns.name)
        let code = try #require(KernelTables.code(of: "inet"))
        let settled = try namespace.perform { () throws(BackendError) in try KernelSetElements.settle(family: "inet", table: "e") }
        #expect(settled)
        let names = try namespace.perform { () throws(BackendError) in try KernelSetElements.namedSets(code: code, table: "e") }
        #expect(Set(names) == ["many", "ranges"])
        for set in ["many", "ranges"] {
            let repeats = try namespace.perform { () throws(BackendError) in
                try KernelSetElements.dump(code: code, table: "e", set: set).repeated
            }
            #expect(!repeats, "\(set)")
        }
        // The keys as the kernel holds them: every address once; the end of 10.0.0.0/24 and
        // the start of 10.0.1.0/24 are the same key, two elements.
        let dumped = try namespace.perform { () throws(BackendError) in try KernelSetElements.dump(code: code, table: "e", set: "many") }
        #expect(dumped.keys.count == 20_000 && Set(dumped.keys).count == 20_000)
        #expect(dumped.keys.contains([10, 0, 0, 0]) && dumped.keys.contains([10, 0, 78, 31]))
        let ranges = try namespace.perform { () throws(BackendError) in try KernelSetElements.dump(code: code, table: "e", set: "ranges") }
        #expect(!ranges.repeated && ranges.keys.filter { $0 == [10, 0, 1, 0] }.count == 2, "\(ranges.keys)")
    }
}
