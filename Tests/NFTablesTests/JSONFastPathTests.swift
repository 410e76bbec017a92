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
