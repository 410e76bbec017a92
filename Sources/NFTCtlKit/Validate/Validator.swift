import NFTAnalysis

/// nftctl's own checks, run before anything reaches libnftables: undefined references,
/// jump loops, impossible chain definitions, statements in hooks where the kernel refuses
/// them, and matches that cannot happen in the table's family. Dry runs in libnftables
/// miss several of these (loops and hook checks happen at commit time), and malformed
/// input can abort libnftables 1.0.6, so they are checked here first. Names, comments and
/// other strings are checked too (`TextChecks`): what nft cannot write never gets further.
public enum Validator {
    public static func validate(_ state: RulesetState) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for table in state.tables { out += TableValidator(table: table).run() }
        return out
    }

    /// Parts of a document the model kept raw (unknown shapes) or that nft 1.0.6 listed as
    /// bare text: libnftables cannot be trusted with them.
    public static func unsupportedParts(_ document: Document, locations: [SourceLocation?], origin: String) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (i, entry) in document.entries.enumerated() {
            let loc = i < locations.count ? locations[i] : nil
            // Built only for a diagnostic: most entries have none.
            func object() -> String { "\(origin) entry \(i + 1)" }
            switch entry {
            case .raw(let j):
                let why: String
                if case .object(let o) = j, let (k, v) = o.singleEntry, Verb(rawValue: k) != nil {
                    do { _ = try RulesetItem.decode(v); why = "unsupported" } catch { why = error.message }
                } else {
                    do { _ = try RulesetItem.decode(j); why = "unsupported" } catch { why = error.message }
                }
                out.append(Diagnostic(.error, why, object: object(), at: loc))
            case .item(let item):
                unsupportedParts(item, object: object(), at: loc, into: &out)
            case .command(let c):
                // A rule deleted by handle has no statements: said as what it is.
                if c.verb == .delete, case .rule = c.item {
                    out.append(Diagnostic(.error, RulesetState.notDeclarative(c.verb, c.item), object: object(), at: loc))
                    continue
                }
                unsupportedParts(c.item, object: object(), at: loc, into: &out)
            }
        }
        return out
    }

    /// The decoder's reason for refusing a shape, if it refuses it.
    static func failure(_ body: () throws(Problem) -> Void) -> String? {
        do { try body(); return nil } catch { return error.message }
    }

    /// `object` and the names below are built only when a diagnostic needs them.
    static func unsupportedParts(
        _ item: RulesetItem, object: @autoclosure () -> String, at loc: SourceLocation?, into out: inout [Diagnostic]
    ) {
        func checkExpr(_ e: Expression, _ what: () -> String) {
            e.forEach { sub in
                if case .raw(let j) = sub {
                    let why: String
                    why = failure { () throws(Problem) in _ = try Expression.decode(j) } ?? "unsupported expression"
                    out.append(Diagnostic(.error, "\(why): \(j.serialized())", object: what(), at: loc))
                }
            }
        }
        func checkStmt(_ s: Statement, _ what: () -> String) {
            switch s {
            case .raw(let j):
                let why: String
                why = failure { () throws(Problem) in _ = try Statement.decode(j) } ?? "unsupported statement"
                out.append(Diagnostic(.error, "\(why): \(j.serialized())", object: what(), at: loc))
            case .text(let t):
                // Sent as nft syntax (TextBatch); refused only when it cannot be written safely.
                do throws(TextBatch.Unsafe) { _ = try TextBatch.foldedStatement(t) } catch {
                    out.append(
                        Diagnostic(
                            .error, "\(error.reason): nft 1.0.6 lists it only as text, and JSON cannot carry it",
                            object: what(), at: loc))
                }
            default:
                s.forEachExpression { if case .raw = $0 { checkExpr($0, what) } }
                s.forEachNestedStatement { checkStmt($0, what) }
            }
        }
        switch item {
        case .rule(let r):
            func what() -> String { "rule in chain \(r.family) \(r.table) \(r.chain)" }
            if r.expr?.isEmpty ?? true { out.append(Diagnostic(.error, "a rule needs at least one statement", object: what(), at: loc)) }
            for s in r.statements { checkStmt(s, what) }
        case .set(let s):
            func what() -> String { "\(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)" }
            if let e = s.elem { checkExpr(e, what) }
            for st in s.stmt ?? [] { checkStmt(st, what) }
            if case .typeof(let e)? = s.type { checkExpr(e, what) }
        case .element(let e):
            checkExpr(e.elem) { "elements of \(e.family) \(e.table) \(e.name)" }
        case .raw(let j):
            out.append(Diagnostic(.error, "unknown object \(j.serialized())", object: object(), at: loc))
        default: break
        }
    }
}

