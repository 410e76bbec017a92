import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A whole ruleset: hook, priority and policy context, order across tables, callers of
/// regular chains, and the three output formats.
@Suite struct ExplainContextTests {
    static let listing = #"""
        {"nftables": [
          {"table": {"family": "ip", "name": "filter"}},
          {"map": {"family": "ip", "table": "filter", "name": "ports", "type": "inet_service", "map": "verdict",
                   "elem": [[22, {"jump": {"target": "ssh"}}], [53, {"accept": null}]]}},
          {"chain": {"family": "ip", "table": "filter", "name": "input", "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
          {"chain": {"family": "ip", "table": "filter", "name": "ssh"}},
          {"rule": {"family": "ip", "table": "filter", "chain": "input", "handle": 4, "expr": [
            {"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
          {"rule": {"family": "ip", "table": "filter", "chain": "input", "handle": 5, "expr": [
            {"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@ports"}}]}},
          {"rule": {"family": "ip", "table": "filter", "chain": "ssh", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "192.168.1.0", "len": 24}}}},
            {"accept": null}]}},
          {"rule": {"family": "ip", "table": "filter", "chain": "ssh", "expr": [{"drop": null}]}},
          {"table": {"family": "inet", "name": "other"}},
          {"chain": {"family": "inet", "table": "other", "name": "input", "type": "filter", "hook": "input", "prio": 10, "policy": "accept"}},
          {"rule": {"family": "inet", "table": "other", "chain": "input", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 23}}, {"drop": null}]}},
          {"table": {"family": "ip6", "name": "v6"}},
          {"chain": {"family": "ip6", "table": "v6", "name": "input", "type": "filter", "hook": "input", "prio": -5, "policy": "accept"}},
          {"table": {"family": "ip", "name": "nat"}},
          {"chain": {"family": "ip", "table": "nat", "name": "post", "type": "nat", "hook": "postrouting", "prio": 100, "policy": "accept"}},
          {"rule": {"family": "ip", "table": "nat", "chain": "post", "expr": [
            {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "wan0"}}, {"masquerade": null}]}}
        ]}
        """#

    static func state() throws -> RulesetState {
        try RulesetState(document: Document.parse(listing), keepHandles: true)
    }

    @Test func baseChainContext() throws {
        let e = try Explainer.explain(
            Self.state(), selection: ExplainSelection(table: TableKey(family: "ip", name: "filter"), chain: "input"))
        let chain = try #require(e.tables.first?.chains.first)
        let base = try #require(chain.base)
        #expect(base.hook == "input")
        #expect(base.hookMeaning == "packets addressed to this host (after routing)")
        #expect(base.priorityName == "filter")
        #expect(base.policyMeaning == "a packet that reaches the end of this chain without a verdict is dropped")
        // The ip6 chain never sees IPv4 packets; the inet one does, after this one.
        #expect(base.order.map(\.label) == ["ip filter input", "inet other input"])
        #expect(base.order.map(\.isSelf) == [true, false])
        #expect(
            chain.notes.contains(
                "accept here ends evaluation only for this chain: inet other input (priority filter + 10) still sees the packet afterwards on the input hook and can drop it; drop is final everywhere."
            ))
        #expect(chain.notes.contains("return, or the end of this chain, applies the policy drop."))
        // Only the map this chain uses comes along.
        #expect(e.tables[0].sets.map(\.name) == ["ports"])
        #expect(e.tables[0].sets[0].elements == ["22 → jump to chain ssh", "53 → accept"])
        #expect(e.gaps.isEmpty)
    }

    @Test func inetChainSeesBothFamiliesInOrder() throws {
        let e = try Explainer.explain(
            Self.state(), selection: ExplainSelection(table: TableKey(family: "inet", name: "other"), chain: "input"))
        let base = try #require(e.tables.first?.chains.first?.base)
        #expect(base.order.map(\.label) == ["ip6 v6 input", "ip filter input", "inet other input"])
        #expect(base.order.map(\.priorityName) == ["filter - 5", "filter", "filter + 10"])
        let notes = e.tables[0].chains[0].notes
        #expect(
            notes.contains(
                "Before this chain, the packet has already passed ip6 v6 input (priority filter - 5), ip filter input (priority filter) on the input hook."
            ))
        #expect(notes.contains { $0.hasPrefix("accept here ends the packet's evaluation on the input hook") })
    }

    /// Chains of equal priority are neither before nor after each other; ingress chains of
    /// other devices see other packets (found by a sweep of real rulesets).
    @Test func equalPrioritiesAndOtherDevicesAreNotOrdered() throws {
        let doc = #"""
            {"nftables": [
              {"table": {"family": "ip", "name": "a"}},
              {"chain": {"family": "ip", "table": "a", "name": "fwd_a", "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}},
              {"table": {"family": "inet", "name": "b"}},
              {"chain": {"family": "inet", "table": "b", "name": "fwd_b", "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}},
              {"table": {"family": "netdev", "name": "n"}},
              {"chain": {"family": "netdev", "table": "n", "name": "on_eth0", "type": "filter", "hook": "ingress", "dev": "eth0", "prio": -500, "policy": "accept"}},
              {"chain": {"family": "netdev", "table": "n", "name": "on_eth1", "type": "filter", "hook": "ingress", "dev": "eth1", "prio": 0, "policy": "accept"}},
              {"chain": {"family": "netdev", "table": "n", "name": "on_both", "type": "filter", "hook": "ingress", "dev": ["eth0", "eth1"], "prio": 10, "policy": "accept"}},
              {"chain": {"family": "netdev", "table": "n", "name": "on_none", "type": "filter", "hook": "ingress", "prio": 5, "policy": "accept"}},
              {"table": {"family": "ip", "name": "nat"}},
              {"chain": {"family": "ip", "table": "nat", "name": "pre_nat", "type": "nat", "hook": "prerouting", "prio": 0, "policy": "accept"}},
              {"chain": {"family": "ip", "table": "nat", "name": "pre_filter", "type": "filter", "hook": "prerouting", "prio": 0, "policy": "accept"}}
            ]}
            """#
        let state = try RulesetState(document: Document.parse(doc), keepHandles: true)
        func notes(_ family: String, _ table: String, _ chain: String) throws -> [String] {
            let e = try Explainer.explain(state, selection: ExplainSelection(table: TableKey(family: family, name: table), chain: chain))
            return try #require(e.tables.first?.chains.first).notes
        }
        let b = try notes("inet", "b", "fwd_b")
        #expect(!b.contains { $0.hasPrefix("Before this chain") }, "\(b)")
        #expect(!b.contains { $0.hasPrefix("accept here ends the packet's evaluation") }, "\(b)")
        #expect(b.contains { $0.hasPrefix("Same priority as ip a fwd_a") }, "\(b)")
        let eth1 = try notes("netdev", "n", "on_eth1")
        #expect(!eth1.contains { $0.contains("on_eth0") }, "\(eth1)")
        #expect(eth1.contains { $0.contains("netdev n on_both (priority") && $0.contains("still see") }, "\(eth1)")
        let eth0 = try notes("netdev", "n", "on_eth0")
        #expect(!eth0.contains { $0.contains("on_eth1") }, "\(eth0)")
        // A nat chain runs at the NAT core's priority (dstnat), whatever its own: before a
        // filter chain of the same own priority, not tied with it.
        let filter = try notes("ip", "nat", "pre_filter")
        #expect(filter.contains { $0.hasPrefix("Before this chain") && $0.contains("ip nat pre_nat") }, "\(filter)")
        #expect(!filter.contains { $0.hasPrefix("Same priority") }, "\(filter)")
        // The diagram and the JSON show one ingress hook per device, a chain of two on both,
        // one that names none on each (as its notes order it).
        let e = try Explainer.explain(state)
        let ingress = e.hooks.filter { $0.hook == "ingress" }
        #expect(ingress.map(\.device) == ["eth0", "eth1"])
        #expect(ingress.map { $0.chains.map(\.chain) } == [["on_eth0", "on_none", "on_both"], ["on_eth1", "on_none", "on_both"]])
        #expect(try notes("netdev", "n", "on_none").contains { $0.contains("on_eth0") && $0.contains("on_eth1") })
        let m = e.mermaid
        #expect(m.contains(#"hook_netdev_ingress_eth0(["ingress hook (netdev, device eth0)"])"#), "\(m)")
        #expect(m.contains(#"hook_netdev_ingress_eth1 -->|"3. priority filter + 10"| c_netdev__n__on_both"#), "\(m)")
        #expect(!m.contains(#"hook_netdev_ingress("#), "\(m)")
    }

    @Test func regularChainCallersAndRulePosition() throws {
        let e = try Explainer.explain(
            Self.state(), selection: ExplainSelection(table: TableKey(family: "ip", name: "filter"), chain: "ssh", rule: 2))
        let chain = try #require(e.tables.first?.chains.first)
        #expect(chain.base == nil)
        #expect(chain.callers == ["jump from input rule 2 (verdict map key 22)"])
        #expect(chain.rules.map(\.position) == [2])
        #expect(chain.rules[0].steps.map(\.text) == ["drop the packet: it is discarded at once, and no later rule or chain sees it"])
    }

    @Test func selectionErrors() throws {
        let s = try Self.state()
        #expect(throws: ExplainError.self) {
            try Explainer.explain(s, selection: ExplainSelection(table: TableKey(family: "ip", name: "nope")))
        }
        #expect(throws: ExplainError.self) { try Explainer.explain(s, selection: ExplainSelection(chain: "nope")) }
        #expect(throws: ExplainError.self) { try Explainer.explain(s, selection: ExplainSelection(chain: "ssh", rule: 3)) }
        #expect(throws: ExplainError.self) { try Explainer.explain(s, selection: ExplainSelection(rule: 1)) }
    }

    @Test func textFormat() throws {
        let text = try Explainer.explain(Self.state(), selection: ExplainSelection(table: TableKey(family: "ip", name: "filter"))).text
        let expected = """
            table ip filter: IPv4 packets only
              map ports: map from inet_service (ports) to verdict (verdicts); 2 elements when loaded
                - 22 → jump to chain ssh
                - 53 → accept
              chain input: base chain, type filter: rules may accept, drop or change packets
                hook input: packets addressed to this host (after routing)
                priority filter (0); lower numbers run first
                order on the input hook: 1. ip filter input (filter) <- this chain, 2. inet other input (filter + 10)
                policy drop: a packet that reaches the end of this chain without a verdict is dropped
                note: accept here ends evaluation only for this chain: inet other input (priority filter + 10) still sees the packet afterwards on the input hook and can drop it; drop is final everywhere.
                note: At priority 0 on the input hook this chain runs before source NAT (100), conntrack confirmation (last).
                note: return, or the end of this chain, applies the policy drop.
                rule 1 (handle 4): ct state established,related accept
                  if the connection tracking state is one of established (the connection has seen packets in both directions), related (a new connection expected by an existing one: an ICMP error, an FTP data connection)
                  then accept: stop evaluating this chain (and any chain that jumped here); the packet passes this base chain, but later base chains on the same hook still see it
                rule 2 (handle 5): tcp dport vmap @ports
                  look up the TCP destination port in the verdict map @ports { 22 → jump to chain ssh; 53 → accept } and take the verdict found; when there is no entry, continue with the next rule
              chain ssh: regular chain, reached by jump from input rule 2 (verdict map key 22)
                note: A regular chain: it runs only when a rule jumps or goes to it. accept or drop here is final for the base chain that led here; return, or the end of this chain, goes back to the chain that jumped here (after a goto, to the one before it).
                rule 1: ip saddr 192.168.1.0/24 accept
                  if the IPv4 source address is in 192.168.1.0/24 (the first 24 bits equal those of 192.168.1.0)
                  then accept: stop evaluating this chain (and any chain that jumped here); the packet passes this base chain, but later base chains on the same hook still see it
                rule 2: drop
                  drop the packet: it is discarded at once, and no later rule or chain sees it

            """
        #expect(text == expected)
    }

    /// explain and trace put the chains of a hook in one order (`Hook.runOrder`): a nat
    /// chain at priority -300 still runs at the NAT core's -100, after a filter chain at -150.
    @Test func explainAndTraceAgreeOnHookOrder() throws {
        let doc = try Document.parse(
            """
            {"nftables": [{"add": {"table": {"family": "ip", "name": "a"}}},
              {"add": {"chain": {"family": "ip", "table": "a", "name": "nat_early", "type": "nat", "hook": "prerouting", "prio": -300, "policy": "accept"}}},
              {"add": {"chain": {"family": "ip", "table": "a", "name": "mangle", "type": "filter", "hook": "prerouting", "prio": -150, "policy": "accept"}}},
              {"add": {"table": {"family": "inet", "name": "b"}}},
              {"add": {"chain": {"family": "inet", "table": "b", "name": "raw", "type": "filter", "hook": "prerouting", "prio": -300, "policy": "accept"}}},
              {"add": {"chain": {"family": "inet", "table": "b", "name": "late", "type": "filter", "hook": "prerouting", "prio": 0, "policy": "accept"}}}]}
            """)
        let state = try RulesetState(document: doc)
        let trace = HookPath.baseChains(state, hook: .prerouting, version: 4).map {
            "\($0.table.key.family) \($0.table.key.name) \($0.chain.value.name)"
        }
        let e = try Explainer.explain(state)
        let explained = e.hooks.first { $0.path == "inet" && $0.hook == "prerouting" }?.chains.map(\.label) ?? []
        #expect(trace == ["inet b raw", "ip a mangle", "ip a nat_early", "inet b late"])
        #expect(explained == trace)
        let chain = try #require(e.tables.first?.chains.first { $0.name == "nat_early" })
        #expect(chain.base?.order.map(\.label) == trace)
        #expect(chain.notes.contains { $0.contains("runs from the NAT core at priority dstnat (-100)") }, "\(chain.notes)")
        let late = try #require(e.tables.last?.chains.first { $0.name == "late" })
        #expect(
            late.notes.contains {
                $0.contains("after defragmentation (-400), connection tracking (-200), destination NAT (-100)")
                    && $0.contains("already tracked")
            },
            "\(late.notes)")
    }

    @Test func mermaidShape() throws {
        let m = try Explainer.explain(Self.state()).mermaid
        let lines = m.split(separator: "\n").map(String.init)
        #expect(lines.first == "flowchart LR")
        #expect(lines.contains(#"  hook_inet_input(["input hook (IPv4/IPv6)"])"#))
        // Base chains hang off their hook in priority order, across tables.
        #expect(lines.contains(#"  hook_inet_input -->|"1. priority filter - 5"| c_ip6__v6__input"#))
        #expect(lines.contains(#"  hook_inet_input -->|"2. priority filter"| c_ip__filter__input"#))
        #expect(lines.contains(#"  hook_inet_input -->|"3. priority filter + 10"| c_inet__other__input"#))
        #expect(lines.contains(#"  hook_inet_postrouting -->|"1. priority srcnat"| c_ip__nat__post"#))
        #expect(lines.contains(#"  c_ip__filter__input["ip filter<br/>chain input<br/>filter, policy drop"]"#))
        #expect(lines.contains(#"  c_ip__filter__ssh("ip filter<br/>chain ssh")"#))
        // The verdict-map branch to the regular chain.
        #expect(lines.contains(#"  c_ip__filter__input -->|"rule 2: jump if 22"| c_ip__filter__ssh"#))
        // Hooks come before chains, and every edge names nodes that are declared.
        let declared = Set(
            lines.compactMap { l -> String? in
                let t = l.trimmingCharacters(in: .whitespaces)
                guard !t.contains("-->"), !t.contains("-.->"), let end = t.firstIndex(where: { $0 == "[" || $0 == "(" }) else { return nil }
                return String(t[..<end])
            })
        for l in lines where l.contains("-->") || l.contains("-.->") {
            let parts = l.trimmingCharacters(in: .whitespaces).split(separator: " ")
            #expect(declared.contains(String(parts.first!)) && declared.contains(String(parts.last!)), "undeclared node in \(l)")
        }
    }

    @Test func jsonFormat() throws {
        let j = try Explainer.explain(
            Self.state(), selection: ExplainSelection(table: TableKey(family: "ip", name: "filter"), chain: "input", rule: 2)
        ).json
        let rule = j["tables"]?.arrayValue?.first?["chains"]?.arrayValue?.first?["rules"]?.arrayValue?.first
        #expect(rule?["nft"]?.stringValue == "tcp dport vmap @ports")
        #expect(rule?["steps"]?.arrayValue?.first?["kind"]?.stringValue == "action")
        #expect(rule?["edges"] == [["kind": "jump", "target": "ssh", "map_key": "22"]])
        let base = j["tables"]?.arrayValue?.first?["chains"]?.arrayValue?.first?["base"]
        #expect(base?["priority_name"]?.stringValue == "filter")
        #expect(base?["order"]?.arrayValue?.count == 2)
        #expect(j["unexplained"] == [])
    }
}
