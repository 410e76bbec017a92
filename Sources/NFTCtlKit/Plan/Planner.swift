import NFTAnalysis

/// Computes the plan from the desired tables (a kernel-normalised listing carrying the
/// user's source locations) and the live tables (a listing with kernel handles).
public enum Planner {
    /// `written`: the tables as written (`DesiredState`), sent in place of the normal form.
    /// `declaredBefore`: the elements the file applied last declared in the sets the rules
    /// fill (`DeclaredElements`; asked only for such a set holding elements the file does
    /// not declare).
    /// `elsewhere`: whether tables beyond `desired` and `live` hold a rule that makes
    /// libnftables crash on rules placed by position (`PositionedRuleCrash`). That is judged
    /// once at most, and only when a table's plan places a rule by position.
    public static func plan(
        desired: RulesetState, written: [TableKey: WrittenTable] = [:], live: RulesetState, prune: [TableKey] = [],
        declaredBefore: () -> DeclaredElements? = { nil }, elsewhere: () -> Bool = { false }
    ) -> Plan {
        var tables: [TablePlan] = []
        var judged: Bool?
        func crash() -> Bool {
            if let judged { return judged }
            let j = PositionedRuleCrash.holds(desired) || PositionedRuleCrash.holds(live) || elsewhere()
            judged = j
            return j
        }
        for d in desired.tables {
            let w = written[d.key]
            if let l = live.table(d.key) {
                tables.append(
                    withoutActuallyEscaping(declaredBefore) { before in
                        TablePlanner(
                            desired: d, written: w, live: l, declaredBefore: { before()?.elements(of: d.key, $0) }
                        ).plan(positionsCrash: crash)
                    })
            } else {
                tables.append(
                    TablePlan(key: d.key, mode: .create, changes: additions(of: d, written: w), desired: d, live: nil, written: w))
            }
        }
        for key in prune where desired.table(key) == nil {
            guard let l = live.table(key) else { continue }
            tables.append(
                TablePlan(
                    key: key, mode: .delete, changes: [Change(sign: .delete, subject: .table(l.table.value))],
                    desired: nil, live: l))
        }
        return Plan(tables: tables)
    }

    /// Every object of a table that does not exist yet.
    static func additions(of t: TableContents, written: WrittenTable?) -> [Change] {
        var out = [Change(sign: .add, subject: .table(t.table.value), location: t.table.location)]
        for o in t.objects { out.append(Change(sign: .add, subject: .object(old: nil, new: o.value), location: o.location)) }
        for f in t.flowtables { out.append(Change(sign: .add, subject: .flowtable(old: nil, new: f.value), location: f.location)) }
        for s in t.sets { out.append(Change(sign: .add, subject: .set(old: nil, new: s.value), location: s.location)) }
        for c in t.chains {
            out.append(Change(sign: .add, subject: .chain(old: nil, new: c.value), location: c.location))
            for i in t.rules.indices where t.rules[i].value.chain == c.value.name {
                out.append(
                    Change(
                        sign: .add, subject: .rule(chain: c.value.name, old: nil, new: t.rules[i].value, before: nil),
                        location: t.rules[i].location, send: written?.rule(i)))
            }
        }
        return out
    }
}

/// Sets whose elements the rules themselves add at run time (`add @s`, `update @s`, meters,
/// or `flags dynamic`): their live-only elements are the rules' doing, never a difference.
func dynamicSets(_ t: TableContents) -> Set<String> {
    var out: Set<String> = []
    for s in t.sets where s.value.flags?.values.contains("dynamic") == true { out.insert(s.value.name) }
    for r in t.rules {
        for s in r.value.statements {
            switch s {
            case .set(let u): out.insert(u.reference.name)
            case .map(let u): out.insert(u.reference.name)
            case .meter(let name, _, _, _): out.insert(name)
            default: break
            }
        }
    }
    return out
}

