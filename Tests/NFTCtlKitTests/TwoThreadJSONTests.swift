import Foundation
import NFTModel
import Testing

@testable import NFTCtlKit

/// A document parsed in two halves on two threads (`JSON.entryCut`, `TwoThreadJSON`) is the
/// document parsed on one: the same tree, entry lines and spans, and the same error with
/// the same line and column for a document that is not JSON.
struct TwoThreadJSONTests {
    static func sequential(_ text: String) -> Result<(JSON, [Int], [Range<Int>]), JSONParseError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buf in Result { () throws(JSONParseError) in try JSON.parseWithEntrySpans(buf) } }
    }

    /// The document cut where `entryCut` says, the tail parsed first (as another thread may).
    static func cut(_ text: String) -> (JSONEntryCut?, Result<(JSON, [Int], [Range<Int>]), JSONParseError>) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buf in
            guard let cut = JSON.entryCut(buf) else {
                return (nil, Result { () throws(JSONParseError) in try JSON.parseWithEntrySpans(buf) })
            }
            let tail = JSON.parseEntries(after: cut, in: buf)
            return (cut, Result { () throws(JSONParseError) in try JSON.parseWithEntrySpans(buf, cut: cut) { tail } })
        }
    }

    static func same(_ a: Result<(JSON, [Int], [Range<Int>]), JSONParseError>, _ b: Result<(JSON, [Int], [Range<Int>]), JSONParseError>)
        -> Bool
    {
        switch (a, b) {
        case (.success(let x), .success(let y)): return x.0 == y.0 && x.1 == y.1 && x.2 == y.2
        case (.failure(let x), .failure(let y)): return x == y
        default: return false
        }
    }

    /// Entries with strings that hold what the cut must not take for structure.
    static func entry(_ i: Int) -> String {
        #"{"add": {"rule": {"family": "inet", "table": "t", "chain": "c", "comment": "n\#(i) [x, y] {\"q\"} \\", "expr": [{"accept": null}]}}}"#
    }

    static let documents: [String] = [
        "{\"nftables\": [\n" + (0..<40).map(entry).joined(separator: ",\n") + "\n]}\n",
        "{\n  \"nftables\": [\n    " + (0..<41).map(entry).joined(separator: ",\n    ") + "\n  ]\n}",
        "{\"nftables\":[" + (0..<3).map(entry).joined(separator: ",") + "]}"
    ]

    @Test func theTwoHalvesAreTheWholeDocument() {
        var cuts = 0
        for d in Self.documents {
            let (cut, twice) = Self.cut(d)
            if cut != nil { cuts += 1 }
            #expect(Self.same(twice, Self.sequential(d)), "\(d.prefix(80))")
        }
        #expect(cuts == Self.documents.count)
    }

    @Test func aDocumentThatIsNotJSONFailsAsOnOneThread() {
        let good = Self.documents[0]
        let lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Broken before the cut, after it, and an array that never closes.
        var early = lines, late = lines
        early[3] = String(early[3].dropLast(3))
        late[lines.count - 4] = late[lines.count - 4].replacingOccurrences(of: "null", with: "nul")
        for bad in [early.joined(separator: "\n"), late.joined(separator: "\n"), String(good.dropLast(3))] {
            let (_, twice) = Self.cut(bad)
            guard case .failure(let e) = twice else {
                Issue.record("parsed: \(bad.prefix(60))")
                continue
            }
            #expect(Self.same(twice, Self.sequential(bad)), "\(e)")
        }
    }

    @Test func noCutWhereThereIsNoEntryArrayPastTheMiddle() {
        for d in ["[1, 2, 3]", "{\"nftables\": [1]}" + String(repeating: " ", count: 40), "{\"a\": {\"b\": [1, 2, 3, 4]}}", "\"[1, 2]\""] {
            let bytes = Array(d.utf8)
            #expect(bytes.withUnsafeBufferPointer { JSON.entryCut($0) } == nil, "\(d)")
        }
    }

    /// Above the threshold, through the two threads: the rules file loader's path.
    @Test func aLargeFileLoadsTheSameOnTwoThreads() throws {
        let text = "{\"nftables\": [\n" + (0..<12000).map(Self.entry).joined(separator: ",\n") + "\n]}\n"
        #expect(text.utf8.count > TwoThreadJSON.threshold)
        let bytes = Array(text.utf8)
        let two = try bytes.withUnsafeBufferPointer { (buf) throws(JSONParseError) in try TwoThreadJSON.parseWithEntrySpans(buf) }
        let one = try bytes.withUnsafeBufferPointer { (buf) throws(JSONParseError) in try JSON.parseWithEntrySpans(buf) }
        #expect(two.0 == one.0 && two.1 == one.1 && two.2 == one.2)
        #expect(try TwoThreadJSON.decode(two.0) == Document.decode(one.0))
    }
}
