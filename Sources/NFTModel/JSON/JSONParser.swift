/// A strict RFC 8259 parser over UTF-8 bytes. Never traps on bad input: every problem is a
/// `JSONParseError` with the line and column where it was found.
public struct JSONParseError: Sendable, Equatable, DiagnosticError {
    public var message: String
    public var line: Int
    public var column: Int
    public var diagnostics: [Diagnostic] { [.error("line \(line), column \(column): \(message)")] }
}

extension JSON {
    /// Parses one JSON document; trailing whitespace is allowed, trailing data is not.
    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        var text = text
        // The string's own UTF-8 storage, not a copy of it.
        return try text.withUTF8 { buf in JSONByteParser.document(buf, recordLines: false) }.get().0
    }

    public static func parse(bytes: inout [UInt8]) throws(JSONParseError) -> JSON {
        try bytes.withUnsafeBufferPointer { buf in JSONByteParser.document(buf, recordLines: false) }.get().0
    }

    /// Parses a document and returns, with it, the line on which each element of the
    /// top-level object's array starts (the `nftables` array), so errors can name lines.
    public static func parseWithEntryLines(_ text: String) throws(JSONParseError) -> (JSON, [Int]) {
        var text = text
        let (v, lines, _) = try text.withUTF8 { buf in JSONByteParser.document(buf, recordLines: true) }.get()
        return (v, lines)
    }

    /// The same over a file's bytes as read (no String of a file of megabytes first; a
    /// string that is not UTF-8 is an error at its line and column).
    public static func parseWithEntryLines(bytes: [UInt8]) throws(JSONParseError) -> (JSON, [Int]) {
        let (v, lines, _) = try parseWithEntrySpans(bytes: bytes)
        return (v, lines)
    }

    /// The same, with the byte range of each entry as written too (from its first byte to
    /// its last, surrounding whitespace and commas excluded): the normal-form cache keys a
    /// rule by the bytes of its entry, with no re-serialisation.
    public static func parseWithEntrySpans(bytes: [UInt8]) throws(JSONParseError) -> (JSON, [Int], [Range<Int>]) {
        try bytes.withUnsafeBufferPointer { buf in JSONByteParser.document(buf, recordLines: true) }.get()
    }

    /// The same over part of a buffer (spans count from its start).
    public static func parseWithEntrySpans(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> (JSON, [Int], [Range<Int>]) {
        try JSONByteParser.document(buf, recordLines: true).get()
    }
}

/// The parser reads through a buffer pointer (no bounds checks or retains per byte) that lives
/// only for one `document` call. Arrays and objects collect their elements on two stacks shared
/// by the whole parse and are copied out once, at their exact size, when they close: one
/// allocation per container instead of a growing array each.
struct JSONByteParser {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    static let maxDepth = 256
    var recordLines = false
    var entryLines: [Int] = []
    var entrySpans: [Range<Int>] = []
    /// The line of `i`: every newline of a document is whitespace, and `skipWS` counts them
    /// as it passes them (no second pass over the bytes to find an entry's line).
    var line = 1
    /// Where the top-level array is cut for a parse on two threads (`JSONEntryCut`), and what
    /// gives the entries after the cut when this parse reaches it.
    var cut: Int?
    var tail: (() -> Result<JSONEntryTail, JSONParseError>)?
    /// Elements of the arrays being read, innermost last.
    private let values = ElementStack<JSON>(capacity: 64)
    /// Members of the objects being read, innermost last.
    private let members = ElementStack<JSONObject.Member>(capacity: 64)
    /// Short strings already built in this parse (keys and names repeat by the thousand).
    private let shortStrings = ShortStrings()

    /// Parses the whole buffer as one document (a `Result`: the stdlib's `withUTF8` rethrows untyped).
    static func document(_ buf: UnsafeBufferPointer<UInt8>, recordLines: Bool) -> Result<(JSON, [Int], [Range<Int>]), JSONParseError> {
        var p = JSONByteParser(bytes: buf)
        p.recordLines = recordLines
        return p.parseDocument()
    }

    mutating func parseDocument() -> Result<(JSON, [Int], [Range<Int>]), JSONParseError> {
        do throws(JSONParseError) {
            skipWS()
            let v = try value(depth: 0)
            skipWS()
            if i < b.count { throw error("unexpected data after the JSON document") }
            return .success((v, entryLines, entrySpans))
        } catch {
            return .failure(error)
        }
    }

    init(bytes: UnsafeBufferPointer<UInt8>) { b = bytes }