struct TablePlanner {
    let desired: TableContents
    let written: WrittenTable?
    let live: TableContents
    /// The table as the file applied before declared it (`Planner.plan`).
    var declaredBefore: (_ set: String) -> Set<String>? = { _ in nil }
    /// `positionsCrash`: whether no rule may be placed by position (`PositionedRuleCrash`),
    /// asked only when one would be.
    func plan(positionsCrash: () -> Bool = { false }) -> TablePlan {
        var changes: [Change] = []
        var replaceReasons: [String] = []

        // Table attributes.
        let dt = desired.table.value, lt = live.table.value
        if dt.flags != lt.flags || dt.comment != lt.comment {
            changes.append(Change(sign: .change, subject: .table(dt), location: desired.table.location))
            replaceReasons.append("table flags or comment change")
        }

        // Named objects and flowtables: compared whole (values normalised away).
        func objKey(_ o: NamedObject) -> String { "\(o.body.kind.rawValue) \(o.name)" }
        let liveObjects = Dictionary(live.objects.map { (objKey($0.value), $0) }, uniquingKeysWith: { a, _ in a })
        let desiredObjects = Set(desired.objects.map { objKey($0.value) })
        for o in desired.objects {
            if let l = liveObjects[objKey(o.value)] {
                if norm(o.value) != norm(l.value) {
                    changes.append(Change(sign: .change, subject: .object(old: l.value, new: o.value), location: o.location))
                    replaceReasons.append("\(objKey(o.value)) changes")
                }
            } else {
                changes.append(Change(sign: .add, subject: .object(old: nil, new: o.value), location: o.location))
            }
        }
        for l in live.objects where !desiredObjects.contains(objKey(l.value)) {
            changes.append(Change(sign: .delete, subject: .object(old: l.value, new: nil)))
        }
        let liveFT = Dictionary(live.flowtables.map { ($0.value.name, $0) }, uniquingKeysWith: { a, _ in a })
        for f in desired.flowtables {
            if let l = liveFT[f.value.name] {
                if norm(f.value) != norm(l.value) {
                    changes.append(Change(sign: .change, subject: .flowtable(old: l.value, new: f.value), location: f.location))
                    replaceReasons.append("flowtable \(f.value.name) changes")
                }
            } else {
                changes.append(Change(sign: .add, subject: .flowtable(old: nil, new: f.value), location: f.location))
            }
        }
        let goneFT = live.flowtables.filter { l in desired.flowtables.first(where: { $0.value.name == l.value.name }) == nil }
        for l in goneFT {
            changes.append(Change(sign: .delete, subject: .flowtable(old: l.value, new: nil)))
        }
        // A flowtable goes and another comes: the new one may hook the old one's devices,
        // which the kernel refuses while the old one stands (EEXIST), and the old one goes
        // only after the rules that name it (`PlanBatch`).
        if !goneFT.isEmpty, desired.flowtables.contains(where: { liveFT[$0.value.name] == nil }) {
            replaceReasons.append("flowtable \(goneFT[0].value.name) gives way to another")
        }

        // Sets and maps: the definition must match, elements are a delta.
        let dynamic = dynamicSets(desired)
        for s in desired.sets {
            guard let l = live.set(s.value.name) else {
                changes.append(Change(sign: .add, subject: .set(old: nil, new: s.value), location: s.location))
                continue
            }
            let kind = s.value.isMap ? "map" : "set"
            // A change the kernel cannot make to the set in place: the table is replaced.
            func replaced(because reason: String) {
                changes.append(Change(sign: .change, subject: .set(old: l.value, new: s.value), location: s.location))
                replaceReasons.append(reason)
            }
            if definition(s.value) != definition(l.value) {
                replaced(because: "the definition of \(kind) \(s.value.name) changes")
                continue
            }
            let (added, removed) = elementDelta(
                want: s.value, have: l.value, keepExtra: dynamic.contains(s.value.name),
                declaredBefore: { declaredBefore(s.value.name) })
            // No delta for a constant set's elements (EBUSY), and 1.0.6 deletes no wildcard
            // element (`"eth*"`: "element does not exist").
            if !added.isEmpty || !removed.isEmpty, l.value.flags?.values.contains("constant") == true {
                replaced(because: "the elements of constant \(kind) \(s.value.name) change")
                continue
            }
            if !removed.isEmpty, l.value.isIntervalSet, Self.concatenatesHostOrder(l.value.type) {
                replaced(
                    because:
                        "an element of \(kind) \(s.value.name) is removed, which libnftables 1.0.6 cannot delete from intervals of a concatenation with a mark, an interface index, a uid or a ct state"
                )
                continue
            }
            if removed.contains(where: { Self.holdsWildcard($0.json) }) {
                replaced(because: "a wildcard element of \(kind) \(s.value.name) is removed, which libnftables 1.0.6 cannot delete")
                continue
            }
            // 1.0.6 refuses elements added to an interval set holding a wildcard and another
            // element ("interval overlaps with an existing one": its cache reads such a set's
            // intervals back wrongly; measured: `{ "c*", "a" }` or `{ "veth*", "wg*" }` take
            // nothing more, `{ "c*" }` takes anything). `nft -f` of the file works only as it
            // sends no delta: the table is replaced.
            if !added.isEmpty, l.value.flags?.values.contains("interval") == true {
                let gone = Set(removed.map(Self.elementKey))
                let kept = l.value.elements.filter { !gone.contains(Self.elementKey($0)) }
                if kept.count >= 2, kept.contains(where: { Self.holdsWildcard($0.json) }) {
                    replaced(
                        because:
                            "elements are added to \(kind) \(s.value.name), which holds a wildcard name and more: libnftables 1.0.6 refuses that"
                    )
                    continue
                }
            }
            if !added.isEmpty || !removed.isEmpty {
                changes.append(
                    Change(sign: .change, subject: .elements(set: s.value, added: added, removed: removed), location: s.location))
            }
        }
        for l in live.sets where desired.set(l.value.name) == nil {
            changes.append(Change(sign: .delete, subject: .set(old: l.value, new: nil)))
        }

        // Chains and their rules.
        for c in desired.chains {
            let name = c.value.name
            if let l = live.chain(name) {
                let d = c.value, o = l.value
                if d.type != o.type || d.hook != o.hook || d.prio != o.prio || d.dev != o.dev {
                    changes.append(Change(sign: .change, subject: .chain(old: o, new: d), location: c.location))
                    replaceReasons.append("chain \(name) changes its type, hook, priority or device")
                } else if d.comment != o.comment {
                    // The kernel keeps the comment a chain was made with (`add chain` with
                    // another is taken and ignored): the chain is made again with the table.
                    changes.append(Change(sign: .change, subject: .chain(old: o, new: d), location: c.location))
                    replaceReasons.append("chain \(name) changes its comment")
                } else if (d.policy ?? (d.isBase ? "accept" : nil)) != (o.policy ?? (o.isBase ? "accept" : nil)) {
                    changes.append(Change(sign: .change, subject: .chain(old: o, new: d), location: c.location))
                }
                changes += ruleChanges(chain: name)
            } else {
                changes.append(Change(sign: .add, subject: .chain(old: nil, new: c.value), location: c.location))
                for i in desired.rules.indices where desired.rules[i].value.chain == name {
                    changes.append(
                        Change(
                            sign: .add, subject: .rule(chain: name, old: nil, new: desired.rules[i].value, before: nil),
                            location: desired.rules[i].location, send: written?.rule(i)))
                }
            }
        }
        for l in live.chains where desired.chain(l.value.name) == nil {
            for r in live.rules(in: l.value.name) {
                changes.append(Change(sign: .delete, subject: .rule(chain: l.value.name, old: r.value, new: nil, before: nil)))
            }
            changes.append(Change(sign: .delete, subject: .chain(old: l.value, new: nil)))
        }

        if replaceReasons.isEmpty, changes.contains(where: PositionedRuleCrash.placesByPosition) {
            if positionsCrash() {
                replaceReasons.append(PositionedRuleCrash.reason)
            } else if changes.contains(where: PositionedRuleCrash.bringsAnonymousChain) {
                replaceReasons.append(PositionedRuleCrash.besideAnonymousChain)
            }
        }
        let mode: TablePlan.Mode = replaceReasons.isEmpty ? .update : .replace(.needed(replaceReasons.joined(separator: "; ")))
        return TablePlan(key: desired.key, mode: mode, changes: changes, desired: desired, live: live, written: written)
    }

