/// JSON output in four styles: `compact` (no spaces), `spaced` (one line, the way
/// libnftables prints: `{"a": 1, "b": 2}`), `pretty` (indented, for people) and `lines`
/// (`spaced`, but each element of the top object's arrays on a line of its own: a batch
/// with one command per line, which a line-based diff shows command by command, and which
/// reads three times faster than `pretty`, being a third of its size).
public enum JSONStyle: Sendable {
    case compact, spaced, pretty, lines
}

extension JSON {
    /// Serialises into one byte buffer (appending to a String piece by piece dominated the
    /// time of big batches).
    public func serialized(_ style: JSONStyle = .compact) -> String {
        var out = JSONSink()
        write(to: &out, style: style, indent: 0)
        return out.string()
    }

    /// The serialised bytes, for callers that write them to a file or hash them.
    public func serializedBytes(_ style: JSONStyle = .compact) -> [UInt8] {
        var out = JSONSink()
        write(to: &out, style: style, indent: 0)
        return out.bytes()
    }

    func write(to out: inout JSONSink, style: JSONStyle, indent: Int) {
        switch self {
        case .null: JSON.writeASCII("null", to: &out)
        case .bool(let b): JSON.writeASCII(b ? "true" : "false", to: &out)
        case .int(let i): JSON.writeInteger(i.magnitude, negative: i < 0, to: &out)
        case .uint(let u): JSON.writeInteger(u, negative: false, to: &out)
        case .double(let d):
            if d == d.rounded(), abs(d) < 1e15 {
                let i = Int64(d)
                JSON.writeInteger(i.magnitude, negative: i < 0, to: &out)
            } else {
                out.append(contentsOf: "\(d)".utf8)
            }
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            if a.isEmpty { JSON.writeASCII("[]", to: &out); return }
            out.append(UInt8(ascii: "["))
            // Elements borrowed in place (iterating copies each, a retain and release apiece).
            // `lines`: an array that is a member of the top object (a top array's elements,
            // at the same depth, are written spaced).
            let lines = style == .lines && indent == 1
            let inner = style == .lines && indent == 0 ? JSONStyle.spaced : style
            a.withUnsafeBufferPointer { elements in
                for k in elements.indices {
                    if k > 0 { separator(&out, lines ? .compact : style) }
                    if style == .pretty || lines { newline(&out, style == .pretty ? indent + 1 : 0) }
                    elements[k].write(to: &out, style: inner, indent: indent + 1)
                }
            }
            if style == .pretty || lines { newline(&out, style == .pretty ? indent : 0) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { JSON.writeASCII("{}", to: &out); return }
            out.append(UInt8(ascii: "{"))
            o.members.withUnsafeBufferPointer { members in
                for k in members.indices {
                    if k > 0 { separator(&out, style) }
                    if style == .pretty { newline(&out, indent + 1) }
                    JSON.writeString(members[k].key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    if style != .compact { out.append(UInt8(ascii: " ")) }
                    members[k].value.write(to: &out, style: style, indent: indent + 1)
                }
            }
            if style == .pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeASCII(_ s: StaticString, to out: inout JSONSink) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Decimal digits straight into the buffer (no String per number).
    private static func writeInteger(_ magnitude: UInt64, negative: Bool, to out: inout JSONSink) {
        if negative { out.append(UInt8(ascii: "-")) }
        if magnitude < 10 { out.append(UInt8(ascii: "0") + UInt8(magnitude)); return }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64.max's 20 digits
        var n = magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 {
                d[23 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: d.bindMemory(to: UInt8.self)[(24 - count)...]))
        }
    }

    private func separator(_ out: inout JSONSink, _ style: JSONStyle) {
        out.append(UInt8(ascii: ","))
        if style == .spaced || style == .lines { out.append(UInt8(ascii: " ")) }
    }

    private func newline(_ out: inout JSONSink, _ indent: Int) {
        out.append(UInt8(ascii: "\n"))
        out.append(repeating: UInt8(ascii: " "), count: indent * 2)
    }

    /// A JSON string. Besides what JSON requires, every scalar `SafeText` calls unsafe (DEL,
    /// C1 controls, line separators, bidi controls) is written `\uXXXX`, so output that
    /// shows a name on a terminal never carries it raw; parsers read the same string back.
    /// A byte a JSON string is written with as it is (printable ASCII but `"` and `\\`).
    @inline(__always) static func writtenAsIs(_ c: UInt8) -> Bool {
        c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\")
    }

    /// Whether `s` serialises as itself in quotes: every byte `writtenAsIs`. Such strings may
    /// be compared, hashed or written without the serialiser (element keys of a blocklist).
    public static func writesAsIs(_ s: String) -> Bool { s.utf8.allSatisfy(writtenAsIs) }

    /// `s` serialised, when it `writesAsIs` (in quotes, nothing escaped); nil otherwise.
    public static func quotedAsIs(_ s: String) -> String? { writesAsIs(s) ? "\"" + s + "\"" : nil }

    static func writeString(_ s: String, to out: inout JSONSink) {
        out.append(UInt8(ascii: "\""))
        // Most strings (names, keys, addresses) need no escape: copied whole.
        var s = s
        let copied = s.withUTF8 { buf -> Bool in
            for c in buf where !writtenAsIs(c) { return false }
            out.append(contentsOf: buf)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        if s.utf8.contains(where: { $0 >= 0x7F }) {
            for u in s.unicodeScalars {
                if u.value >= 0x7F && SafeText.isUnsafe(u) {
                    let h = Array(String(u.value, radix: 16).utf8)
                    out.append(contentsOf: "\\u".utf8)
                    out.append(contentsOf: Array(repeating: UInt8(ascii: "0"), count: 4 - h.count))
                    out.append(contentsOf: h)
                } else {
                    writeScalarBytes(u, to: &out)
                }
            }
            out.append(UInt8(ascii: "\""))
            return
        }
        for c in s.utf8 { writeByte(c, to: &out) }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeScalarBytes(_ u: Unicode.Scalar, to out: inout JSONSink) {
        if u.isASCII { writeByte(UInt8(u.value), to: &out); return }
        out.append(contentsOf: String(u).utf8)
    }

    private static func writeByte(_ c: UInt8, to out: inout JSONSink) {
        switch c {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(c)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
        case 0x0A: out.append(contentsOf: "\\n".utf8)
        case 0x0D: out.append(contentsOf: "\\r".utf8)
        case 0x09: out.append(contentsOf: "\\t".utf8)
        case 0..<0x20:
            let h = Array(String(c, radix: 16).utf8)
            out.append(contentsOf: "\\u00".utf8)
            if h.count < 2 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: h)
        default: out.append(c)
        }
    }
}

/// The writer's output: bytes written through a pointer into a buffer that doubles when full
/// (appending to an Array byte by byte checked its uniqueness and capacity each time), then
/// copied once into the String or Array returned.
struct JSONSink: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init() {
        capacity = 256
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always) private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @inline(never) private mutating func grow(to needed: Int) {
        let size = Swift.max(capacity * 2, needed)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = size
    }

    @inline(__always) mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initialize(repeating: byte, count: n)
        count += n
    }

    @inline(__always) mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: from, count: bytes.count)
        count += bytes.count
    }

    /// For the rare paths (escapes, non-ASCII scalars).
    mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        for b in bytes { append(b) }
    }

    /// The bytes as a String: the writer emits UTF-8 only (valid strings, ASCII syntax).
    consuming func string() -> String {
        let n = count, from = base
        return String(unsafeUninitializedCapacity: n) { dst in
            if n > 0 { dst.baseAddress!.initialize(from: from, count: n) }
            return n
        }
    }

    consuming func bytes() -> [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
