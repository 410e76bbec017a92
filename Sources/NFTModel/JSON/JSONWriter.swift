/// JSON output in three styles: `compact` (no spaces), `spaced` (one line, the way
/// libnftables prints: `{"a": 1, "b": 2}`) and `pretty` (indented, for people and diffs).
public enum JSONStyle: Sendable {
    case compact, spaced, pretty
}

extension JSON {
    /// Serialises into one byte buffer (appending to a String piece by piece dominated the
    /// time of big batches).
    public func serialized(_ style: JSONStyle = .compact) -> String {
        let out = serializedBytes(style)
        return String(unsafeUninitializedCapacity: out.count) { dst in
            // The writer emits UTF-8 only (valid strings, ASCII syntax).
            _ = dst.initialize(fromContentsOf: out)
            return out.count
        }
    }

    /// The serialised bytes, for callers that write them to a file or hash them.
    public func serializedBytes(_ style: JSONStyle = .compact) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out, style: style, indent: 0)
        return out
    }

    func write(to out: inout [UInt8], style: JSONStyle, indent: Int) {
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
            var first = true
            for v in a {
                if !first { separator(&out, style) }
                first = false
                if style == .pretty { newline(&out, indent + 1) }
                v.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { JSON.writeASCII("{}", to: &out); return }
            out.append(UInt8(ascii: "{"))
            var first = true
            for m in o.members {
                if !first { separator(&out, style) }
                first = false
                if style == .pretty { newline(&out, indent + 1) }
                JSON.writeString(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if style != .compact { out.append(UInt8(ascii: " ")) }
                m.value.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeASCII(_ s: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Decimal digits straight into the buffer (no String per number).
    private static func writeInteger(_ magnitude: UInt64, negative: Bool, to out: inout [UInt8]) {
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
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(24 - count)...]))
        }
    }

    private func separator(_ out: inout [UInt8], _ style: JSONStyle) {
        out.append(UInt8(ascii: ","))
        if style == .spaced { out.append(UInt8(ascii: " ")) }
    }

    private func newline(_ out: inout [UInt8], _ indent: Int) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { out.append(UInt8(ascii: " ")) }
    }

    /// A JSON string. Besides what JSON requires, every scalar `SafeText` calls unsafe (DEL,
    /// C1 controls, line separators, bidi controls) is written `\uXXXX`, so output that
    /// shows a name on a terminal never carries it raw; parsers read the same string back.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most strings (names, keys, addresses) need no escape: copied whole.
        var s = s
        let copied = s.withUTF8 { buf -> Bool in
            for c in buf where c < 0x20 || c >= 0x7F || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                return false
            }
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

    private static func writeScalarBytes(_ u: Unicode.Scalar, to out: inout [UInt8]) {
        if u.isASCII { writeByte(UInt8(u.value), to: &out); return }
        out.append(contentsOf: String(u).utf8)
    }

    private static func writeByte(_ c: UInt8, to out: inout [UInt8]) {
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