    /// An element as the plan compares it (and `DeclaredElements` keeps it).
    static func elementKey(_ e: Expression) -> String {
        // A plain address or name, most of a blocklist: its JSON text written directly, as
        // the serialiser writes a string that needs no escape (50k elements are keyed twice
        // per plan).
        if case .string(let s) = e, let quoted = JSON.quotedAsIs(s) { return quoted }
        return e.normalizedForComparison().json.serialized()
    }

    /// True when an element (as JSON) holds a name ending in `*`, a comment aside.
    static func holdsWildcard(_ j: JSON) -> Bool {
        switch j {
        case .string(let s): return s.hasSuffix("*")
        case .array(let a): return a.contains(where: holdsWildcard)
        case .object(let o): return o.contains { $0.key != "comment" && holdsWildcard($0.value) }
        default: return false
        }
    }

    /// The elements to add to and delete from `have` so that it holds what `want` holds.
    /// Elements are compared in their normal form (no expiry, counter values or order); an
    /// interval set that matches the same keys on both sides is unchanged however its
    /// elements are cut (`IntervalCoverage`). Otherwise the delta is element by element:
    /// `want`'s elements are disjoint (the kernel took them in the scratch namespace), and
    /// the batch deletes before it adds, so an added interval never overlaps a kept one.
    /// `keepExtra`: live-only elements are the rules' own (dynamic sets) and stay, except
    /// those the file applied before declared (`declaredBefore`, read only when there are
    /// live-only elements): the file dropped them.
    func elementDelta(
        want: NamedSet, have: NamedSet, keepExtra: Bool, declaredBefore: () -> Set<String>? = { nil }
    ) -> (added: [Expression], removed: [Expression]) {
        if want.isIntervalSet, let w = IntervalCoverage(want), let h = IntervalCoverage(have), w == h { return ([], []) }
        // Plain addresses or names on both sides, most of a blocklist: compared by the strings
        // themselves (each one's `elementKey` is the string quoted), none serialised or copied.
        let plain = Self.plainStrings(want.elements).flatMap { w in Self.plainStrings(have.elements).map { (w, $0) } }
        let (wantKeys, haveKeys) = plain ?? (want.elements.map(Self.elementKey), have.elements.map(Self.elementKey))
        let wantSet = Set(wantKeys), haveSet = Set(haveKeys)
        let added = zip(wantKeys, want.elements).filter { !haveSet.contains($0.0) }.map(\.1)
        var removed = zip(haveKeys, have.elements).filter { !wantSet.contains($0.0) }
        if keepExtra {
            let before = removed.isEmpty ? [] : declaredBefore() ?? []
            removed = removed.filter { before.contains(plain == nil ? $0.0 : Self.elementKey($0.1)) }
        }
        return (added, removed.map(\.1))
    }

