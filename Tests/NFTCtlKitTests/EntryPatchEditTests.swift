import Foundation
import NFTModel
import Testing

@testable import NFTCtlKit

/// Which entries of a file an edit touches (`EntryPatch.edit`): the bytes before the first
/// difference and after the last are the same entries; what lies between must be entries
/// JSON allows there, or there is no edit (the ordinary apply then reads, and refuses, the file).
@Suite struct EntryPatchEditTests {
    /// Enough entries that an edit of two is well under a quarter of the file (beyond, `edit` declines).
    static let entries = [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#] + (4...40).map { "{\"n\":\($0)}" } + [#"{"d":4}"#]

    static func document(_ entries: [String], separator: String = ",\n") -> [UInt8] {
        Array(("{\"nftables\": [\n" + entries.joined(separator: separator) + "\n]}\n").utf8)
    }

    /// A base of `bytes` (spans as the loader finds them; nothing else matters to `edit`).
    static func base(_ bytes: [UInt8]) throws -> AppliedBase {
        let (_, _, spans) = try JSON.parseWithEntrySpans(bytes: bytes)
        let bounds = try #require(AppliedBase.arrayBounds(spans))
        return AppliedBase(
            path: "f.json", digest: "", generation: 1, namespace: 1, boot: "", tables: [], chains: [], tableDeclared: [],
            entries: spans.map { AppliedBase.Entry(span: $0, table: -1, chain: -1, handle: 0, listing: 0..<0) },
            arrayStart: bounds.lowerBound, arrayEnd: bounds.upperBound, fileIdentity: "", listingIdentity: "")
    }

    /// The edit as (old entries, the new entries' texts), with the entries that are the same
    /// bytes at both ends left out (kept, `RuleExchange.keptEnds`).
    static func edit(_ new: [UInt8], from old: [UInt8]) throws -> (Range<Int>, [String])? {
        let b = try base(old)
        guard let e = EntryPatch.edit(base: b, old: old, new: new) else { return nil }
        let (lead, trail) = EntryPatch.RuleExchange.keptEnds(e, entries: b.entries, old: old, new: new)
        let range = e.old.lowerBound + lead..<e.old.upperBound - trail
        let texts = e.new[lead..<e.new.count - trail].map { String(decoding: new[$0.span], as: UTF8.self) }
        return (range, texts)
    }

    @Test func theEntriesBetweenTheFirstAndLastDifferenceAreTheEdit() throws {
        let old = Self.document(Self.entries)
        let same = try #require(try Self.edit(old, from: old))
        #expect(same.0.isEmpty && same.1.isEmpty)

        var changed = Self.entries
        changed[1] = #"{"b":22}"#
        let one = try #require(try Self.edit(Self.document(changed), from: old))
        #expect(one.0 == 1..<2 && one.1 == [#"{"b":22}"#])

        let n = Self.entries.count
        let appended = try #require(try Self.edit(Self.document(Self.entries + [#"{"e":5}"#]), from: old))
        #expect(appended.0 == n..<n && appended.1 == [#"{"e":5}"#])

        let first = try #require(try Self.edit(Self.document([#"{"z":0}"#] + Self.entries), from: old))
        #expect(first.0.isEmpty && first.1 == [#"{"z":0}"#])

        let deleted = try #require(try Self.edit(Self.document([Self.entries[0]] + Self.entries.dropFirst(2)), from: old))
        #expect(deleted.0.count == 1 && deleted.1.isEmpty)

        // Only the space between two entries: no entry changed.
        let text = String(decoding: old, as: UTF8.self)
        let spaced = text.replacingOccurrences(of: #"{"b":2},"# + "\n", with: #"{"b":2} ,"# + "\n\n  ")
        try #require(spaced != text)
        let space = try #require(try Self.edit(Array(spaced.utf8), from: old))
        #expect(space.0.isEmpty && space.1.isEmpty)
    }

    @Test func whatJSONDoesNotAllowBetweenEntriesIsNoEdit() throws {
        let old = Self.document(Self.entries)
        let text = String(decoding: old, as: UTF8.self)
        func edited(_ from: String, _ to: String) throws -> (Range<Int>, [String])? {
            let new = text.replacingOccurrences(of: from, with: to)
            try #require(new != text)
            return try Self.edit(Array(new.utf8), from: old)
        }
        #expect(try edited(#"{"b":2},"#, #"{"b":2}"#) == nil, "a comma taken out")
        #expect(try edited(#"{"b":2},"#, #"{"b":2},,"#) == nil, "a comma doubled")
        #expect(try edited(#"{"c":3}"#, "") == nil, "an entry gone, its comma left")
        #expect(try edited(#"{"d":4}"#, #"{"d":4},"#) == nil, "a comma after the last entry")
        #expect(try edited("[\n{\"a\"", "[,\n{\"a\"") == nil, "a comma before the first entry")
        #expect(try edited(#"{"nftables""#, #"{"nftable""#) == nil, "the document around the entries")
        #expect(try edited(#"{"c":3}"#, #"{"c":3}],"x":[{"y":1}"#) == nil, "entries smuggled out of the array")
    }
}
