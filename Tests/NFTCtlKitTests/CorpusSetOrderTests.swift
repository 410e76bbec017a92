import Testing

/// The corpus report calls two listings "the same anonymous set in another order" only when
/// that is all that separates them: a looser match would hide a real difference.
@Suite struct CorpusSetOrderTests {
    static let listing = """
        table ip test-ip4 {
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\tRULE
        \t}
        }

        """

    static func list(_ rule: String) -> String { listing.replacingOccurrences(of: "RULE", with: rule) }

    @Test(arguments: [
        ("tcp flags { syn | ack, syn }", "tcp flags { syn, syn | ack }"),
        (
            "tcp flags & (fin | syn | rst | psh | ack | urg) == { fin | psh | ack, fin, psh | ack, ack }",
            "tcp flags & (fin | syn | rst | psh | ack | urg) == { fin, fin | psh | ack, psh | ack, ack }"
        ),
        (
            "ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } tcp dport vmap { 22 : accept, 80 : drop }",
            "ip saddr . tcp dport { 10.0.0.2 . 80, 10.0.0.1 . 22 } tcp dport vmap { 80 : drop, 22 : accept }"
        )
    ])
    func anotherOrderOfTheSameElementsIsRecognised(_ expected: String, _ actual: String) {
        #expect(AnonymousSetOrder.isTheOnlyDifference(Self.list(expected), Self.list(actual)))
    }

    @Test(arguments: [
        // Identical: there is no difference to excuse.
        ("tcp flags { syn, ack }", "tcp flags { syn, ack }"),
        // Another element.
        ("tcp flags { syn | ack, syn }", "tcp flags { syn, syn | fin }"),
        // An element fewer.
        ("tcp flags { syn | ack, syn }", "tcp flags { syn }"),
        // The same elements, something else outside the braces.
        ("tcp flags { syn | ack, syn }", "tcp flags != { syn, syn | ack }"),
        ("tcp dport { 22, 80 } accept", "tcp dport { 80, 22 } drop"),
        // An element moved from one set to another on the same line.
        ("tcp dport { 22, 80 } tcp sport { 443 }", "tcp dport { 22 } tcp sport { 80, 443 }"),
        // The parts of a concatenation or of a map element swapped: another element.
        ("ip saddr . tcp dport { 10.0.0.1 . 22 }", "ip saddr . tcp dport { 22 . 10.0.0.1 }"),
        ("tcp dport vmap { 22 : accept, 80 : drop }", "tcp dport vmap { 22 : drop, 80 : accept }"),
        // Braces inside a comment are not a set.
        ("tcp dport 22 comment \"{ a, b }\"", "tcp dport 22 comment \"{ b, a }\"")
    ])
    func anythingElseIsNot(_ expected: String, _ actual: String) {
        #expect(!AnonymousSetOrder.isTheOnlyDifference(Self.list(expected), Self.list(actual)))
    }

    @Test func onlyAnonymousSetsOnLinesThatDiffer() {
        let named = "table ip t {\n\tset s {\n\t\ttype inet_service\n\t\telements = { 22, 80 }\n\t}\n}\n"
        #expect(!AnonymousSetOrder.isTheOnlyDifference(named, named.replacingOccurrences(of: "22, 80", with: "80, 22")))
        // A line more or fewer is never a matter of order.
        let rule = Self.list("tcp flags { syn | ack, syn }")
        #expect(!AnonymousSetOrder.isTheOnlyDifference(rule, Self.list("tcp flags { syn, syn | ack }\n\t\tdrop")))
        // Block lines (a brace opened and closed on other lines) never match loosely.
        #expect(AnonymousSetOrder.sortingSetElements("\tchain input {") == nil)
        #expect(AnonymousSetOrder.sortingSetElements("}") == nil)
    }
}