    /// The strings of `elements` when every one is a plain string `elementKey` writes as
    /// itself quoted (no character JSON escapes), else nil.
    static func plainStrings(_ elements: [Expression]) -> [String]? {
        var out: [String] = []
        out.reserveCapacity(elements.count)
        for e in elements {
            guard case .string(let s) = e, JSON.writesAsIs(s) else { return nil }
            out.append(s)
        }
        return out
    }

    /// Rules of one chain aligned by content; a deletion next to an insertion is a change.
    func ruleChanges(chain: String) -> [Change] {
        let wantIndex = desired.rules.indices.filter { desired.rules[$0].value.chain == chain }
        let want = wantIndex.map { desired.rules[$0] }, have = live.rules(in: chain)
        func send(_ n: Int) -> Rule? { written?.rule(wantIndex[n]) }
        let wantN = want.map { ComparedRule($0.value) }, haveN = have.map { ComparedRule($0.value) }
        guard let edits = SequenceDiff.edits(haveN, wantN) else {
            // Too different to align: delete all, add all.
            return have.map { Change(sign: .delete, subject: .rule(chain: chain, old: $0.value, new: nil, before: nil)) }
                + want.indices.map {
                    Change(
                        sign: .add, subject: .rule(chain: chain, old: nil, new: want[$0].value, before: nil),
                        location: want[$0].location, send: send($0))
                }
        }
        // Handle of the next kept live rule at or after each edit, to insert in front of it.
        var nextKept: [Int64?] = Array(repeating: nil, count: edits.count + 1)
        for i in stride(from: edits.count - 1, through: 0, by: -1) {
            if case .keep(let o, _) = edits[i] { nextKept[i] = have[o].value.handle } else { nextKept[i] = nextKept[i + 1] }
        }
        var out: [Change] = []
        var i = 0
        while i < edits.count {
            // Collect one run of deletions and insertions between kept rules.
            var dels: [Int] = [], ins: [Int] = []
            let runStart = i
            while i < edits.count {
                if case .delete(let o) = edits[i] { dels.append(o) } else if case .insert(let n) = edits[i] { ins.append(n) } else { break }
                i += 1
            }
            if dels.isEmpty && ins.isEmpty { i += 1; continue }
            let before = nextKept[runStart]
            // A meter's rule cannot be replaced, nor its replacement come in first: the new
            // rule's meter set takes the old one's name ("Device or resource busy"). Such a run
            // goes as deletions (first in the batch) and insertions, in order.
            let meters = dels.contains { Self.holdsMeter(have[$0].value) } || ins.contains { Self.holdsMeter(want[$0].value) }
            let paired = meters ? 0 : min(dels.count, ins.count)
            for k in 0..<paired {
                out.append(
                    Change(
                        sign: .change, subject: .rule(chain: chain, old: have[dels[k]].value, new: want[ins[k]].value, before: nil),
                        location: want[ins[k]].location, send: send(ins[k])))
            }
            for o in dels.dropFirst(paired) {
                out.append(Change(sign: .delete, subject: .rule(chain: chain, old: have[o].value, new: nil, before: nil)))
            }
            // Insert the rest in front of the next kept rule (or the first rule replaced after them).
            for n in ins.dropFirst(paired) {
                out.append(
                    Change(
                        sign: .add, subject: .rule(chain: chain, old: nil, new: want[n].value, before: before),
                        location: want[n].location, send: send(n)))
            }
        }
        return out
    }