/// Checks one table. Each check reads the shared lookups, built once per table: a check runs
/// per rule of rulesets of tens of thousands, so what it looks up is a dictionary, and the
/// names diagnostics give objects are built only when one is reported. A class, so that the
/// closures of the per-statement checks capture one reference, not a copy of every lookup.
final class TableValidator {
    let table: TableContents
    let family: String
    let tableName: String
    /// Chains and sets by name; the first declaration wins, as in `TableContents.chain(_:)`.
    let chainsByName: [String: Located<Chain>]
    let setsByName: [String: Located<NamedSet>]
    let objectKeys: Set<ObjectKey>
    let flowtableNames: Set<String>
    /// Each rule's position in its chain, from 1 (`rule 3 of chain …`), by index in `table.rules`.
    let ordinals: [Int]
    /// jump/goto edges between chains (`chainEdges`).
    let edges: [String: [String]]
    /// The hooks reaching each chain, when given rather than worked out from `table`'s
    /// rules (`EntryPatch` checks a few rules of a table whose jumps it knows unchanged).
    let givenHooks: [String: [HookUse]]?

    struct ObjectKey: Hashable {
        var name: String
        var kind: ObjectKind
    }

    init(table: TableContents, hooks: [String: [HookUse]]? = nil, firstOrdinal: [String: Int] = [:]) {
        self.table = table
        givenHooks = hooks
        family = table.table.value.family
        tableName = "\(family) \(table.table.value.name)"
        var chains: [String: Located<Chain>] = [:]
        for c in table.chains where chains[c.value.name] == nil { chains[c.value.name] = c }
        chainsByName = chains
        var sets: [String: Located<NamedSet>] = [:]
        for s in table.sets where sets[s.value.name] == nil { sets[s.value.name] = s }
        setsByName = sets
        objectKeys = Set(table.objects.map { ObjectKey(name: $0.value.name, kind: $0.value.body.kind) })
        flowtableNames = Set(table.flowtables.map(\.value.name))
        var count: [String: Int] = [:]
        var ordinals: [Int] = []
        ordinals.reserveCapacity(table.rules.count)
        for r in table.rules {
            let n = count[r.value.chain, default: firstOrdinal[r.value.chain, default: 1] - 1] + 1
            count[r.value.chain] = n
            ordinals.append(n)
        }
        self.ordinals = ordinals
        edges = Self.chainEdges(table, sets: sets)
    }

    func chainObject(_ c: Chain) -> String { "chain \(tableName) \(c.name)" }

    /// `rule N of chain FAMILY TABLE CHAIN` for `table.rules[i]`.
    func ruleObject(_ i: Int) -> String { "rule \(ordinals[i]) of chain \(tableName) \(table.rules[i].value.chain)" }

    func run() -> [Diagnostic] {
        var out = checkText()
        guard Family(rawValue: family) != nil else {
            return out + [
                Diagnostic(
                    .error, "unknown family \"\(family)\" (ip, ip6, inet, arp, bridge, netdev)",
                    object: "table \(tableName)", at: table.table.location)
            ]
        }
        if table.table.value.flags?.values.contains("owner") == true {
            out.append(
                Diagnostic(
                    .error,
                    "flag owner: the kernel deletes such a table when the process that made it exits, so it would be gone "
                        + "when nftctl exits; declare the table without it", object: "table \(tableName)", at: table.table.location))
        }
        // Refused before anything is committed: it could not be listed back to verify it.
        if let flags = table.table.value.flags?.values, !flags.isEmpty {
            for o in table.objects where ListingRepair.unlistableKinds.contains(o.value.body.kind.rawValue) {
                out.append(
                    Diagnostic(
                        .error,
                        "libnftables 1.0.6 cannot list a \(o.value.body.kind.rawValue) of a table with flags "
                            + "(\(flags.joined(separator: ", "))), so nftctl could not verify it; declare it in a table without flags",
                        object: "\(o.value.body.kind.rawValue) \(o.value.name)", at: o.location))
            }
        }
        out += checkValues()
        out += checkChains()
        out += checkRules()
        out += checkTerminalStatements()
        out += checkVerdictMapEntries()
        out += checkSets()
        out += checkLoops()
        return out
    }

    // MARK: chains

