import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// `SafeText` and its users in this module: the nft printer and the JSON writer. Ordinary
/// strings print exactly as before (the corpus tests compare with nft byte for byte);
/// control characters, newlines and quotes never come out raw.
struct SafeTextTests {
    static let evilName = "t\u{1b}[31mRED\u{1b}[0m\"q'\n+ table ip injected  # fake line"
    static let evilComment = "hello\u{1b}[2J\u{1b}[H\r\nFAKE: 0 to add, 0 to change, 0 to delete."

    /// No raw control character but the printer's own newlines and tabs.
    static func isClean(_ s: String, keepingLayout: Bool = true) -> Bool {
        !s.unicodeScalars.contains { SafeText.isUnsafe($0) && !(keepingLayout && ($0 == "\n" || $0 == "\t")) }
    }

    @Test func ordinaryStringsAreUnchanged() {
        for s in ["input", "my-chain_2/x.y", "allow ssh from the office", "Grüße, ünïcödé", "a\\b", "", "ç'est"] {
            #expect(SafeText.escape(s) == s)
        }
        #expect(SafeText.quoted("allow ssh") == "\"allow ssh\"")
        #expect(SafeText.name("_a.b-c/d") == "_a.b-c/d")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(SafeText.escape("a\u{1b}[2Jb") == "a\\x1b[2Jb")
        #expect(SafeText.escape("a\r\nb") == "a\\x0d\\x0ab")
        #expect(SafeText.escape("a\u{7f}\u{9b}b") == "a\\x7f\\x9bb")
        #expect(SafeText.escape("abc\u{202e}def\u{2028}") == "abc\\u{202e}def\\u{2028}")
        #expect(SafeText.escape("a\tb\nc", keepingLayout: true) == "a\tb\nc")
        // Escaping twice changes nothing: output that is escaped again stays readable.
        let once = SafeText.escape(Self.evilName)
        #expect(SafeText.escape(once) == once)
    }

    @Test func quotedStringsCannotEndEarly() {
        let q = SafeText.quoted("\"; flush ruleset; \"")
        #expect(q == "\"\\x22; flush ruleset; \\x22\"")
        #expect(q.dropFirst().dropLast().contains("\"") == false)
    }

    @Test func namesThatAreNotIdentifiersPrintQuoted() {
        #expect(SafeText.isIdentifier("filter"))
        #expect(!SafeText.isIdentifier("1abc"))
        #expect(!SafeText.isIdentifier("a b"))
        #expect(!SafeText.isIdentifier("a;b"))
        #expect(!SafeText.isIdentifier(""))
        #expect(SafeText.name("x; flush ruleset") == "\"x; flush ruleset\"")
    }

    static func document(_ text: String) throws -> Document { try Document.decode(try JSON.parse(text)) }

    static var evilListing: String {
        let name = JSON.string(evilName).serialized(), comment = JSON.string(evilComment).serialized()
        return """
            {"nftables": [{"table": {"family": "ip", "name": \(name), "handle": 1}},
             {"chain": {"family": "ip", "table": \(name), "name": \(name), "handle": 1, "comment": \(comment)}},
             {"set": {"family": "ip", "table": \(name), "name": \(name), "type": "ifname", "handle": 2, "comment": \(comment),
                      "elem": [\(comment), "eth0"]}},
             {"rule": {"family": "ip", "table": \(name), "chain": \(name), "handle": 3, "comment": \(comment),
                       "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": \(comment)}},
                                {"log": {"prefix": \(comment)}}, {"jump": {"target": \(name)}}]}}]}
            """
    }

    /// A listing another program wrote (names and strings the nft syntax cannot hold):
    /// every line the printer makes is one of its own lines, with no raw control character.
    @Test func printerEscapesAListingOfEvilNames() throws {
        let text = nftListing(try Self.document(Self.evilListing).items)
        #expect(Self.isClean(text))
        #expect(!text.contains("\r"))
        let lines = text.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("+") || $0.hasPrefix("FAKE") })
        // table, chain header, comment, rule, }, blank, set: exactly the printer's own lines.
        #expect(lines.first?.hasPrefix("table ip \"t\\x1b[31mRED\\x1b[0m\\x22q'\\x0a+ table ip injected  # fake line\" {") == true)
        #expect(text.contains("comment \"hello\\x1b[2J\\x1b[H\\x0d\\x0aFAKE: 0 to add, 0 to change, 0 to delete.\""))
        #expect(text.contains("jump \"t\\x1b"))
        for case .rule(let r) in try Self.document(Self.evilListing).items {
            let one = r.nftText()
            #expect(!one.contains("\n") && Self.isClean(one, keepingLayout: false))
        }
    }

    /// JSON stays valid JSON and reads back the same strings; nothing unsafe is raw in it.
    @Test func jsonWriterEscapesControlCharacters() throws {
        let strings = [Self.evilName, Self.evilComment, "del\u{7f} csi\u{9b}31m ls\u{2028} rlo\u{202e}", "plain ünïcödé"]
        for s in strings {
            let text = JSON.array([.string(s)]).serialized(.spaced)
            #expect(Self.isClean(text, keepingLayout: false), "raw control character in \(text)")
            #expect(try JSON.parse(text) == .array([.string(s)]))
        }
        #expect(JSON.string("a\u{1b}b").serialized() == "\"a\\u001bb\"")
        #expect(JSON.string("a\u{9b}b").serialized() == "\"a\\u009bb\"")
    }
}
