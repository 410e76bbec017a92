/// JSON output in three styles: `compact` (no spaces), `spaced` (one line, the way
/// libnftables prints: `{"a": 1, "b": 2}`) and `pretty` (indented, for people and diffs).
public enum JSONStyle: Sendable {
    case compact, spaced, pretty
}

extension JSON {
    public func serialized(_ style: JSONStyle = .compact) -> String {
        var out = ""
        write(to: &out, style: style, indent: 0)
        return out
    }

    func write(to out: inout String, style: JSONStyle, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d):
            if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) } else { out += "\(d)" }
        case .string(let s): JSON.writeString(s, to: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "["
            for (k, v) in a.enumerated() {
                if k > 0 { out += style == .compact ? "," : (style == .pretty ? "," : ", ") }
                if style == .pretty { newline(&out, indent + 1) }
                v.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out += "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{"
            for (k, pair) in o.pairs.enumerated() {
                if k > 0 { out += style == .compact ? "," : (style == .pretty ? "," : ", ") }
                if style == .pretty { newline(&out, indent + 1) }
                JSON.writeString(pair.key, to: &out)
                out += style == .compact ? ":" : ": "
                pair.value.write(to: &out, style: style, indent: indent + 1)
            }
            if style == .pretty { newline(&out, indent) }
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: Int) {
        out += "\n"
        out += String(repeating: "  ", count: indent)
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
