import NFTAnalysis

/// What the kernel holds after our commit, derived without listing it. Evidence: a
/// complete listing at generation G (verified by nftctl, or fresh), our batch committed as
/// G+1 with nobody in between (the generation id), and the kernel's echo of every rule the
/// batch added or replaced, in its own normal form with its handle. Deletes by handle need
/// no echo: the batch would have failed without the rule. Elements added to or deleted from
/// a set whose elements are one kernel element each and change only by commits (no interval,
/// timeout, `dynamic` or element statements, no rule of the table writing to a set) and whose
/// keys nftctl can write as the kernel holds them (addresses, ports: `ElementKey`) need no
/// echo either: the set is the listing's with those taken out and put in, and the kernel's
/// own dump of the set (`Derived.sets`) must hold as many elements as that, each added key,
/// and no deleted one; where they went in nftctl's own batch, its exclusive adds and its
/// deletes going in show the same of the keys, and no dump is taken
/// (`Verify.Source.ownElements`). Derived only for batches of rule and element commands (the usual
/// incremental change); anything else is listed.
enum EchoedListing {
    /// Beyond this many commands a listing costs little next to the batch itself, and the
    /// derivation (a search per command) would not.
    static let maxCommands = 1000

    /// True when `batch` is made only of rule commands the derivation follows.
    static func applies(to batch: Document) -> Bool {
        guard !batch.entries.isEmpty, batch.entries.count <= maxCommands else { return false }
        return batch.entries.allSatisfy { e in
            guard case .command(let c) = e else { return false }
            if case .element = c.item { return c.verb == .add || c.verb == .delete }
            guard case .rule(let r) = c.item else { return false }
            switch c.verb {
            case .delete, .replace: return r.handle != nil
            case .insert: return r.index == nil
            case .add: return r.handle == nil && r.index == nil
            default: return false
            }
        }
    }

    /// Whether deriving `batch`'s outcome needs the kernel's echo: it adds or replaces a rule.
    static func needsEcho(_ batch: Document) -> Bool {
        batch.entries.contains { e in
            if case .command(let c) = e, case .rule = c.item { return c.verb != .delete }
            return false
        }
    }

    /// A derived listing, with the entry of `before` each of its entries is a copy of (nil:
    /// a rule from the echo, a set whose elements changed), so that what did not change is
    /// written as it was read.
    struct Derived {
        var document: Document
        var origins: [Int?]
        /// The sets whose elements changed: what the kernel's dump of each must show.
        var sets: [ChangedSet] = []
    }

    /// A set the batch changed: how many elements it must hold, the keys (as the kernel holds
    /// them) it must hold and those it must not.
    struct ChangedSet {
        var set: NamedSet
        var count: Int
        var added: [[UInt8]]
        var deleted: [[UInt8]]

        /// Whether `keys` (a dump of the set without repeats) is what the derivation says.
        func matches(_ keys: [[UInt8]]) -> Bool {
            let held = Set(keys)
            return keys.count == count && added.allSatisfy(held.contains) && !deleted.contains(where: held.contains)
        }
    }

    /// A set whose elements the derivation may change (see the type's comment): its key
    /// type when it may, nil otherwise. `rules`: the rules of its table.
    static func countable(_ s: NamedSet, rules: some Sequence<Rule>) -> ElementKey.KeyType? {
        let flags = s.flags?.values ?? []
        guard !s.isMap, !flags.contains("interval"), !flags.contains("timeout"), !flags.contains("dynamic"), s.timeout == nil,
            (s.stmt ?? []).isEmpty, s.autoMerge != true
        else { return nil }
        // A set a rule writes to (`add @s`, `update @s`, meters) changes between commits,
        // with or without `dynamic` (1.0.6 does not always say).
        let written = rules.contains { r in
            r.statements.contains { st in
                switch st {
                case .set, .map, .meter: return true
                case .text(let t): return t.contains("@")
                default: return false
                }
            }
        }
        return written ? nil : ElementKey.KeyType(s.type)
    }

