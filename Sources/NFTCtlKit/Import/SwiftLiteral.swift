import NFTAnalysis
import NFTables

/// Swift spellings of plain values: string literals, identifiers.
enum SwiftLiteral {
    /// A Swift string literal for any string.
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\0": out += "\\0"
            default:
                if SafeText.isUnsafe(u) {
                    out += "\\u{\(String(u.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// A time value as a rules file writes it: whole seconds as an integer literal,
    /// anything finer as `.seconds(s) + .milliseconds(ms)` (or `.milliseconds(ms)` alone).
    static func time(_ t: TimeSpan) -> String {
        if let s = t.wholeSeconds { return "\(s)" }
        let s = t.milliseconds / 1000, ms = t.milliseconds % 1000
        return s > 0 && t.milliseconds > 0 ? ".seconds(\(s)) + .milliseconds(\(ms))" : ".milliseconds(\(t.milliseconds))"
    }

    /// Wraps an expression in parentheses when it has a space outside parentheses, brackets
    /// and string literals (`a & b`), so that a member access or operator applies to all of it.
    static func parenthesized(_ t: String) -> String {
        var depth = 0, inString = false, escaped = false
        for ch in t {
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            switch ch {
            case "\"": inString = true
            case "(", "[": depth += 1
            case ")", "]": depth -= 1
            case " " where depth == 0: return "(\(t))"
            default: break
            }
        }
        return t
    }

    static func optionalString(_ s: String?) -> String { s.map(string) ?? "nil" }
    static func optional<T>(_ v: T?) -> String { v.map { "\($0)" } ?? "nil" }

    /// Words that cannot be a bare identifier (escaped with backticks).
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows", "static",
        "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer", "do",
        "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while",
        "as", "false", "is", "nil", "super", "throws", "true", "try", "await", "any", "some", "consume", "borrowing",
        "consuming", "copy", "discard", "each", "macro", "package", "then"
    ]
    /// Names that cannot be backtick-escaped usefully.
    static let forbidden: Set<String> = ["self", "Self", "Type", "Protocol", "_"]

    /// Global names of the DSL (and of the generated file) a `let` must not shadow.
    static let dslNames: Set<String> = [
        "ip", "ip6", "tcp", "udp", "udplite", "th", "icmp", "icmpv6", "ether", "vlan", "arp", "sctp", "dccp", "ah", "esp",
        "comp", "igmp", "meta", "ct", "rt", "socket", "osf", "exthdr", "accept", "drop", "reject", "masquerade",
        "redirect", "counter", "log", "notrack", "synproxy", "fib", "numgen", "jhash", "symhash", "concat", "payload",
        "jump", "goto", "queue", "snat", "dnat", "tproxy", "limit", "quota", "dup", "fwd", "secmark", "ctCount",
        "flowOffload", "statement", "rule", "chain", "table", "set", "map", "add", "update", "delete", "match",
        "ctHelper", "ctTimeout", "ctExpectation", "ctexpect", "object", "flowtable", "ruleset", "print", "exit", "main"
    ]

    /// A lowerCamelCase identifier made of the letters and digits of `name` ("ssh_in" → "sshIn").
    static func camelCase(_ name: String) -> String {
        var words: [String] = []
        var cur = ""
        for ch in name.unicodeScalars {
            if ch.isASCII && (ch.properties.isAlphabetic || ch.properties.numericType != nil) {
                cur.unicodeScalars.append(ch)
            } else if !cur.isEmpty {
                words.append(cur); cur = ""
            }
        }
        if !cur.isEmpty { words.append(cur) }
        guard let first = words.first else { return "" }
        // Shouted words read as words: "DOCKER-ISOLATION-STAGE-1" → "dockerIsolationStage1".
        func word(_ w: String) -> String {
            w.count > 1 && w.allSatisfy({ !$0.isLetter || $0.isUppercase }) ? w.prefix(1) + w.dropFirst().lowercased() : w
        }
        var out = lowerFirst(first)
        for w in words.dropFirst() { let w = word(w); out += w.prefix(1).uppercased() + w.dropFirst() }
        return out
    }

    static func lowerFirst(_ s: String) -> String {
        // "HTTPRules" → "httpRules", "Input" → "input".
        let chars = Array(s)
        var i = 0
        while i < chars.count, chars[i].isUppercase { i += 1 }
        if i == 0 { return s }
        let lowerCount = (i == 1 || i == chars.count) ? i : i - 1
        return String(chars[..<lowerCount]).lowercased() + String(chars[lowerCount...])
    }
}

/// Hands out unique, Swift-safe `let` names.
struct IdentifierPool {
    private var used: Set<String> = ["ruleset"]

    /// A name for `name`, trying `fallbacks` (e.g. table-qualified, kind-suffixed) before numbering.
    mutating func make(_ name: String, kind: String, qualifier: String) -> String {
        var base = SwiftLiteral.camelCase(name)
        if base.isEmpty || base.first!.isNumber { base = kind + (base.isEmpty ? "" : base.prefix(1).uppercased() + base.dropFirst()) }
        let q = SwiftLiteral.camelCase(qualifier)
        let kindSuffix = kind.prefix(1).uppercased() + kind.dropFirst()
        var candidates = [base]
        if !q.isEmpty { candidates.append(q + base.prefix(1).uppercased() + base.dropFirst()) }
        candidates.append(base + kindSuffix)
        for c in candidates where usable(c) { used.insert(c); return escape(c) }
        var n = 2
        while !usable(base + kindSuffix + "\(n)") { n += 1 }
        let c = base + kindSuffix + "\(n)"
        used.insert(c)
        return escape(c)
    }

    private func usable(_ c: String) -> Bool {
        !used.contains(c) && !SwiftLiteral.dslNames.contains(c) && !SwiftLiteral.forbidden.contains(c)
    }

    private func escape(_ c: String) -> String { SwiftLiteral.keywords.contains(c) ? "`\(c)`" : c }
}
