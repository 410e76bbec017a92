import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

/// A whole ruleset captured from nft 1.0.6: its JSON listing and the text `nft list`
/// printed for it (see `Fixtures/`).
struct PrinterFixture: Sendable, CustomStringConvertible {
    let name: String
    let context: PrintContext
    /// The nft input the listing was made from (documentation only).
    let source: String
    let json: String
    let expected: String
    var description: String { name }

    static let all: [PrinterFixture] = [.firewall, .objects]
}

/// The printer on whole captured rulesets and on single statements.
struct PrinterTests {
    @Test(arguments: PrinterFixture.all)
    func wholeRulesetPrintsLikeNft(_ fixture: PrinterFixture) throws {
        let document = try Document.parse(fixture.json)
        let items = document.entries.compactMap { entry -> RulesetItem? in
            if case .item(let item) = entry { return item }
            return nil
        }
        let printed = nftListing(items, context: fixture.context)
        // The literal drops the listing's final newline.
        let expected = fixture.expected + "\n"
        if printed != expected {
            let a = printed.split(separator: "\n", omittingEmptySubsequences: false)
            let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
            for i in 0..<max(a.count, b.count) where (i < a.count ? a[i] : "") != (i < b.count ? b[i] : "") {
                print(
                    "\(fixture.name) line \(i + 1):\n  nft:     \(i < b.count ? b[i] : "<none>")\n  printed: \(i < a.count ? a[i] : "<none>")"
                )
            }
        }
        #expect(printed == expected)
    }

    @Test func ruleTextHasCommentAndOptionalHandle() {
        let rule = Rule(
            family: "inet", table: "t", chain: "c", handle: 7,
            expr: [.match(left: .meta(key: "iifname"), op: .eq, right: .string("lo")), .verdict(.accept)],
            comment: "loopback")
        #expect(rule.nftText() == #"iifname "lo" accept comment "loopback""#)
        #expect(rule.nftText(context: PrintContext(handles: true)) == #"iifname "lo" accept comment "loopback" # handle 7"#)
    }

    @Test func protocolsPrintAsNamesUnlessNumeric() {
        let match = Statement.match(
            left: .payload(.field(protocol: "ip", field: "protocol")), op: .eq,
            right: .set([.number(6), .number(17)], single: false))
        #expect(match.nftText() == "ip protocol { tcp, udp }")
        #expect(match.nftText(context: PrintContext(numericProtocol: true)) == "ip protocol { 6, 17 }")
    }

    @Test func countersShowValuesUnlessStateless() {
        let counter = Statement.counter(packets: 3, bytes: 120)
        #expect(counter.nftText() == "counter packets 3 bytes 120")
        #expect(counter.nftText(context: PrintContext(stateless: true)) == "counter")
    }

    @Test func valuesTakeTheTypeOfWhatTheyMatch() {
        #expect(Statement.mangle(key: .meta(key: "mark"), value: .number(1)).nftText() == "meta mark set 0x00000001")
        #expect(
            Statement.match(left: .ct(key: "expiration", family: nil, dir: nil), op: .eq, right: .number(90)).nftText()
                == "ct expiration 1m30s")
        #expect(
            Statement.match(left: .payload(.field(protocol: "tcp", field: "flags")), op: .eq, right: .string("syn"))
                .nftText() == "tcp flags == syn")
        #expect(
            Expression.binop(.lshift, [.binop(.or, [.meta(key: "mark"), .number(16)]), .number(8)]).nftText()
                == "(meta mark | 0x00000010) << 8")
    }

    /// `typeof meta sdif` is an interface index like `iif`: nft 1.0.6 prints five elements a
    /// line (captured from `nft list` of six veth names).
    @Test func interfaceIndexSetsWrapAfterFiveElements() throws {
        for key in ["sdif", "oif"] {
            let listing =
                #"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}}, "#
                + #"{"set": {"family": "inet", "name": "s", "table": "t", "type": "iface_index", "handle": 1, "#
                + #""elem": ["d0", "d1", "d2", "d3", "d4", "d5"]}}]}"#
            var items = try Document.parse(listing).entries.compactMap { e -> RulesetItem? in
                if case .item(let i) = e { return i }
                return nil
            }
            guard case .set(var s) = items[1] else { Issue.record("not a set"); return }
            s.type = .typeof(.meta(key: key))
            items[1] = .set(s)
            let shown = key == "oif" ? "oif" : "meta sdif"
            #expect(
                nftListing(items) == """
                    table inet t {
                    \tset s {
                    \t\ttypeof \(shown)
                    \t\telements = { "d0", "d1", "d2", "d3", "d4",
                    \t\t\t     "d5" }
                    \t}
                    }

                    """)
        }
    }

    @Test func priorityNamesFollowFamilyAndHook() {
        #expect(ChainPriority.text(0, family: "inet", hook: "input") == "filter")
        #expect(ChainPriority.text(-145, family: "ip", hook: "output") == "mangle + 5")
        #expect(ChainPriority.text(-100, family: "ip", hook: "output") == "-100")
        #expect(ChainPriority.text(-300, family: "bridge", hook: "prerouting") == "dstnat")
        #expect(ChainPriority.text(-300, family: "bridge", hook: "input") == "-300")
        #expect(ChainPriority.text(-500, family: "netdev", hook: "ingress") == "-500")
    }

    @Test func rejectLeavesOutTheFamilyDefault() {
        let reject = Statement.reject(type: "icmp", expr: .string("port-unreachable"))
        #expect(reject.nftText(context: PrintContext(family: "ip")) == "reject")
        #expect(reject.nftText(context: PrintContext(family: "inet")) == "reject with icmp port-unreachable")
    }
}
