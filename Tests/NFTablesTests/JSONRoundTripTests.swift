import Foundation
import NFTTestSupport
import Testing

@testable import NFTModel

/// The JSON parser, codec and writer keep their results while their insides change (issue 13):
/// caches and fingerprints hash serialised bytes, and tests compare them.

/// FNV-1a, enough to pin bytes in a test (no security role here).
private func fnv(_ s: String, into h: inout UInt64) {
    var x: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { x = (x ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    h = (h ^ x) &* 0x0000_0100_0000_01b3
}

/// Every line of the corpus, serialised in the three styles, and every accepted rule's listing
/// decoded and re-encoded: the bytes are those the parser and writer produced before the fast
/// paths (the digests were taken with that code, commit 3c964f8), and each output parses back
/// to the value it came from.
@Test func corpusSerialisesToTheSameBytes() throws {
    let expected: [String: (lines: Int, digest: String)] = [
        "any.jsonl": (2517, "c1008666e2d614c4"), "arp.jsonl": (135, "a3dd0bce0f836448"),
        "bridge.jsonl": (154, "79f3c66cbf2bb16a"), "inet.jsonl": (1797, "26b274956feac962"),
        "ip.jsonl": (858, "5ee820c5927a0e94"), "ip6.jsonl": (881, "4507c23becb87278"),
        "netdev.jsonl": (42, "10c5f13d20260202")
    ]
    for (file, want) in expected.sorted(by: { $0.key < $1.key }) {
        let text = try String(contentsOf: Corpus.directory.appendingPathComponent(file), encoding: .utf8)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var lines = 0
        for line in text.split(separator: "\n") {
            guard let j = try? JSON.parse(String(line)) else { continue }
            lines += 1
            for style in [JSONStyle.compact, .spaced, .pretty] {
                let s = j.serialized(style)
                fnv(s, into: &h)
                if style == .pretty { #expect(try JSON.parse(s) == j) }
                if style == .compact { #expect(s.utf8.elementsEqual(j.serializedBytes(style))) }
            }
            #expect(try JSON.parse(j.serialized(.lines)) == j)
            if case .array(let stmts)? = j["nft_1_0_6"]?["listed_json"] {
                let encoded = JSON.array(stmts.map { Statement(json: $0).json })
                fnv(encoded.serialized(.spaced), into: &h)
            }
        }
        #expect(lines == want.lines, "\(file)")
        #expect(String(h, radix: 16) == want.digest, "\(file)")
    }
}

/// Whole captured listings: parse → decode → encode → serialise is stable (a second pass gives
/// the same bytes) and each style parses back to the encoded value.
@Test(arguments: PrinterFixture.all)
func fixtureListingsRoundTrip(_ fixture: PrinterFixture) throws {
    let parsed = try JSON.parse(fixture.json)
    let doc = try Document.decode(parsed)
    let encoded = doc.json
    #expect(encoded == parsed)
    for style in [JSONStyle.compact, .spaced, .pretty, .lines] {
        let bytes = encoded.serialized(style)
        let again = try Document.decode(try JSON.parse(bytes))
        #expect(again == doc)
        #expect(again.json.serialized(style) == bytes)
    }
}

/// Arrays and objects nested inside each other share the parser's element stacks: each
/// container gets exactly its own elements, and duplicate keys are found per object.
@Test func nestedContainersKeepTheirOwnElements() throws {
    let j = try JSON.parse(#"[[1, [2, 3], []], {"a": [4, {"a": 5, "b": {}}], "b": 6}, 7, {}]"#)
    #expect(
        j
            == .array([
                .array([1, .array([2, 3]), .array([])]),
                .object(["a": .array([4, .object(["a": 5, "b": .object(JSONObject())])]), "b": 6]), 7,
                .object(JSONObject())
            ]))
    #expect(j.serialized() == #"[[1,[2,3],[]],{"a":[4,{"a":5,"b":{}}],"b":6},7,{}]"#)
    // The same key in an inner and an outer object is not a duplicate; twice in one object is.
    #expect(try JSON.parse(#"{"a": {"a": 1, "b": 2}, "b": {"a": 3}}"#)["b"]?["a"] == 3)
    #expect(throws: JSONParseError.self) { try JSON.parse(#"{"a": {"x": 1}, "a": 2}"#) }
    // Past 16 keys duplicates are found through a set.
    let many = (0..<20).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
    #expect(try JSON.parse("{\(many)}").objectValue?.count == 20)
    #expect(throws: JSONParseError.self) { try JSON.parse("{\(many), \"k3\": 0}") }
    // Key order is kept.
    #expect(try JSON.parse(#"{"z": 1, "a": 2, "m": 3}"#).objectValue?.keys == ["z", "a", "m"])
}

/// Strings take the ASCII path, the validating path or the escape path; all give the same
/// strings, and bytes that are not UTF-8 are an error at their line and column on each.
@Test func stringsOnEachPath() throws {
    let long = String(repeating: "x", count: 40)
    let j = try JSON.parse(#"["", "a", "\#(long)", "é", "\#(long)é", "a\"b\\c\/\n\u00e9\ud83d\ude00"]"#)
    #expect(j == .array(["", "a", .string(long), "é", .string(long + "é"), "a\"b\\c/\né😀"]))
    for bad: [UInt8] in [[0xFF], [0x61, 0xC3], Array(long.utf8) + [0xE2, 0x82], [0xED, 0xA0, 0x80]] {
        let bytes = Array("{\"nftables\": [\n  \"".utf8) + bad + Array("\"]}".utf8)
        do {
            _ = try JSON.parseWithEntryLines(bytes: bytes)
            Issue.record("accepted \(bad)")
        } catch {
            #expect(error.line == 2 && error.column == 4 && error.message.contains("UTF-8"))
        }
    }
    #expect(throws: JSONParseError.self) { try JSON.parse("[\"a\u{01}\"]") }
}

/// Numbers are written digit by digit; the edges print as the stdlib prints them.
@Test func numbersAreWrittenAsBefore() throws {
    let values: [JSON] = [
        .int(0), .int(-1), .int(9), .int(10), .int(-10), .int(Int64.max), .int(Int64.min), .uint(UInt64.max),
        .uint(10_000_000_000_000_000_000), .double(2), .double(-0.0), .double(-3), .double(1.5), .double(1e15),
        .double(-2.5e-7)
    ]
    let text = JSON.array(values).serialized()
    #expect(
        text
            == "[0,-1,9,10,-10,9223372036854775807,-9223372036854775808,18446744073709551615,"
            + "10000000000000000000,2,0,-3,1.5,1000000000000000.0,-2.5e-07]")
    #expect(try JSON.parse(text) == JSON.array(values))
}

/// A decoded shape still rejects a key it did not read, and a built object holding one key
/// twice still decodes as it did (the second counts as read with the first).
@Test func readerStillRejectsUnknownKeys() throws {
    #expect(throws: Problem.self) {
        try Expression.decode(.keyed("meta", .object(["key": "mark", "extra": 1])))
    }
    var body = JSONObject()
    body.append("key", "mark")
    body.append("key", "mark")
    #expect(try Expression.decode(.keyed("meta", .object(body))) == .meta(key: "mark"))
    // Wide objects (more than 64 keys) take the reader's fallback.
    var wide = JSONObject()
    wide.append("key", "mark")
    for k in 0..<70 { wide.append("x\(k)", .int(Int64(k))) }
    do {
        _ = try Expression.decode(.keyed("meta", .object(wide)))
        Issue.record("accepted unknown keys")
    } catch {
        #expect(error.message.contains("\"x0\""))
    }
}
