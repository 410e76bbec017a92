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

    /// The text of a set's elements is read only where the JSON misstates them (1.0.6: element
    /// timeouts in whole seconds, an element's statements after the first): those sets are
    /// listed alone, and keep their milliseconds and second statement; a plain set's elements
    /// (with a comment, which the JSON keeps) need no text.
    @Test(.needsRoot) func elementsTheJSONMisstatesAreReadFromTheSetsText() throws {
        guard let ns = TestNamespace.make("listing by parts: element text where needed") else { return }
        let text = """
            table inet e {
            	set timed { type ipv4_addr; flags timeout; elements = { 10.2.0.1 timeout 1m30s250ms, 10.2.0.2 }; }
            	map marks { type ipv4_addr : mark; flags timeout; elements = { 10.4.0.1 timeout 2s500ms : 0x1 }; }
            	set limited { type ipv4_addr; limit rate 1/second; counter; elements = { 10.3.0.1 }; }
            	set plain { type ipv4_addr; elements = { 10.5.0.1 comment "an address", 10.5.0.2 }; }
            }

            """
        try #require(ns.nftLoad(text).status == 0)
        let context = try NFTContext(outputFlags: [.json], namespace: NetworkNamespace(name: ns.name))
        let parts = try #require(try ListingRepair.listByParts("table inet e", context: context))
        let declarations = try #require(try ListingRepair.listDeclarations(family: "inet", name: "e", context: context))
        for doc in [parts, declarations] {
            let sets = Dictionary(
                uniqueKeysWithValues: doc.items.compactMap { i -> (String, NamedSet)? in
                    if case .set(let s) = i { return (s.name, s) }
                    return nil
                })
            func elem(_ set: String, _ i: Int) -> SetElement? {
                guard let e = sets[set]?.elements[i] else { return nil }
                if case .elem(let el) = e { return el }
                if case .list(let pair) = e, case .elem(let el)? = pair.first { return el }
                return nil
            }
            // Milliseconds, not the JSON's whole seconds (the kernel keeps jiffies: 90250 ms
            // lists as 90248 at HZ 250).
            #expect(abs((elem("timed", 0)?.timeout?.milliseconds ?? 0) - 90_250) < 20)
            #expect(abs((elem("marks", 0)?.timeout?.milliseconds ?? 0) - 2_500) < 20)
            #expect(elem("limited", 0)?.statements.count == 2)
            #expect(sets["plain"]?.elements.count == 2)
            #expect(elem("plain", 0)?.comment == "an address" || elem("plain", 1)?.comment == "an address")
        }
        // Which sets those were: the text is asked for exactly these.
        let terse = TextListing(try context.run("list sets table inet e; list maps", flags: [.handle, .terse], dryRun: false))
        let needing = parts.items.compactMap { i -> String? in
            guard case .set(let s) = i, let d = terse.table("inet", "e")?.sets.first(where: { $0.name == s.name }) else { return nil }
            return d.needsElements(s) ? s.name : nil
        }
        #expect(Set(needing) == ["timed", "marks", "limited"])
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
