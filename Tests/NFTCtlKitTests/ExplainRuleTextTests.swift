import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// `nftctl explain 'RULE'`: the rule is wrapped in a chain and parsed by libnftables in a
/// throw-away namespace, then explained like any other rule.
@Suite struct ExplainRuleTextTests {
    @Test func wrapKeepsEverythingOnTheFirstLine() {
        let text = RuleText.wrap("ip saddr 192.168.1.100 drop", family: "ip", hook: "input", chainType: "filter")
        #expect(text == "table ip nftctl_explain { chain c { type filter hook input priority 0; ip saddr 192.168.1.100 drop\n}\n}\n")
        #expect(
            RuleText.wrap("drop", family: "netdev", hook: "ingress", chainType: "filter").contains("hook ingress device \"lo\" priority 0;")
        )
    }

    @Test func explainsTheSeedRule() throws {
        guard SandboxTests.available else { return }
        let state = try RuleText.state("ip saddr 192.168.1.100 drop", family: "ip", hook: "input", chainType: "filter")
        let e = try Explainer.explain(state, selection: ExplainSelection(chain: RuleText.chain))
        let rule = try #require(e.tables.first?.chains.first?.rules.first)
        #expect(rule.nft == "ip saddr 192.168.1.100 drop")
        #expect(
            rule.steps.map(\.text) == [
                "the IPv4 source address is 192.168.1.100",
                "drop the packet: it is discarded at once, and no later rule or chain sees it"
            ])
        #expect(e.tables[0].chains[0].base?.hookMeaning == "packets addressed to this host (after routing)")
    }

    @Test func nftErrorsPointIntoTheRule() throws {
        guard SandboxTests.available else { return }
        do {
            _ = try RuleText.state("ip saddr 192.168.1.100 dorp", family: "ip", hook: "input", chainType: "filter")
            Issue.record("a misspelt rule was accepted")
        } catch let e as ExplainError {
            let lines = e.message.split(separator: "\n").map(String.init)
            #expect(lines.contains("ip saddr 192.168.1.100 dorp"), "\(e.message)")
            // The caret sits under the rule (just after `dorp`, where nft expected a verdict).
            #expect(lines.last == String(repeating: " ", count: 27) + "^", "\(e.message)")
        }
    }

    /// A rule that names a chain, helper, counter or set explains with stand-ins for them.
    @Test func namedObjectsGetStandIns() throws {
        guard SandboxTests.available else { return }
        for rule in [
            "tcp dport 80 jump DOCKER", "ct helper set \"ftp-standard\"", "counter name \"hits\"",
            "ip saddr != @blocked drop", "iifname @ifs accept"
        ] {
            let state = try RuleText.state(rule, family: "inet", hook: "input", chainType: "filter")
            let e = try Explainer.explain(state, selection: ExplainSelection(chain: RuleText.chain))
            #expect(e.tables.first?.chains.first?.rules.count == 1, "\(rule)")
        }
        #expect(RuleText.standIns("tcp dport 80 jump DOCKER goto x", family: "inet") == ["chain DOCKER { }", "chain x { }"])
    }

    /// What still names something missing says so in words, with "an inet"; a mistyped
    /// file name is "no such file", not a syntax error.
    @Test func errorsSayWhatIsWrong() throws {
        #expect(RuleText.looksLikeFileName("web.swfit") && RuleText.looksLikeFileName("rules/x"))
        #expect(!RuleText.looksLikeFileName("accept") && !RuleText.looksLikeFileName("ip saddr 1.2.3.4 drop"))
        #expect(RuleText.article("inet") == "an" && RuleText.article("ip6") == "an" && RuleText.article("bridge") == "a")
        do {
            _ = try RuleText.state("web.swfit", family: "inet", hook: "input", chainType: "filter")
            Issue.record("a file name was taken for a rule")
        } catch let e as ExplainError {
            #expect(e.message.contains("web.swfit: no such file"), "\(e.message)")
        }
        guard SandboxTests.available else { return }
        do {
            _ = try RuleText.state("ip saddr . tcp dport @pairs drop", family: "inet", hook: "input", chainType: "filter")
            Issue.record("a rule naming a missing set was accepted")
        } catch let e as ExplainError {
            #expect(e.message.contains("in an inet filter chain"), "\(e.message)")
            #expect(e.message.contains("names something that does not exist here"), "\(e.message)")
            #expect(!e.message.contains("No such file or directory"), "\(e.message)")
        }
    }
}
