/// The one place that decides how a string from input (or from a kernel listing another
/// program wrote) may be shown. Names, comments, log prefixes and interface names are
/// attacker-controlled: raw, an escape sequence repaints the terminal and a newline forges
/// a plan or listing line. Ordinary strings come back unchanged, so printed nft text still
/// matches `nft list` byte for byte.
public enum SafeText {
    /// Scalars that never reach output raw: C0 controls (tab included), DEL, C1 controls,
    /// the Unicode line and paragraph separators, and the bidirectional formatting
    /// characters (they reorder what a reader sees).
    public static func isUnsafe(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0..<0x20, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    public static func containsUnsafe(_ s: String) -> Bool { s.unicodeScalars.contains(where: isUnsafe) }

    /// `s` with every unsafe scalar written as `\xHH` (`\u{HHHH}` above 0xFF). Backslashes
    /// are left alone, so escaping twice changes nothing and ordinary text stays as it is.
    /// `keepingLayout` keeps newlines and tabs, for multi-line output whose line structure
    /// is nftctl's own (the strings inside were escaped where they were printed).
    public static func escape(_ s: String, keepingLayout: Bool = false) -> String {
        func keep(_ u: Unicode.Scalar) -> Bool { !isUnsafe(u) || (keepingLayout && (u == "\n" || u == "\t")) }
        guard !s.unicodeScalars.allSatisfy(keep) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if keep(u) { out.append(u) } else { out.append(contentsOf: hex(u).unicodeScalars) }
        }
        return String(out)
    }

    /// `s` inside nft double quotes. nft 1.0.6 has no escapes in quoted strings (a `"` ends
    /// the string wherever it stands), so a `"` is written `\x22`: the result always reads
    /// as one quoted string, never as more syntax.
    public static func quoted(_ s: String) -> String {
        let inner = escape(s)
        return "\"" + (inner.contains("\"") ? inner.replacingAll("\"", with: "\\x22") : inner) + "\""
    }

    /// What nft 1.0.6 accepts as a name (tables, chains, sets, maps, objects, flowtables):
    /// its scanner's `string` token, `[A-Za-z_.][A-Za-z0-9_./-]*`. nft refuses quoted names.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isLetter(first) || first == "_" || first == "." else { return false }
        return s.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || "_./-".unicodeScalars.contains($0) }
    }

    /// A name as printed: bare when nft could have written it (as `nft list` prints it),
    /// otherwise quoted and escaped, so where the name ends stays visible; nft refuses a
    /// quoted name, so that text never parses as a different command.
    public static func name(_ s: String) -> String { isIdentifier(s) ? s : quoted(s) }

    static func isLetter(_ u: Unicode.Scalar) -> Bool { ("a"..."z").contains(u) || ("A"..."Z").contains(u) }

    static func hex(_ u: Unicode.Scalar) -> String {
        let digits = String(u.value, radix: 16)
        if u.value <= 0xFF { return "\\x" + (digits.count < 2 ? "0" : "") + digits }
        return "\\u{" + digits + "}"
    }
}

extension String {
    /// Foundation-free `replacingOccurrences` for one character.
    func replacingAll(_ c: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == c { out += replacement } else { out.append(ch) } }
        return out
    }
}
