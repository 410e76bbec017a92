/// A large document's top-level array parsed on two threads: the caller finds a cut between
/// two of its entries near the middle (`JSON.entryCut`), parses what follows the cut on
/// another thread (`JSON.parseEntries(after:in:)`), and the document up to the cut on its
/// own, taking the other half when it gets there (`JSON.parseWithEntrySpans(_:cut:tail:)`).
/// A file of 10k rules is parsed in about half the time. This module starts no threads;
/// the caller does.
public struct JSONEntryCut: Sendable, Equatable {
    /// The offset of the comma between the two entries, and the line it is on.
    public var comma: Int
    public var line: Int
}

/// The entries after a cut, as parsed on their own.
public struct JSONEntryTail: Sendable {
    var values: [JSON]
    var lines: [Int]
    var spans: [Range<Int>]
    /// Just after the array's closing bracket.
    var end: Int

    /// Thrown by the parse up to the cut when the tail failed: the caller parses again on
    /// one thread, which says where the document is wrong.
    public static let failed = JSONParseError(message: "the second half of the document did not parse", line: 0, column: 0)
}

extension JSON {
    /// A cut of `buf`'s top-level array (the document `{"KEY": [...]}`) between two entries,
    /// the first such comma past the middle of the bytes; nil when the document has no such
    /// array, or the array ends before the middle. Strings are skipped whole (a bracket or
    /// comma inside one is text); a document that is not JSON gets no cut, or one the parse
    /// never reaches, and is parsed (and refused) on one thread.
    public static func entryCut(_ buf: UnsafeBufferPointer<UInt8>) -> JSONEntryCut? {
        let n = buf.count, middle = n / 2
        var i = 0, depth = 0, line = 1
        var inString = false
        var arrayDepth: Int?
        while i < n {
            let c = buf[i]
            if inString {
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { inString = false }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"): depth += 1
                case UInt8(ascii: "["):
                    depth += 1
                    // The first array opened in the top-level object is the one cut.
                    if arrayDepth == nil {
                        guard depth == 2 else { return nil }
                        arrayDepth = depth
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == arrayDepth { return nil }  // it ended before the middle
                    depth -= 1
                case UInt8(ascii: ","):
                    if depth == arrayDepth, i >= middle { return JSONEntryCut(comma: i, line: line) }
                case 0x0A: line += 1
                default: break
                }
            }
            i += 1
        }
        return nil
    }

    /// The entries of the top-level array after `cut`, up to its closing bracket.
    public static func parseEntries(after cut: JSONEntryCut, in buf: UnsafeBufferPointer<UInt8>) -> Result<JSONEntryTail, JSONParseError> {
        var p = JSONByteParser(bytes: buf)
        p.recordLines = true
        p.i = cut.comma + 1
        p.line = cut.line
        var values: [JSON] = []
        do throws(JSONParseError) {
            while true {
                p.skipWS()
                let start = p.i
                p.entryLines.append(p.line)
                values.append(try p.value(depth: 2))
                p.entrySpans.append(start..<p.i)
                p.skipWS()
                guard p.i < buf.count else { throw p.error("unexpected end of input inside an array") }
                if buf[p.i] == UInt8(ascii: ",") {
                    p.i += 1
                    continue
                }
                if buf[p.i] == UInt8(ascii: "]") {
                    return .success(JSONEntryTail(values: values, lines: p.entryLines, spans: p.entrySpans, end: p.i + 1))
                }
                throw p.error("expected ',' or ']' in an array")
            }
        } catch {
            return .failure(error)
        }
    }

    /// `parseWithEntrySpans(_:)`, the entries after `cut` given by `tail` (called at most
    /// once, when the parse reaches the cut; a parse that passes no entry boundary there
    /// reads on by itself). When anything fails, the document is parsed again on this
    /// thread alone: any error is the one-thread parse's, with its line and column.
    public static func parseWithEntrySpans(
        _ buf: UnsafeBufferPointer<UInt8>, cut: JSONEntryCut, tail: @escaping () -> Result<JSONEntryTail, JSONParseError>
    ) throws(JSONParseError) -> (JSON, [Int], [Range<Int>]) {
        var p = JSONByteParser(bytes: buf)
        p.recordLines = true
        p.cut = cut.comma
        p.tail = tail
        if case .success(let r) = p.parseDocument() { return r }
        return try JSONByteParser.document(buf, recordLines: true).get()
    }
}

extension JSON {
    /// Where each entry of `buf`'s top-level array (the document `{"KEY": [...]}`) is, as
    /// `parseWithEntrySpans` gives them (first byte to last, whitespace and commas
    /// excluded), found without building a value: strings are skipped whole, brackets
    /// counted. Nil when the document is not of that shape. For a document written by
    /// nftctl itself (a remembered listing), which it need not parse to know its layout.
    public static func topLevelEntrySpans(_ buf: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        let n = buf.count
        var i = 0, depth = 0
        var inString = false
        var arrayOpen = false, closed = false
        var spans: [Range<Int>] = []
        var start: Int?
        var last = 0  // just after the last byte of the current entry that is not whitespace
        while i < n {
            let c = buf[i]
            if inString {
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") {
                    inString = false
                    last = i + 1
                }
                i += 1
                continue
            }
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D: break
            case UInt8(ascii: ","):
                if depth == 2 && arrayOpen {
                    guard let s = start else { return nil }
                    spans.append(s..<last)
                    start = nil
                }
            case UInt8(ascii: "]") where depth == 2 && arrayOpen:
                if let s = start { spans.append(s..<last) } else if !spans.isEmpty { return nil }
                start = nil
                arrayOpen = false
                closed = true
                depth -= 1
            default:
                if depth == 2 && arrayOpen && start == nil { start = i }
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth == 2 {
                        guard c == UInt8(ascii: "["), !closed, !arrayOpen else { return nil }
                        arrayOpen = true
                        start = nil
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                last = i + 1
            }
            i += 1
        }
        return closed && depth == 0 && !inString ? spans : nil
    }
}
