import NFTAnalysis

/// Turns a plan into ONE libnftables batch (one kernel transaction). Order inside it: rule
/// and element deletions first; then additions, chains first (a verdict map's elements may
/// jump to them), then objects, sets and elements; then rule replacements and insertions,
/// which may refer to what was just added; then the rules an insertion replaced
/// (`goesAsInsert`); and last the sets, chains and objects the file no longer declares:
/// until the rules are replaced the kernel still counts their references (deleting a set a
/// replaced rule used is refused with EBUSY). Sets go before chains (a verdict map's
/// elements jump to chains) and chains before objects and flowtables (which rules and maps
/// name). In `update` mode nothing deleted is added again under its name: a set or chain
/// whose definition changes makes the table `replace`, swapped whole (`add` + `delete` +
/// create), like a full apply.
public enum PlanBatch {
    public static func build(_ plan: Plan) -> (document: Document, locations: [SourceLocation?]) {
        var deletes: [(Document.Entry, SourceLocation?)] = []
        // What the file no longer declares, deleted last, in this order (see above).
        var setDeletes: [(Document.Entry, SourceLocation?)] = []
        var chainDeletes: [(Document.Entry, SourceLocation?)] = []
        var objectDeletes: [(Document.Entry, SourceLocation?)] = []
        var chainAdds: [(Document.Entry, SourceLocation?)] = []
        var adds: [(Document.Entry, SourceLocation?)] = []
        var ruleEdits: [(Document.Entry, SourceLocation?)] = []
        // Rules replaced by an insert, deleted last (`goesAsInsert`).
        var retired: [(Document.Entry, SourceLocation?)] = []
        func cmd(_ verb: Verb, _ item: RulesetItem) -> Document.Entry { .command(Command(verb, item)) }

        for t in plan.tables {
            let bare = Table(family: t.key.family, name: t.key.name)
            switch t.mode {
            case .delete:
                deletes.append((cmd(.delete, .table(bare)), nil))
                continue
            case .create, .replace:
                guard let desired = t.desired else { continue }
                if case .replace = t.mode {
                    deletes += TableReplacement.clear(t.key).map { ($0, desired.table.location) }
                }
                // As written when there is a written form (with the declaration's locations,
                // so a refusal names the user's line), else the normal form.
                var one = RulesetState()
                one.tables = [t.written?.table ?? desired]
                let creation = one.creationBatch()
                adds += zip(creation.document.entries, creation.locations).map { ($0, $1) }
                continue
            case .update:
                break
            }
            for c in t.changes {
                let loc = c.location
                switch c.subject {
                case .table(let table):
                    adds.append((cmd(.add, .table(table)), loc))
                case .chain(let old, let new):
                    if let new {
                        chainAdds.append((cmd(.add, .chain(stripped(new))), loc))
                    } else if let old {
                        chainDeletes.append((cmd(.delete, .chain(Chain(family: old.family, table: old.table, name: old.name))), nil))
                    }
                case .set(let old, let new):
                    if let new {
                        adds.append((cmd(.add, .set(strippedSet(t.written?.set(new.name) ?? new))), loc))
                    } else if let old {
                        let s = NamedSet(isMap: old.isMap, family: old.family, table: old.table, name: old.name)
                        setDeletes.append((cmd(.delete, .set(s)), nil))
                    }
                case .elements(let set, let added, let removed):
                    if !removed.isEmpty {
                        deletes.append(
                            (
                                cmd(
                                    .delete,
                                    .element(
                                        ElementCommand(
                                            family: set.family, table: set.table, name: set.name,
                                            elem: .list(removed.map(elementKey))))), loc
                            ))
                    }
                    if !added.isEmpty {
                        adds.append(
                            (
                                cmd(
                                    .add,
                                    .element(
                                        ElementCommand(
                                            family: set.family, table: set.table, name: set.name,
                                            elem: .list(added)))), loc
                            ))
                    }
                case .object(let old, let new):
                    if let new {
                        var o = t.written?.object(new.name, kind: new.body.kind) ?? new
                        o.handle = nil
                        adds.append((cmd(.add, .object(kind: o.body.kind, o)), loc))
                    } else if let old {
                        let o = NamedObject(family: old.family, table: old.table, name: old.name, body: old.body)
                        objectDeletes.append((cmd(.delete, .object(kind: o.body.kind, o)), nil))
                    }
                case .flowtable(let old, let new):
                    if let new {
                        var f = new
                        f.handle = nil
                        adds.append((cmd(.add, .flowtable(f)), loc))
                    } else if let old {
                        objectDeletes.append(
                            (cmd(.delete, .flowtable(Flowtable(family: old.family, table: old.table, name: old.name))), nil))
                    }
                case .rule(let chain, let old, let new, let before):
                    switch (old, new) {
                    case (let old?, nil):
                        deletes.append(
                            (cmd(.delete, .rule(Rule(family: old.family, table: old.table, chain: chain, handle: old.handle))), nil))
                    case (let old?, let new?):
                        var r = stripped(c.send ?? new)
                        r.chain = chain
                        r.handle = old.handle
                        if goesAsInsert(c) {
                            ruleEdits.append((cmd(.insert, .rule(r)), loc))
                            retired.append(
                                (cmd(.delete, .rule(Rule(family: old.family, table: old.table, chain: chain, handle: old.handle))), nil))
                        } else {
                            ruleEdits.append((cmd(.replace, .rule(r)), loc))
                        }
                    case (nil, let new?):
                        var r = stripped(c.send ?? new)
                        r.chain = chain
                        if let before {
                            r.handle = before
                            ruleEdits.append((cmd(.insert, .rule(r)), loc))
                        } else {
                            ruleEdits.append((cmd(.add, .rule(r)), loc))
                        }
                    default: break
                    }
                }
            }
        }
        let all = deletes + chainAdds + adds + ruleEdits + retired + setDeletes + chainDeletes + objectDeletes
        return (Document(all.map(\.0)), all.map(\.1))
    }

