import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The listing by parts (JSON, table flags and comments from netlink, text only for chain and
/// set declarations and for chains holding rules the JSON may misstate) against the listing
/// repaired from the whole text: the same document, on a ruleset with every kind of repair.
@Suite(.serialized) struct ListingByPartsKernelTests {
    static var fixture: String {
        (try? String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/listing-parts.nft"), encoding: .utf8)) ?? ""
    }

    static func rules(_ d: Document) -> [Rule] {
        d.entries.compactMap { if case .item(.rule(let r)) = $0 { return r }; return nil }
    }

    @Test(.needsRoot) func byPartsEqualsTheFullTextRepair() throws {
        guard let ns = TestNamespace.make("listing by parts vs the whole text") else { return }
        let load = ns.nftLoad(Self.fixture)
        try #require(load.status == 0, "\(load.stderr)")
        let context = try NFTContext(outputFlags: [.json], namespace: NetworkNamespace(name: ns.name))
        for scope in ["ruleset", "table inet parts", "table ip quiet", "table netdev dev"] {
            let parts = try #require(try ListingRepair.listByParts(scope, context: context), "\(scope)")
            let whole = try ListingRepair.list(scope, context: context, fullText: true)
            #expect(parts.json.serialized(.spaced) == whole.json.serialized(.spaced), "\(scope)")
        }
        // What the JSON alone loses came back: the table's comment, chain comment and device,
        // typeof, auto-merge, a set timeout in milliseconds, the anonymous chain as text.
        let doc = try ListingRepair.list("ruleset", context: context)
        let items = doc.items
        #expect(items.contains { if case .table(let t) = $0 { return t.comment == "table comment, with a comma" }; return false })
        #expect(items.contains { if case .chain(let c) = $0 { return c.comment == "chain comment" }; return false })
        #expect(items.contains { if case .chain(let c) = $0 { return c.dev != nil }; return false })
        #expect(items.contains { if case .set(let s) = $0 { return s.autoMerge == true }; return false })
        #expect(items.contains { if case .set(let s) = $0, case .typeof? = s.type { return s.timeout?.milliseconds == 150_500 }; return false })
        #expect(Self.rules(doc).contains { r in r.statements.contains { if case .text(let t) = $0 { return t.contains("jump {") }; return false } })
    }

    /// A flagged table is never listed whole as JSON (1.0.6 prints its flags from freed
    /// memory): listing by parts declines, and the full text path lists it object by object.
    @Test(.needsRoot) func aDormantTableIsLeftToTheFullTextPath() throws {
        guard let ns = TestNamespace.make("listing by parts declines a dormant table") else { return }
        try #require(ns.nftLoad("table inet d {\n flags dormant\n chain c {\n tcp dport 1 accept\n }\n}\n").status == 0)
        let context = try NFTContext(outputFlags: [.json], namespace: NetworkNamespace(name: ns.name))
        #expect(try ListingRepair.listByParts("ruleset", context: context) == nil)
        let doc = try ListingRepair.list("ruleset", context: context)
        #expect(doc.items.contains { if case .table(let t) = $0 { return t.flags?.values == ["dormant"] }; return false })
        #expect(Self.rules(doc).count == 1)
        // A table that does not exist: declined too, so the full path reports it as before.
        #expect(try ListingRepair.listByParts("table ip absent", context: context) == nil)
        #expect(throws: BackendError.self) { try ListingRepair.list("table ip absent", context: context) }
    }

    /// The table dump's parser on bytes: a NUL-terminated name, flags, the comment record
    /// among other user-data records; a truncated message is an error, not a crash.
    @Test func parsesTheTableDump() throws {
        func attr(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
            var a: [UInt8] = []
            withUnsafeBytes(of: UInt16(4 + value.count)) { a += $0 }
            withUnsafeBytes(of: type) { a += $0 }
            a += value
            while a.count % 4 != 0 { a.append(0) }
            return a
        }
        let body =
            [1, 0, 0, 0] + attr(1, Array("t1".utf8) + [0]) + attr(2, [0, 0, 0, 1])
            + attr(6, [7, 2, 9, 9] + [0, 4] + Array("hi!".utf8) + [0])
        var msg: [UInt8] = []
        withUnsafeBytes(of: UInt32(16 + body.count)) { msg += $0 }
        withUnsafeBytes(of: KernelTables.newTable) { msg += $0 }
        msg += [2, 0]
        withUnsafeBytes(of: UInt32(7)) { msg += $0 }
        msg += [0, 0, 0, 0] + body
        var done: [UInt8] = []
        withUnsafeBytes(of: UInt32(20)) { done += $0 }
        withUnsafeBytes(of: NetfilterNetlink.nlmsgDone) { done += $0 }
        done += [2, 0]
        withUnsafeBytes(of: UInt32(7)) { done += $0 }
        done += [0, 0, 0, 0, 0, 0, 0, 0]
        var tables: [KernelTables.Table] = []
        #expect(try KernelTables.parse(ArraySlice(msg + done), seq: 7, into: &tables))
        #expect(tables == [KernelTables.Table(family: "inet", name: "t1", flags: 1, comment: "hi!")])
        var none: [KernelTables.Table] = []
        #expect(throws: BackendError.self) { _ = try KernelTables.parse(ArraySlice(msg.prefix(30)), seq: 7, into: &none) }
    }
}
