import NFTAnalysis

/// Which part of a ruleset to explain: everything, one table, one chain, or one rule.
public struct ExplainSelection: Sendable, Hashable {
    public var table: TableKey?
    public var chain: String?
    /// 1-based position of the rule in its chain (needs `chain`).
    public var rule: Int?
    public init(table: TableKey? = nil, chain: String? = nil, rule: Int? = nil) {
        self.table = table; self.chain = chain; self.rule = rule
    }
}

/// Turns a `RulesetState` into a `RulesetExplanation`: every rule in plain English with
/// the context of its table, chain and hook.
public enum Explainer {
    public static func explain(_ state: RulesetState, selection: ExplainSelection = .init()) throws(ExplainError) -> RulesetExplanation {
        var tables = state.tables
        if let key = selection.table {
            tables = tables.filter { $0.key == key }
            if tables.isEmpty {
                throw ExplainError("no table \(key) (tables: \(state.keys.map(\.description).joined(separator: ", ")))")
            }
        }
        if selection.rule != nil && selection.chain == nil { throw ExplainError(.ruleNeedsChain) }
        if let chain = selection.chain {
            tables = tables.filter { $0.chain(chain) != nil }
            if tables.isEmpty { throw ExplainError("no chain \(chain) in \(selection.table.map { "table \($0)" } ?? "any table")") }
        }
        var out: [TableExplanation] = []
        for t in tables {
            var e = explain(table: t, in: state)
            if let chain = selection.chain {
                e.chains = e.chains.filter { $0.name == chain }
                let used = referencedSets(t.rules(in: chain).map(\.value))
                e.sets = e.sets.filter { used.contains($0.name) }
                e.objects = []
                if let n = selection.rule {
                    guard let c = e.chains.first, n >= 1, n <= c.rules.count else {
                        throw ExplainError(
                            "chain \(chain) of table \(t.key) has \(e.chains.first?.rules.count ?? 0) rules; there is no rule \(n)")
                    }
                    e.chains[0].rules = [c.rules[n - 1]]
                }
            }
            out.append(e)
        }
        return RulesetExplanation(tables: out, hooks: HookContext.hooks(in: state))
    }

    /// One table with all its sets, objects and chains.
    static func explain(table t: TableContents, in state: RulesetState) -> TableExplanation {
        let family = t.table.value.family
        var chains: [ChainExplanation] = t.chains.map { c in
            let rules = t.rules(in: c.value.name).enumerated().map { i, r in
                explain(rule: r.value, in: t, position: i + 1, location: r.location)
            }
            return explain(chain: c.value, rules: rules, in: state)
        }
        // Who calls each regular chain.
        for i in chains.indices {
            for c in chains {
                for r in c.rules {
                    for e in r.edges where e.target == chains[i].name {
                        chains[i].callers.append(
                            "\(e.kind.rawValue) from \(c.name) rule \(r.position)" + (e.mapKey.map { " (verdict map key \($0))" } ?? ""))
                    }
                }
            }
            if chains[i].base == nil {
                chains[i].notes =
                    chains[i].callers.isEmpty
                    ? ["No rule jumps or goes here, so no packet ever reaches this chain."]
                    : [
                        "A regular chain: it runs only when a rule jumps or goes to it. accept or drop here is final for the base chain that led here; return, or the end of this chain, goes back to the chain that jumped here (after a goto, to the one before it)."
                    ]
            }
        }
        return TableExplanation(
            family: family, name: t.table.value.name, familyMeaning: HookContext.familyMeaning(family),
            comment: t.table.value.comment,
            sets: t.sets.map { explain(set: $0.value, in: t) },
            objects: t.objects.map { o in
                let p = Phraser(family: family, table: t)
                return ObjectExplanation(
                    kind: o.value.body.kind.rawValue, name: o.value.name,
                    summary: p.objectSummary(o.value.body), gaps: p.gaps)
            },
            chains: chains)
    }

    static func explain(chain c: Chain, rules: [RuleExplanation], in state: RulesetState) -> ChainExplanation {
        var base: BaseChainContext?
        var notes: [String] = []
        if let hook = c.hook {
            let order = HookContext.order(of: c, in: state)
            let prio = c.prio ?? 0
            let devices = c.dev?.values ?? []
            base = BaseChainContext(
                type: c.type ?? "filter", typeMeaning: HookContext.typeMeaning(c.type ?? "filter"), hook: hook,
                hookMeaning: HookContext.hookMeaning(family: c.family, hook: hook, devices: devices), devices: devices,
                priority: prio, priorityName: ChainPriority.text(prio, family: c.family, hook: hook),
                policy: c.policy ?? "accept", policyMeaning: HookContext.policyMeaning(c.policy ?? "accept"), order: order)
            notes = HookContext.notes(for: c, order: order)
        }
        return ChainExplanation(
            name: c.name, table: c.table, family: c.family, base: base, callers: [], notes: notes,
            rules: rules, comment: c.comment)
    }