    /// True when `change` replaces a rule by one libnftables 1.0.6 cannot take in place:
    /// `replace rule` aborts the whole process when the new rule's anonymous set holds an
    /// interval or a wildcard name, or its anonymous chain holds a set (`interval_set_eval`:
    /// "BUG: unhandled op 2", fixed in 1.1.0). Such a rule is inserted before the one it
    /// replaces, which is deleted last, in the same transaction: the same place, a new handle.
    static func goesAsInsert(_ change: Change) -> Bool {
        guard case .rule(_, _?, let new?, _) = change.subject else { return false }
        return holdsIntervalSet(change.send ?? new, wildcards: true)
    }

    /// libnftables 1.0.6's echo crashes the process, after the kernel committed, when the
    /// batch replaces a rule whose anonymous set holds an interval, or takes away a rule with
    /// an anonymous set and brings one with an anonymous set of another key type (an
    /// assertion in `symbolic_constant_json`; measured: `tcp dport { 1, 2 }` deleted or
    /// replaced, `iifname { "lo", "eth0" }` added or replacing another rule, even in another
    /// chain; the new set takes the freed set's name). Such a batch is committed without echo
    /// (broader, on purpose: any anonymous sets on both sides, whatever their keys) and the
    /// kernel listed to verify it. One rule replaced in place, the usual change, never
    /// crashed and keeps the echo.
    static func echoCrashes(_ plan: Plan) -> Bool {
        var taken = 0, brought = 0, changes = 0
        for t in plan.tables {
            for c in t.changes {
                guard case .rule(_, let old, let new, _) = c.subject else { continue }
                if let old, holdsIntervalSet(old, wildcards: false) { return true }
                changes += 1
                if let old, holdsAnonymousSet(old) { taken += 1 }
                if let new, holdsAnonymousSet(c.send ?? new) { brought += 1 }
            }
        }
        return taken > 0 && brought > 0 && changes > 1
    }

    /// True when `rule` has an anonymous set or map (`{ … }`, `vmap { … }`; not a set
    /// statement) holding a prefix or a range (with `wildcards`, a name ending in `*`:
    /// `TablePlanner.holdsWildcard`), or an anonymous chain (`jump { … }`, nft text by now)
    /// holding any set.
    static func holdsIntervalSet(_ rule: Rule, wildcards: Bool) -> Bool {
        func interval(_ j: JSON) -> Bool {
            switch j {
            case .array(let a): return a.contains(where: interval)
            case .object(let o): return o.contains { $0.key == "prefix" || $0.key == "range" || interval($0.value) }
            default: return false
            }
        }
        return anonymousSet(in: rule) { interval($0) || (wildcards && TablePlanner.holdsWildcard($0)) }
    }

    /// True when `rule` has any anonymous set or map, or an anonymous chain holding one.
    static func holdsAnonymousSet(_ rule: Rule) -> Bool { anonymousSet(in: rule) { _ in true } }

    /// True when one of `rule`'s anonymous sets or maps (its elements as JSON) passes `test`;
    /// an anonymous chain's text passes when it holds any set.
    static func anonymousSet(in rule: Rule, where test: (JSON) -> Bool) -> Bool {
        func walk(_ j: JSON) -> Bool {
            switch j {
            case .array(let a): return a.contains(where: walk)
            case .object(let o):
                return o.contains { m in
                    switch (m.key, m.value) {
                    case ("set", .array): return test(m.value)
                    case ("set", .object): return m.value["op"] == nil ? test(m.value) : walk(m.value)  // not `update @s`
                    default: return walk(m.value)
                    }
                }
            default: return false
            }
        }
        let chainWithSet = rule.statements.contains { s in
            guard case .text(let t) = s, AnonymousChainPlacement.holdsAnonymousChain(s) else { return false }
            return openingBraces(t) > 1
        }
        return chainWithSet || walk(RulesetItem.rule(rule).json)
    }

    /// The `{` of nft text outside its quoted strings (a log prefix or comment may hold one):
    /// the anonymous chain's own, and one more for each set or map in it.
    static func openingBraces(_ text: String) -> Int {
        var quoted = false, count = 0
        for u in text.utf8 {
            if u == UInt8(ascii: "\"") { quoted.toggle() } else if !quoted && u == UInt8(ascii: "{") { count += 1 }
        }
        return count
    }

    static func stripped(_ c: Chain) -> Chain {
        var c = c
        c.handle = nil
        return c
    }

    static func stripped(_ r: Rule) -> Rule {
        var r = r
        r.handle = nil
        r.index = nil
        return r
    }

    static func strippedSet(_ s: NamedSet) -> NamedSet {
        var s = s
        s.handle = nil
        return s
    }

    /// Deleting an element needs its key only (no timeout, expiry or counter).
    static func elementKey(_ e: Expression) -> Expression {
        if case .elem(let el) = e { return el.val }
        return e
    }
}
