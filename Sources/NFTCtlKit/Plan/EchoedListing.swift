import NFTAnalysis

/// What the kernel holds after our commit, derived without listing it. Evidence: a
/// complete listing at generation G (verified by nftctl, or fresh), our batch committed as
/// G+1 with nobody in between (the generation id), and the kernel's echo of every rule the
/// batch added or replaced, in its own normal form with its handle. Deletes by handle need
/// no echo: the batch would have failed without the rule. Elements added to or deleted from
/// a set whose elements are one kernel element each and change only by commits (no interval,
/// timeout, `dynamic` or element statements; keys of plain types) need no echo either: the
/// set is the listing's with those taken out and put in, and the kernel must hold as many
/// elements as that (`Derived.counts`, counted in an undecoded dump): an element the kernel
/// took otherwise (an add that found it already there) does not count alike. Derived only for
/// batches of rule and element commands (the usual incremental change); anything else is listed.
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
        /// The sets whose elements changed, with how many elements the kernel must hold.
        var counts: [(set: NamedSet, count: Int)] = []
    }

    /// Key types whose elements libnftables writes the same on any host (no interface
    /// index, user or group looked up there).
    static let plainKeyTypes: Set<String> = ["ipv4_addr", "ipv6_addr", "inet_service", "inet_proto", "ether_addr", "mark", "ifname"]

    /// A set whose elements the derivation may change: see the type's comment.
    static func countable(_ s: NamedSet) -> Bool {
        let flags = s.flags?.values ?? []
        guard !flags.contains("interval"), !flags.contains("timeout"), !flags.contains("dynamic"), s.timeout == nil,
            (s.stmt ?? []).isEmpty, s.autoMerge != true
        else { return false }
        func plain(_ t: SetKeyType?) -> Bool {
            switch t {
            case .named(let n)?: return plainKeyTypes.contains(n)
            case .concat(let ns)?: return ns.allSatisfy(plainKeyTypes.contains)
            case .typeof(let e)?: return payloads(e.json)
            case nil: return false
            }
        }
        guard plain(s.type) else { return false }
        guard s.isMap else { return true }
        if case .named("verdict")? = s.map { return true }
        return plain(s.map)
    }

    /// A `typeof` of packet fields alone (`ip saddr`, `ip saddr . tcp dport`).
    private static func payloads(_ j: JSON) -> Bool {
        guard let (key, value) = j.objectValue?.singleEntry else { return false }
        if key == "payload" { return true }
        guard key == "concat", case .array(let parts) = value else { return false }
        return parts.allSatisfy(payloads)
    }

    /// An element with nothing the derivation would have to guess (a timeout, statements).
    private static func plainElement(_ x: NFTModel.Expression) -> Bool {
        var key = x
        if case .list(let pair) = x, pair.count == 2 { key = pair[0] }
        guard case .elem(let el) = key else { return true }
        return el.timeout == nil && el.expires == nil && el.statements.isEmpty
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
        // Per set changed (its item's index): the elements added, the keys deleted.
        var added: [Int: [NFTModel.Expression]] = [:]
        var deleted: [Int: Set<String>] = [:]
        var next = 0
        for case .command(let c) in batch.entries {
            if case .element(let e) = c.item {
                guard
                    let i = items.firstIndex(where: {
                        if case .set(let s) = $0 { return s.family == e.family && s.table == e.table && s.name == e.name }
                        return false
                    }), case .set(let s) = items[i], countable(s)
                else { return nil }
                let elements = TextBatch.elements(e.elem)
                guard elements.allSatisfy(plainElement) else { return nil }
                if c.verb == .add {
                    added[i, default: []] += elements
                } else {
                    // Deletes come before adds in a plan's batch.
                    guard added[i] == nil else { return nil }
                    for x in elements { guard deleted[i, default: []].insert(TablePlanner.elementKey(x)).inserted else { return nil } }
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
        var counts: [(set: NamedSet, count: Int)] = []
        for i in Set(added.keys).union(deleted.keys).sorted() {
            guard case .set(var s) = items[i] else { return nil }
            var elements = s.elements
            if let gone = deleted[i] {
                let kept = elements.filter { !gone.contains(TablePlanner.elementKey($0)) }
                // Each deleted element was there (else the batch would have failed): found once.
                guard kept.count == elements.count - gone.count else { return nil }
                elements = kept
            }
            elements += added[i] ?? []
            s.elem = .list(elements)
            items[i] = .set(s)
            origins[i] = nil
            counts.append((s, elements.count))
        }
        return Derived(document: Document(items.map { .item($0) }), origins: origins, counts: counts)
    }

    /// The last item of `r`'s table (where a rule of a chain holding none goes).
    private static func lastOfTable(_ items: [RulesetItem], _ r: Rule) -> Int? {
        items.lastIndex { $0.tableKey == TableKey(family: r.family, name: r.table) }
    }
}