    /// Whether a set's key is a concatenation holding a value nft keeps in host byte order
    /// (a mark, an interface index, a uid, a ct state...): 1.0.6 cannot delete such an
    /// interval set's elements ("No such file or directory"; measured with `ipv4_addr .
    /// mark`, `mark . ipv4_addr`, `. iface_index`, `. ct_state`, `. uid`; addresses, ports,
    /// protocols and names delete). Anything but those known to delete counts.
    static func concatenatesHostOrder(_ type: SetKeyType?) -> Bool {
        // Network byte order, or one byte (measured to delete: `ipv4_addr . icmp_type`,
        // `typeof meta l4proto . ip saddr`, `typeof meta iifname . ip saddr`).
        let safe: Set<String> = [
            "ipv4_addr", "ipv6_addr", "inet_service", "inet_proto", "ifname", "ether_addr", "ether_type", "icmp_type",
            "icmpv6_type", "icmp_code", "icmpv6_code", "icmpx_code", "tcp_flag", "nf_proto", "pkt_type"
        ]
        let safeMeta: Set<String> = ["l4proto", "nfproto", "protocol", "iifname", "oifname", "pkttype"]
        switch type {
        case .concat(let names)?: return names.contains { !safe.contains($0) }
        case .typeof(.concat(let parts))?:
            return parts.contains {
                switch $0 {
                case .payload: return false
                case .meta(let key): return !safeMeta.contains(key)
                default: return true
                }
            }
        default: return false
        }
    }

    /// A rule with a meter (`meter flood { ip saddr limit rate 10/second }`), as a statement
    /// or as the text 1.0.6 lists some as.
    static func holdsMeter(_ r: Rule) -> Bool {
        r.statements.contains {
            switch $0 {
            case .meter: return true
            case .text(let t): return t.hasPrefix("meter ")
            default: return false
            }
        }
    }

    func norm(_ o: NamedObject) -> RulesetItem { RulesetItem.object(kind: o.body.kind, o).normalizedForComparison() }
    func norm(_ f: Flowtable) -> RulesetItem { RulesetItem.flowtable(f).normalizedForComparison() }

    /// A set without its elements and handle: what cannot change in place.
    func definition(_ s: NamedSet) -> NamedSet {
        var s = s
        s.elem = nil
        s.handle = nil
        return s
    }
}

/// A rule as the planner aligns it: equal to another when their normal forms for comparison
/// are equal (`RulesetItem.normalizedForComparison`, chain aside). Decided without building
/// both normal forms: the rules' own fields must be equal, then each pair of statements
/// equal as they are (then their normal forms are too) or in normal form. A chain of 10k
/// rules with one changed normalises only the statements that differ (counters).
struct ComparedRule: Equatable {
    let rule: Rule
    init(_ rule: Rule) { self.rule = rule }

    static func == (a: ComparedRule, b: ComparedRule) -> Bool {
        let x = a.rule, y = b.rule
        // What `normalizedForComparison` keeps of a rule besides its statements (it erases
        // handle and index; the chain is the caller's). `PlannerEqualityTests` holds this to
        // the normal form.
        guard x.family == y.family, x.table == y.table, x.comment == y.comment, x.expr?.count == y.expr?.count else {
            return false
        }
        guard let xs = x.expr, let ys = y.expr else { return true }
        for (s, t) in zip(xs, ys) where s != t && s.normalizedForComparison() != t.normalizedForComparison() { return false }
        return true
    }
}