    /// The listing `before` (only its tables `scope`, when given) with `batch` applied, each
    /// added or replaced rule as `echo` gives it; nil when the batch is not one `applies`
    /// accepts or the echo does not line up with it (then only a listing can say what the
    /// kernel holds).
    static func derive(before: Document, scope: Set<TableKey>? = nil, batch: Document, echo: Document?) -> Derived? {
        guard applies(to: batch) else { return nil }
        let echoed: [Rule] = (echo?.entries ?? []).compactMap {
            if case .command(let c) = $0, c.verb == .add, case .rule(let r) = c.item { return r }
            return nil
        }
        // `before.items` (without metainfo), each with its entry's index.
        var items: [RulesetItem] = []
        var origins: [Int?] = []
        for (k, entry) in before.entries.enumerated() {
            let item: RulesetItem
            switch entry {
            case .item(.metainfo): continue
            case .item(let i): item = i
            case .command(let c): item = c.item
            case .raw(let j): item = .raw(j)
            }
            if let scope, !(item.tableKey.map(scope.contains) ?? false) { continue }
            items.append(item)
            origins.append(k)
        }
        func index(of handle: Int64?, like r: Rule) -> Int? {
            guard let handle else { return nil }
            return items.firstIndex {
                if case .rule(let x) = $0 { return x.handle == handle && x.table == r.table && x.family == r.family }
                return false
            }
        }
        func sameChain(_ a: Rule, _ b: Rule) -> Bool { a.family == b.family && a.table == b.table && a.chain == b.chain }
        func insert(_ item: RulesetItem, at i: Int) {
            items.insert(item, at: i)
            origins.insert(nil, at: i)
        }
        // Per set changed (family, table, name): the elements added, the keys deleted. Looked
        // up again after the rule commands, which move items.
        func setIndex(_ family: String, _ table: String, _ name: String) -> Int? {
            items.firstIndex {
                if case .set(let s) = $0 { return s.family == family && s.table == table && s.name == name }; return false
            }
        }
        var added: [SetKey: [NFTModel.Expression]] = [:]
        var deleted: [SetKey: Set<String>] = [:]
        var changed: [SetKey] = []
        var next = 0
        for case .command(let c) in batch.entries {
            if case .element(let e) = c.item {
                let key = SetKey(family: e.family, table: e.table, name: e.name)
                if !changed.contains(key) { changed.append(key) }
                let elements = TextBatch.elements(e.elem)
                if c.verb == .add {
                    added[key, default: []] += elements
                } else {
                    // Deletes come before adds in a plan's batch.
                    guard added[key] == nil else { return nil }
                    for x in elements { guard deleted[key, default: []].insert(TablePlanner.elementKey(x)).inserted else { return nil } }
                }
                continue
            }
            guard case .rule(let r) = c.item else { return nil }
            if c.verb == .delete {
                guard let i = index(of: r.handle, like: r) else { return nil }
                items.remove(at: i)
                origins.remove(at: i)
                continue
            }
            guard next < echoed.count, sameChain(echoed[next], r), let handle = echoed[next].handle else { return nil }
            let new = RulesetItem.rule(echoed[next])
            next += 1
            switch c.verb {
            case .replace:
                guard handle == r.handle, let i = index(of: r.handle, like: r) else { return nil }
                items[i] = new
                origins[i] = nil
            case .insert:
                guard index(of: handle, like: r) == nil else { return nil }
                if r.handle != nil {
                    guard let i = index(of: r.handle, like: r) else { return nil }
                    insert(new, at: i)
                } else {
                    // No position: the start of the chain.
                    let first = items.firstIndex {
                        if case .rule(let x) = $0 { return sameChain(x, r) }; return false
                    }
                    guard let i = first ?? lastOfTable(items, r) else { return nil }
                    insert(new, at: first == nil ? i + 1 : i)
                }
            case .add:
                guard index(of: handle, like: r) == nil else { return nil }
                let last = items.lastIndex {
                    if case .rule(let x) = $0 { return sameChain(x, r) }; return false
                }
                guard let i = last ?? lastOfTable(items, r) else { return nil }
                insert(new, at: i + 1)
            default: return nil
            }
        }
        guard next == echoed.count else { return nil }
        var sets: [ChangedSet] = []
        for key in changed {
            guard let i = setIndex(key.family, key.table, key.name), case .set(var s) = items[i],
                let type = countable(
                    s,
                    rules: items.lazy.compactMap { item -> Rule? in
                        guard case .rule(let r) = item, r.family == key.family, r.table == key.table else { return nil }
                        return r
                    })
            else { return nil }
            var elements = s.elements
            var gone: [[UInt8]] = []
            if let keys = deleted[key] {
                // One pass: each element's key is serialised once (50k of them for a blocklist).
                var kept: [Expression] = []
                kept.reserveCapacity(elements.count)
                for x in elements {
                    guard keys.contains(TablePlanner.elementKey(x)) else {
                        kept.append(x)
                        continue
                    }
                    guard let bytes = ElementKey.bytes(x, type: type) else { return nil }
                    gone.append(bytes)
                }
                // Each deleted element was there (else the batch would have failed): found once.
                guard kept.count == elements.count - keys.count else { return nil }
                elements = kept
            }
            let new = added[key] ?? []
            var put: [[UInt8]] = []
            for x in new {
                guard let bytes = ElementKey.bytes(x, type: type) else { return nil }
                put.append(bytes)
            }
            elements += new
            s.elem = .list(elements)
            items[i] = .set(s)
            origins[i] = nil
            sets.append(ChangedSet(set: s, count: elements.count, added: put, deleted: gone))
        }
        return Derived(document: Document(items.map { .item($0) }), origins: origins, sets: sets)
    }

    struct SetKey: Hashable {
        var family: String
        var table: String
        var name: String
    }

    /// The last item of `r`'s table (where a rule of a chain holding none goes).
    private static func lastOfTable(_ items: [RulesetItem], _ r: Rule) -> Int? {
        items.lastIndex { $0.tableKey == TableKey(family: r.family, name: r.table) }
    }
}
