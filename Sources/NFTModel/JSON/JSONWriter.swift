/// JSON output in three styles: `compact` (no spaces), `spaced` (one line, the way
/// libnftables prints: `{"a": 1, "b": 2}`) and `pretty` (indented, for people and diffs).
public enum JSONStyle: Sendable {
    case compact, spaced, pretty
}

extension JSON {
    /// Serialises into one byte buffer (appending to a String piece by piece dominated the
    /// time of big batches).
    public func serialized(_ style: JSONStyle = .compact) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out, style: style, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8], style: JSONStyle, indent: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .uint(let u): out.append(contentsOf: String(u).utf8)
        case .double(let d):
            if d == d.rounded(), abs(d) < 1e15 {
                out.append(contentsOf: String(Int64(d)).utf8)
            } else {
                out.append(contentsOf: "\(d)".utf8)
            }
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            if a.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (k, v) in a.enumerated() {
                if k > 0 { separator(&out, style) }
                if style == .pretty { newline(&out, indent + 1) }
                v.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (k, pair) in o.pairs.enumerated() {
                if k > 0 { separator(&out, style) }
                if style == .pretty { newline(&out, indent + 1) }
                JSON.writeString(pair.key, to: &out)
                out.append(UInt8(ascii: ":"))
                if style != .compact { out.append(UInt8(ascii: " ")) }
                pair.value.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out.append(UInt8(ascii: "}"))
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
            guard buf.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else {
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
