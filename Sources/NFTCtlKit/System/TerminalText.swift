/// Text from untrusted places (a rules program's messages, a compiler's diagnostics about
/// such a program) made safe to print: control characters become visible escapes, so no
/// byte sequence can move the cursor, rewrite earlier lines or talk to the terminal.
enum TerminalText {
    static func escaped(_ s: String, keepNewlines: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A where keepNewlines, 0x09: out.unicodeScalars.append(u)
            case 0x00..<0x20, 0x7F, 0x80..<0xA0, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += u.value < 0x80 && u.value != 0x7F ? "\\x" + hex2(u.value) : "\\u{" + String(u.value, radix: 16) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    private static func hex2(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return s.count == 1 ? "0" + s : s
    }
}
