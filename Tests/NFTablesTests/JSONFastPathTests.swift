import Testing

@testable import NFTModel

/// The parser's and writer's fast paths (integers read from bytes, unescaped strings copied
/// whole) give what the general paths give, at their edges.
@Test func integersAtTheFastPathsEdges() throws {
    let j = try JSON.parse("[0, -0, 7, -123456789012345678, 999999999999999999, 1234567890123456789, -9223372036854775808, 18446744073709551615, 1.5, 2e3]")
    #expect(
        j == .array([
            .int(0), .int(0), .int(7), .int(-123_456_789_012_345_678), .int(999_999_999_999_999_999),
            .int(1_234_567_890_123_456_789), .int(Int64.min), .uint(UInt64.max), .double(1.5), .double(2000),
        ]))
    #expect(throws: JSONParseError.self) { try JSON.parse("[-]") }
    #expect(throws: JSONParseError.self) { try JSON.parse("[01]") }
}

@Test func stringsNeedingNoEscapeAreWrittenAsTheyAre() throws {
    let plain = JSON.string("eth0 10.0.0.1/24 @set")
    #expect(plain.serialized() == #""eth0 10.0.0.1/24 @set""#)
    // Anything else still takes the escaping path.
    #expect(JSON.string("a\"b\\c\n\u{7F}é").serialized() == #""a\"b\\c\n\u007fé""#)
}

/// A file's bytes that are not UTF-8 inside a string: an error at its line and column.
@Test func invalidUTF8InAStringIsAParseErrorWithItsPlace() {
    let bytes = Array("{\"nftables\": [\n  {\"add\": \"".utf8) + [0xFF, 0xFE] + Array("\"}]}".utf8)
    #expect(throws: JSONParseError.self) { try JSON.parseWithEntryLines(bytes: bytes) }
    do { _ = try JSON.parseWithEntryLines(bytes: bytes) } catch { #expect(error.line == 2 && error.message.contains("UTF-8")) }
}

/// Entry lines are counted while whitespace is skipped (runs of spaces eight bytes at a time):
/// each entry's line and span equal a plain count over the bytes, for indentation of every
/// length around eight, tabs, CR LF and newlines inside nested values.
@Test func entryLinesAndSpansMatchAPlainCount() throws {
    var text = "{\"nftables\":\n["
    var expected: [(line: Int, text: String)] = []
    for k in 0..<40 {
        let indent = String(repeating: " ", count: k % 19) + (k % 5 == 0 ? "\t" : "")
        let entry = k % 3 == 0 ? "{\"a\":\(k)}" : "{\"b\": [1,\r\n\(indent)  2,\n\(String(repeating: " ", count: k))\"x y\"]}"
        text += (k == 0 ? "" : ",") + (k % 2 == 0 ? "\r\n" : "\n") + indent
        expected.append((text.utf8.reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }, entry))
        text += entry + String(repeating: " ", count: k % 10)
    }
    text += "\n]   \n}\n        "
    let bytes = Array(text.utf8)
    let (json, lines, spans) = try JSON.parseWithEntrySpans(bytes: bytes)
    #expect(lines == expected.map(\.line))
    #expect(spans.map { String(decoding: bytes[$0], as: UTF8.self) } == expected.map(\.text))
    #expect(json["nftables"]?.arrayValue?.count == 40)
    // An error's place is still counted from the start.
    let bad = Array("{\"nftables\": [\n          \n\t  {\"a\": 1},\r\n                 {\"a\" 2}]}".utf8)
    do { _ = try JSON.parseWithEntrySpans(bytes: bad); Issue.record("parsed") } catch {
        #expect(error.line == 4 && error.column == 23)
    }
}

/// Short ASCII strings come from a per-parse table of those already built: every length
/// around the 15 bytes stored inline, strings that share a prefix or differ in their last
/// byte, near the end of the input (fewer than 16 bytes left), and enough distinct ones to
/// evict each other, all read back as written.
@Test func repeatedShortStringsReadBackAsWritten() throws {
    var words: [String] = []
    for n in 1...17 {
        let base = String("abcdefghijklmnopq".prefix(n))
        words += [base, String(base.dropLast()) + "Z", base.uppercased(), String(repeating: "x", count: n)]
    }
    words += (0..<600).map { "k\($0)" } + ["", "é", "aé"]
    var decoded = words
    words += ["tab\\there", "\\u0041bc"]
    decoded += ["tab\there", "Abc"]
    let list = (words + words.reversed() + words).map { "\"\($0)\"" }.joined(separator: ",")
    let parsed = try JSON.parse("[" + list + "]")
    #expect(parsed == .array((decoded + decoded.reversed() + decoded).map(JSON.string)))
    // Keys too, and a duplicate key is still found when both come from the table.
    let object = try JSON.parse("{\"family\": \"inet\", \"table\": \"inet\", \"x\": {\"family\": 1}}")
    #expect(object == ["family": "inet", "table": "inet", "x": ["family": 1]])
    #expect(throws: JSONParseError.self) { try JSON.parse("{\"family\": \"inet\", \"family\": \"ip\"}") }
    for tail in ["a", "abcdefghijklmno", "abcdefgh"] {
        #expect(try JSON.parse("[\"\(tail)\",\"\(tail)\"]") == [.string(tail), .string(tail)])
    }
}