    func error(_ msg: String) -> JSONParseError {
        var line = 1, col = 1
        var k = 0
        while k < min(i, b.count) {
            if b[k] == 0x0A { line += 1; col = 1 } else if b[k] & 0xC0 != 0x80 { col += 1 }
            k += 1
        }
        return JSONParseError(message: msg, line: line, column: col)
    }

    /// Skips whitespace, counting newlines. Pretty-printed files are mostly indentation, so
    /// spaces are passed a word at a time: up to the word's first other byte.
    @inline(__always) mutating func skipWS() {
        let n = b.count
        while i < n {
            let c = b[i]
            if c == 0x20 {
                if n - i >= 8 {
                    let w = UInt64(littleEndian: UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self))
                    let other = w ^ 0x2020_2020_2020_2020
                    // The first byte is a space, so this moves on by 1 to 8.
                    i += other == 0 ? 8 : other.trailingZeroBitCount >> 3
                } else {
                    i += 1
                }
            } else if c == 0x0A {
                line += 1
                i += 1
            } else if c == 0x0D || c == 0x09 {
                i += 1
            } else {
                return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSON {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        guard i < b.count else { throw error("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character '\(printable(b[i]))'")
        }
    }

    func printable(_ c: UInt8) -> String {
        c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}"
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw error("unexpected end of input") }
        let p = word.utf8Start
        for k in 0..<n where b[i + k] != p[k] { throw error("invalid literal") }
        i += n
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSON {
        i += 1
        skipWS()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject()) }
        let base = members.count
        var seen: Set<String> = []
        while true {
            skipWS()
            guard i < b.count else { throw error("unexpected end of input inside an object") }
            guard b[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWS()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
            i += 1
            skipWS()
            let v = try value(depth: depth + 1)
            // Duplicate keys: a linear scan for the few keys nftables objects have, a set
            // for big objects (a linear scan there is quadratic).
            if members.count - base < 16 {
                if members.contains(key: key, from: base) { throw error("duplicate key \"\(key)\"") }
            } else {
                if seen.isEmpty { seen = members.keys(from: base) }
                if !seen.insert(key).inserted { throw error("duplicate key \"\(key)\"") }
            }
            members.push(JSONObject.Member(key, v))
            skipWS()
            guard i < b.count else { throw error("unexpected end of input inside an object") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") {
                i += 1
                return .object(JSONObject(members: members.pop(from: base)))
            }
            throw error("expected ',' or '}' in an object")
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSON {
        i += 1
        skipWS()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
        let base = values.count
        while true {
            skipWS()
            let start = i
            if recordLines && depth == 1 { entryLines.append(line) }
            let v = try value(depth: depth + 1)
            values.push(v)
            if recordLines && depth == 1 { entrySpans.append(start..<i) }
            skipWS()
            guard i < b.count else { throw error("unexpected end of input inside an array") }
            if depth == 1, i == cut, let tail {
                // The rest of this array was parsed meanwhile, on another thread.
                self.tail = nil
                guard case .success(let t) = tail() else { throw JSONEntryTail.failed }
                for v in t.values { values.push(v) }
                entryLines += t.lines
                entrySpans += t.spans
                i = t.end
                return .array(values.pop(from: base))
            }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") {
                i += 1
                return .array(values.pop(from: base))
            }
            throw error("expected ',' or ']' in an array")
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= b.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func string() throws(JSONParseError) -> String {
        i += 1
        // Fast path: no escapes, the common case in nftables JSON.
        var j = i
        var high: UInt8 = 0
        while j < b.count {
            let c = b[j]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
            high |= c
            j += 1
        }
        if j < b.count, b[j] == UInt8(ascii: "\"") {
            let n = j - i
            let s: String
            if n == 0 {
                s = ""
            } else if high < 0x80 {
                // ASCII is UTF-8 as it stands: built without a validating pass (the stdlib
                // still checks strings too long to be stored inline).
                let src = b.baseAddress! + i
                if n < ShortStrings.maxLength, b.count - i >= 16 {
                    s = shortStrings.string(src, n)
                } else {
                    s = String(asciiBytes: src, count: n)
                }
            } else {
                guard let v = String(validating: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self) else {
                    throw error("invalid UTF-8 in a string")
                }
                s = v
            }
            i = j + 1
            return s
        }
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw error("unterminated string") }
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw error("control character inside a string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { throw error("unterminated escape") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var cp = try hex4()
                if cp >= 0xD800 && cp < 0xDC00 {
                    guard i + 6 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else {
                        throw error("lone surrogate in \\u escape")
                    }
                    i += 2
                    let lo = try hex4()
                    guard lo >= 0xDC00 && lo < 0xE000 else { throw error("invalid surrogate pair") }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                } else if cp >= 0xDC00 && cp < 0xE000 {
                    throw error("lone surrogate in \\u escape")
                }
                guard let scalar = Unicode.Scalar(cp) else { throw error("invalid code point") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw error("invalid escape '\\\(printable(e))'")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in a string") }
        return s
    }

    mutating func number() throws(JSONParseError) -> JSON {
        let start = i
        var isInt = true
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { throw error("invalid number") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            isInt = false
            i += 1
            guard i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { throw error("invalid number") }
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isInt = false
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") else { throw error("invalid number") }
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
        }
        // Up to 18 digits cannot overflow Int64: read without building a String.
        if isInt, i - start <= 18 {
            var v: Int64 = 0
            var k = start
            let negative = b[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            while k < i { v = v * 10 + Int64(b[k] - UInt8(ascii: "0")); k += 1 }
            return .int(negative ? -v : v)
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if isInt {
            if let v = Int64(text) { return .int(v) }
            if let v = UInt64(text) { return .uint(v) }
        }
        guard let d = Double(text), d.isFinite else { throw error("number out of range: \(text)") }
        return .double(d)
    }
}

/// The elements of the containers a parse has open, innermost last. Each container's
/// elements are moved (not copied and released) into an array of exactly their count when it
/// closes.
final class ElementStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func push(_ element: consuming Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `start` on out of the stack.
    ///
    /// Up to four (most nftables containers) as an array literal: the compiler allocates
    /// that with the storage type it looked up once, where `Array(unsafeUninitializedCapacity:)`
    /// goes through the runtime's generic metadata table for every container.
    func pop(from start: Int) -> [Element] {
        let n = count - start
        let from = base + start
        count = start
        switch n {
        case 0: return []
        case 1: return [from.move()]
        case 2: return [from.move(), (from + 1).move()]
        case 3: return [from.move(), (from + 1).move(), (from + 2).move()]
        case 4: return [from.move(), (from + 1).move(), (from + 2).move(), (from + 3).move()]
        default: break
        }
        return [Element](unsafeUninitializedCapacity: n) { buf, initialized in
            buf.baseAddress!.moveInitialize(from: from, count: n)
            initialized = n
        }
    }
}

extension ElementStack<JSONObject.Member> {
    func contains(key: String, from start: Int) -> Bool {
        var k = start
        while k < count {
            if base[k].key == key { return true }
            k += 1
        }
        return false
    }

    func keys(from start: Int) -> Set<String> { Set((start..<count).map { base[$0].key }) }
}

extension String {
    /// `count` bytes of ASCII as they stand (no validating pass).
    @inline(__always) init(asciiBytes src: UnsafePointer<UInt8>, count n: Int) {
        self.init(unsafeUninitializedCapacity: n) { dst in
            dst.baseAddress!.initialize(from: src, count: n)
            return n
        }
    }
}

/// The ASCII strings of up to 15 bytes built in one parse, by their bytes. A file repeats a
/// few keys and names thousands of times; two words compared find one here for less than
/// building it again (such strings are stored inline, so a copy costs no reference count).
/// Each slot holds the last string that hashed to it.
final class ShortStrings {
    /// Strings shorter than this are looked up (what fits inline in a String).
    static let maxLength = 16
    private static let slotCount = 256
    private struct Slot {
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        var string = ""
    }
    private let slots: UnsafeMutablePointer<Slot>

    init() {
        slots = .allocate(capacity: Self.slotCount)
        slots.initialize(repeating: Slot(), count: Self.slotCount)
    }

    deinit {
        slots.deinitialize(count: Self.slotCount)
        slots.deallocate()
    }

    /// The string of the `n` (1 to 15) ASCII bytes at `p`; 16 bytes must be readable from `p`.
    /// The key is the bytes themselves and their count (in the top byte, past the 15th).
    @inline(__always) func string(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
        let raw = UnsafeRawPointer(p)
        var w0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        var w1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        if n < 8 {
            w0 &= (1 &<< UInt64(8 * n)) &- 1
            w1 = 0
        } else {
            w1 &= (1 &<< UInt64(8 * (n - 8))) &- 1
        }
        w1 |= UInt64(n) &<< 56
        let h = (w0 &* 0x9E37_79B9_7F4A_7C15) ^ (w1 &* 0xC2B2_AE3D_27D4_EB4F)
        let slot = slots + Int(truncatingIfNeeded: h &>> 56)
        if slot.pointee.w0 == w0 && slot.pointee.w1 == w1 { return slot.pointee.string }
        let s = String(asciiBytes: p, count: n)
        slot.pointee = Slot(w0: w0, w1: w1, string: s)
        return s
    }
}