    /// One rule: its statements as conditions and actions, in order.
    public static func explain(
        rule: Rule, in table: TableContents? = nil, position: Int = 1,
        location: SourceLocation? = nil
    ) -> RuleExplanation {
        let p = Phraser(family: rule.family, table: table)
        let context = PrintContext(family: rule.family)
        let steps = rule.statements.map { s -> RuleExplanation.Step in
            let phrase = p.statement(s)
            return RuleExplanation.Step(kind: phrase.kind, text: phrase.text, nft: s.nftText(context: context))
        }
        return RuleExplanation(
            position: position, handle: rule.handle, location: location?.description,
            nft: rule.nftText(context: PrintContext(family: rule.family)), comment: rule.comment,
            steps: steps, edges: p.edges, gaps: p.gaps)
    }

    /// A named set or map: its type, flags and elements.
    public static func explain(set s: NamedSet, in table: TableContents?) -> SetExplanation {
        let p = Phraser(family: s.family, table: table)
        var summary = (s.isMap ? "map from " : "set of ") + keyType(s.type, p)
        if let data = s.map { summary += " to " + keyType(data, p) }
        let flags = s.flags?.values ?? []
        for f in flags {
            switch f {
            case "constant": summary += "; constant (cannot change once loaded)"
            case "interval": summary += "; holds ranges and prefixes (interval)"
            case "timeout": summary += "; elements can expire (timeout)"
            case "dynamic": summary += "; rules add elements at run time (dynamic)"
            default: summary += p.gap("set flag \(f)", "; flag \(f)")
            }
        }
        if let t = s.timeout { summary += "; elements expire \(Phraser.duration(t)) after they are added" }
        if let g = s.gcInterval { summary += "; expired elements are collected every \(Phraser.duration(g))" }
        if let size = s.size { summary += "; at most \(size) elements" }
        if let policy = s.policy { summary += "; tuned for \(policy)" }
        if let stmts = s.stmt, !stmts.isEmpty {
            summary += "; each element has its own: " + stmts.map { p.statement($0).text }.joined(separator: "; ")
        }
        if s.autoMerge == true { summary += "; adjacent and overlapping ranges are merged (auto-merge)" }
        if let c = s.comment { summary += "; comment \"\(c)\"" }
        let elements = s.elements.map(p.element)
        summary += "; \(elements.count) element\(elements.count == 1 ? "" : "s") when loaded"
        return SetExplanation(name: s.name, isMap: s.isMap, summary: summary, elements: elements, gaps: p.gaps)
    }

    static let typeNames: [String: String] = [
        "ipv4_addr": "IPv4 addresses", "ipv6_addr": "IPv6 addresses", "ether_addr": "MAC addresses",
        "inet_proto": "layer-4 protocols", "inet_service": "ports", "mark": "marks", "ifname": "interface names",
        "iface_index": "interfaces", "verdict": "verdicts", "ct_state": "conntrack states", "ct_status": "conntrack status bits",
        "ether_type": "EtherTypes", "arp_op": "ARP operations", "icmp_type": "ICMP types", "icmpv6_type": "ICMPv6 types",
        "tcp_flag": "TCP flags", "dscp": "DSCP values", "counter": "counter objects", "quota": "quota objects",
        "time": "times", "day": "days", "hour": "times of day", "cgroupsv2": "cgroups", "classid": "classids",
        "nf_proto": "netfilter families", "pkt_type": "packet types", "ipsec": "IPsec", "realm": "routing realms",
        "integer": "integers", "string": "strings", "boolean": "booleans"
    ]

    static func keyType(_ t: SetKeyType?, _ p: Phraser) -> String {
        switch t {
        case nil: return "values of no declared type"
        case .named(let n)?: return n + (typeNames[n].map { " (\($0))" } ?? "")
        case .concat(let l)?: return "combinations " + l.map { $0 + (typeNames[$0].map { " (\($0))" } ?? "") }.joined(separator: " . ")
        case .typeof(let e)?: return "values like " + p.subject(e)
        }
    }

    /// Names of sets and maps the rules refer to (`@name`, set/map updates).
    static func referencedSets(_ rules: [Rule]) -> Set<String> {
        var out: Set<String> = []
        for r in rules { for s in r.statements { out.formUnion(s.setReferences) } }
        return out
    }
}
