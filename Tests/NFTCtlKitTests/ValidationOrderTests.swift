import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Validation builds an object's name only when it reports something, and looks chains,
/// sets and objects up by name: what it reports, in which order, at which line and naming
/// which object must not depend on that.
struct ValidationOrderTests {
    /// One entry per line after `{"nftables": [` (line 1): line N + 1 holds `entries[N - 1]`.
    func diagnostics(_ entries: [String]) throws -> [Diagnostic] {
        let text = #"{"nftables": ["# + "\n" + entries.joined(separator: ",\n") + "\n]}"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-order-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        ).path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        return Validator.validate(try InputLoader.load(file).state)
    }

    static func rule(_ family: String, _ table: String, _ chain: String, _ expr: String, comment: String? = nil) -> String {
        let c = comment.map { #", "comment": \#($0)"# } ?? ""
        return #"{"add": {"rule": {"family": "\#(family)", "table": "\#(table)", "chain": "\#(chain)"\#(c), "expr": [\#(expr)]}}}"#
    }

    @Test func errorsInSeveralRulesKeepTheirTextOrderAndLines() throws {
        let r = { (chain: String, expr: String) in Self.rule("ip", "t", chain, expr) }
        let d = try diagnostics([
            #"{"add": {"table": {"family": "ip", "name": "t"}}}"#,  // 2
            #"{"add": {"chain": {"family": "ip", "table": "t", "name": "c", "type": "filter", "hook": "input", "prio": 0}}}"#,  // 3
            #"{"add": {"chain": {"family": "ip", "table": "t", "name": "sub"}}}"#,  // 4
            Self.rule(  // 5: c rule 1
                "ip", "t", "c",
                #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "::1"}}, {"jump": {"target": "missing"}}"#,
                comment: #""bad\u0001""#),
            r("c", #"{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@nosuchset"}}, {"accept": null}, {"counter": null}"#),  // 6
            r("c", #"{"jump": {"target": "sub"}}"#),  // 7: c rule 3
            r("sub", #"{"masquerade": null}"#),  // 8: sub rule 1
            r("c", #"{"counter": "nocounter"}, {"log": {"prefix": "say \"hi\""}}, {"accept": null}"#),  // 9: c rule 4
            r(
                "c",
                #"{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": {"set": [[22, {"accept": null}], [80, "not a verdict: counter"]]}}}"#
            ),  // 10: c rule 5
            r("sub", #"{"jump": {"target": "c"}}"#),  // 11: sub rule 2
            #"{"add": {"table": {"family": "inet", "name": "u"}}}"#,  // 12
            #"{"add": {"chain": {"family": "inet", "table": "u", "name": "c2"}}}"#,  // 13
            Self.rule("inet", "u", "c2", #"{"goto": {"target": "nowhere"}}"#)  // 14
        ])
        let c = "rule %d of chain ip t c", sub = "rule %d of chain ip t sub"
        let expected: [(line: Int, object: String, message: String)] = [
            (5, String(format: c, 1), #"the comment "bad\x01" holds a control character (\x01)"#),
            (9, String(format: c, 4), #"the log prefix "say \x22hi\x22" holds a ", which nft syntax cannot quote"#),
            (5, String(format: c, 1), "ip6 saddr can never match in a ip table: it only sees IPv4 packets"),
            (5, String(format: c, 1), "jump to chain missing, which is not declared in table ip t"),
            (6, String(format: c, 2), "refers to set @nosuchset, which is not declared in table ip t"),
            (8, String(format: sub, 1), "masquerade is only allowed in nat chains, but this rule is reached from a filter chain at hook input"),
            (9, String(format: c, 4), #"refers to counter "nocounter", which is not declared in table ip t"#),
            (11, String(format: sub, 2), "jump to c, a base chain: the kernel only allows jumps to regular chains"),
            (6, String(format: c, 2), "`counter` after `accept` never runs: a rule stops at its verdict; move it before"),
            (
                10, String(format: c, 5),
                "a verdict map entry needs a verdict (accept, drop, jump(chain), goto(chain), return, continue), not `counter`"
            ),
            (3, "chain ip t c", "jump loop: c -> sub -> c"),
            (14, "rule 1 of chain inet u c2", "goto to chain nowhere, which is not declared in table inet u")
        ]
        #expect(d.count == expected.count, "\(d.map(\.description))")
        for (got, want) in zip(d, expected) {
            #expect(got.severity == .error)
            #expect(got.location?.line == want.line, "\(got)")
            #expect(got.object == want.object, "\(got)")
            #expect(got.message == want.message, "\(got)")
        }
    }

    /// Unsupported parts name the entry (and the rule's chain) only in their diagnostics.
    @Test func unsupportedPartsNameTheirEntryAndRule() throws {
        let doc = try Document.parse(
            #"{"nftables": [{"add": {"table": {"family": "ip", "name": "t"}}}, {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": []}}}, {"add": {"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"accept": null}]}}}]}"#
        )
        let d = Validator.unsupportedParts(doc, locations: [], origin: "f.json")
        #expect(d.map(\.object) == ["rule in chain ip t c"], "\(d)")
        #expect(d.map(\.message) == ["a rule needs at least one statement"], "\(d)")
    }
}