    func checkChains() -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        for lc in table.chains {
            let c = lc.value
            let obj = chainObject(c)
            func err(_ m: String) { out.append(Diagnostic(.error, m, object: obj, at: lc.location)) }
            if c.name.isEmpty { err("a chain needs a name") }
            if !seen.insert(c.name).inserted { err("declared twice") }
            let base = [c.type != nil, c.hook != nil, c.prio != nil]
            if base.contains(true) && base.contains(false) {
                err(
                    "a base chain needs type, hook and priority together (has \(c.type.map { "type \($0)" } ?? "no type"), \(c.hook.map { "hook \($0)" } ?? "no hook"), \(c.prio.map { "priority \($0)" } ?? "no priority"))"
                )
                continue
            }
            if let policy = c.policy {
                if c.hook == nil { err("only base chains have a policy") }
                if policy != "accept" && policy != "drop" { err("policy must be accept or drop, not \"\(policy)\"") }
            }
            guard let type = c.type, let hook = c.hook, let prio = c.prio else { continue }
            guard let hooks = ChainRules.hooks[family], hooks.contains(hook) else {
                err(
                    "hook \(hook) does not exist in the \(family) family (hooks: \(ChainRules.hooks[family]!.sorted().joined(separator: ", ")))"
                )
                continue
            }
            guard ChainRules.knownTypes.contains(type) else { err("unknown chain type \"\(type)\" (filter, nat, route)"); continue }
            if !ChainRules.typeAllows(type, family: family, hook: hook) {
                switch type {
                case "nat":
                    err(
                        "nat chains exist only in ip, ip6 and inet tables at prerouting, input, output and postrouting, not \(family) \(hook)"
                    )
                case "route": err("route chains exist only in ip, ip6 and inet tables at the output hook, not \(family) \(hook)")
                default: err("chain type \(type) is not allowed at \(family) \(hook)")
                }
            }
            if type == "nat" && prio <= ChainRules.natPriorityFloor {
                err("nat chains must have a priority above -200 (conntrack), not \(prio)")
            }
            if (family == "netdev" || hook == "ingress" || hook == "egress") && (c.dev?.values.isEmpty ?? true) {
                err("a \(hook) chain needs a device")
            }
        }
        return out
    }

    // MARK: rules and references

    /// For each chain, the (type, hook) of every base chain that reaches it, sorted.
    func reachingHooks() -> [String: [HookUse]] {
        var result: [String: Set<HookUse>] = [:]
        for lc in table.chains {
            guard let type = lc.value.type, let hook = lc.value.hook else { continue }
            let use = HookUse(type: type, hook: hook)
            var stack = [lc.value.name]
            var seen: Set<String> = []
            while let n = stack.popLast() {
                guard seen.insert(n).inserted else { continue }
                result[n, default: []].insert(use)
                stack += edges[n] ?? []
            }
        }
        return result.mapValues { $0.sorted() }
    }

    /// jump/goto edges between chains, including verdict maps (anonymous and named).
    static func chainEdges(_ table: TableContents, sets: [String: Located<NamedSet>]) -> [String: [String]] {
        var edges: [String: [String]] = [:]
        for lr in table.rules {
            let r = lr.value
            for s in r.statements {
                s.forEachVerdict { v in if let t = v.target { edges[r.chain, default: []].append(t) } }
                if case .vmap(_, let data) = s, let ref = data.setReference, let m = sets[ref.name] {
                    m.value.elem?.forEach { if case .verdict(let v) = $0, let t = v.target { edges[r.chain, default: []].append(t) } }
                }
            }
        }
        return edges
    }

    func checkRules() -> [Diagnostic] {
        var out: [Diagnostic] = []
        let hooks = givenHooks ?? reachingHooks()
        let impossible = impossibleProtocols
        for (i, lr) in table.rules.enumerated() {
            let r = lr.value
            // Captures the index only: nothing of the rule is copied for it.
            func err(_ m: String) { out.append(Diagnostic(.error, m, object: ruleObject(i), at: table.rules[i].location)) }
            let statements = r.statements
            if statements.isEmpty { err("a rule needs at least one statement") }
            let uses = hooks[r.chain] ?? []
            for s in statements {
                checkReferences(s, err)
                checkHooks(s, uses, err)
                checkFamily(s, impossible, err)
            }
        }
        return out
    }

    func checkReferences(_ s: Statement, _ err: (String) -> Void) {
        s.forEachVerdict { v in
            guard let t = v.target else { return }
            if let c = chainsByName[t] {
                if c.value.isBase { err("\(v.keyword) to \(t), a base chain: the kernel only allows jumps to regular chains") }
            } else {
                err("\(v.keyword) to chain \(t), which is not declared in table \(tableName)")
            }
        }
        func needSet(_ ref: String, map: Bool?) {
            guard let name = SetReference(reference: ref)?.name else { return }
            guard let s = setsByName[name] else {
                err("refers to \(map == true ? "map" : "set") @\(name), which is not declared in table \(tableName)")
                return
            }
            if map == true && !s.value.isMap { err("@\(name) is a set, but is used as a map") }
            if map == false && s.value.isMap { err("@\(name) is a map, but is used as a set") }
        }
        func needObject(_ e: Expression, _ kind: ObjectKind) {
            var names: [String] = []
            if case .string(let n) = e { names = [n] }
            if case .map(_, let data) = e {
                if case .set(let elems, _) = data {
                    for el in elems { if case .list(let pair) = el, pair.count == 2, case .string(let n) = pair[1] { names.append(n) } }
                } else if case .string(let ref) = data {
                    needSet(ref, map: true)
                }
            }
            for n in names where !objectKeys.contains(ObjectKey(name: n, kind: kind)) {
                err("refers to \(kind.rawValue) \"\(n)\", which is not declared in table \(tableName)")
            }
        }
        switch s {
        case .match(_, _, let right):
            // A lookup may name a map too: it matches on the map's keys (`ip6 dscp @map3`).
            if case .string(let ref) = right { needSet(ref, map: nil) }
        case .set(let u): needSet(u.set, map: false)
        case .map(let u): needSet(u.map, map: true)
        case .vmap(_, let data): if case .string(let ref) = data { needSet(ref, map: true) }
        case .namedCounter(let e): needObject(e, .counter)
        case .namedQuota(let e): needObject(e, .quota)
        case .namedLimit(let e): needObject(e, .limit)
        case .ctHelper(let e): needObject(e, .ctHelper)
        case .ctTimeout(let e): needObject(e, .ctTimeout)
        case .ctExpectation(let e): needObject(e, .ctExpectation)
        case .namedSynproxy(let e): needObject(e, .synproxy)
        case .secmark(let e): needObject(e, .secmark)
        case .flow(_, let ft):
            let name = SetReference(lenient: ft).name
            if !flowtableNames.contains(name) {
                err("refers to flowtable @\(name), which is not declared in table \(tableName)")
            }
        default: break
        }
        // Map lookups anywhere in expressions: `key map @name`.
        s.forEachExpression { e in
            if case .map(_, .string(let ref)) = e { needSet(ref, map: true) }
        }
    }

    /// Statements the kernel accepts only in some chain types and hooks (checked against
    /// every base chain that reaches the rule, as the kernel does at commit).
    func checkHooks(_ s: Statement, _ uses: [HookUse], _ err: (String) -> Void) {
        guard !uses.isEmpty else { return }
        func require(_ what: String, type: String?, hooks: Set<String>) {
            for u in uses {
                if let type, u.type != type {
                    err("\(what) is only allowed in \(type) chains, but this rule is reached from a \(u.type) chain at hook \(u.hook)")
                    return
                }
                if !hooks.contains(u.hook) {
                    err("\(what) is only allowed at \(hooks.sorted().joined(separator: "/")), but this rule is reached from hook \(u.hook)")
                    return
                }
            }
        }
        switch s {
        case .nat(let n):
            switch n.kind {
            case .snat: require("snat", type: "nat", hooks: ["postrouting", "input"])
            case .masquerade: require("masquerade", type: "nat", hooks: ["postrouting"])
            case .dnat: require("dnat", type: "nat", hooks: ["prerouting", "output"])
            case .redirect: require("redirect", type: "nat", hooks: ["prerouting", "output"])
            }
        case .reject:
            if family == "netdev" {
                require("reject", type: nil, hooks: ["ingress"])
            } else {
                // Bridge, and ip, ip6, inet at prerouting in newer kernels (the nftables test
                // suite probes it: `prerouting_reject`), where an older kernel's refusal
                // changes nothing and says why.
                require("reject", type: nil, hooks: ["prerouting", "input", "forward", "output"])
            }
        case .tproxy: require("tproxy", type: nil, hooks: ["prerouting"])
        case .fwd: require("fwd", type: nil, hooks: ["ingress", "egress"])
        case .synproxy, .namedSynproxy: require("synproxy", type: nil, hooks: ["input", "forward"])
        default: break
        }
    }

    /// Protocols whose headers can never see a packet in this table's family.
    var impossibleProtocols: Set<String> {
        switch family {
        // Transport headers are not tied to the network protocol: IPv4 can carry ICMPv6 and
        // IPv6 can carry ICMP or IGMP (`meta l4proto 1 icmp type echo-request` in ip6 is valid).
        case "ip": return ["ip6"]
        case "ip6": return ["ip"]
        case "arp": return ["ip", "ip6", "icmp", "icmpv6", "tcp", "udp", "udplite", "sctp", "dccp", "igmp", "th"]
        default: return []
        }
    }

    /// Header matches that can never see a packet in this table's family (`impossible`:
    /// `impossibleProtocols`).
    func checkFamily(_ s: Statement, _ impossible: Set<String>, _ err: (String) -> Void) {
        var reported = false
        if !impossible.isEmpty {
            s.forEachExpression { e in
                guard !reported else { return }
                if case .payload(.field(let proto, let field)) = e, impossible.contains(proto) {
                    err(
                        "\(proto) \(field) can never match in a \(family) table: it only sees \(family == "arp" ? "ARP" : family == "ip" ? "IPv4" : "IPv6") packets"
                    )
                    reported = true
                }
            }
        }
        if !reported, case .match(.meta("nfproto"), .eq, .string(let p)) = s {
            if (family == "ip" && p == "ipv6") || (family == "ip6" && p == "ipv4") {
                err("meta nfproto \(p) can never match in a \(family) table")
            }
        }
        if case .nat(let n) = s, let f = n.family {
            if (family == "ip" && f == "ip6") || (family == "ip6" && f == "ip") {
                err("\(n.kind.rawValue) \(f) cannot be used in a \(family) table")
            }
        }
    }

    // MARK: sets

    func checkSets() -> [Diagnostic] {
        var out: [Diagnostic] = []
        var seen: Set<String> = []
        for ls in table.sets {
            let s = ls.value
            let obj = "\(s.isMap ? "map" : "set") \(tableName) \(s.name)"
            if !seen.insert(s.name).inserted { out.append(Diagnostic(.error, "declared twice", object: obj, at: ls.location)) }
            if s.type == nil { out.append(Diagnostic(.error, "a \(s.isMap ? "map" : "set") needs a type", object: obj, at: ls.location)) }
            if s.isMap && s.map == nil { out.append(Diagnostic(.error, "a map needs a data type", object: obj, at: ls.location)) }
            if s.isMap, case .named("verdict")? = s.map {
                s.elem?.forEach { e in
                    if case .verdict(let v) = e, let t = v.target {
                        if let c = chainsByName[t] {
                            if c.value.isBase {
                                out.append(Diagnostic(.error, "\(v.keyword) to \(t), a base chain", object: obj, at: ls.location))
                            }
                        } else {
                            out.append(
                                Diagnostic(
                                    .error, "\(v.keyword) to chain \(t), which is not declared in table \(tableName)",
                                    object: obj, at: ls.location))
                        }
                    }
                }
            }
        }
        return out
    }

    // MARK: loops

    /// The kernel refuses a jump graph with a cycle, and 16 or more jumps in a row.
    func checkLoops() -> [Diagnostic] {
        var out: [Diagnostic] = []
        var state: [String: Int] = [:]  // 1 = on stack, 2 = done
        var path: [String] = []
        var reported: Set<String> = []
        func visit(_ n: String) {
            state[n] = 1
            path.append(n)
            for t in edges[n] ?? [] {
                if state[t] == 1 {
                    let cycle = Array(path[path.firstIndex(of: t)!...]) + [t]
                    let key = Set(cycle).sorted().joined(separator: ",")
                    if reported.insert(key).inserted {
                        let loc = chainsByName[t]?.location
                        out.append(
                            Diagnostic(
                                .error, "jump loop: \(cycle.joined(separator: " -> "))",
                                object: "chain \(tableName) \(t)", at: loc))
                    }
                } else if state[t] == nil {
                    visit(t)
                }
            }
            path.removeLast()
            state[n] = 2
        }
        for c in table.chains.map(\.value.name) where state[c] == nil { visit(c) }
        if out.isEmpty {
            // Depth: longest jump chain from a base chain (goto does not push, but the
            // kernel counts nesting of jump; be conservative and count both).
            var memo: [String: Int] = [:]
            func depth(_ n: String) -> Int {
                if let d = memo[n] { return d }
                memo[n] = 0
                let d = (edges[n] ?? []).map { depth($0) + 1 }.max() ?? 0
                memo[n] = d
                return d
            }
            for lc in table.chains where lc.value.isBase {
                let d = depth(lc.value.name)
                if d >= ChainRules.jumpStackSize {
                    out.append(
                        Diagnostic(
                            .error,
                            "jumps nest \(d) chains deep; the kernel allows at most \(ChainRules.jumpStackSize - 1) jumps in a row from a base chain",
                            object: chainObject(lc.value), at: lc.location))
                }
            }
        }
        return out
    }
}

struct HookUse: Hashable, Comparable {
    var type: String
    var hook: String
    static func < (a: HookUse, b: HookUse) -> Bool { (a.type, a.hook) < (b.type, b.hook) }
}
