import NFTAnalysis

/// What the kernel holds after our commit, derived without listing it. Evidence: a
/// complete listing at generation G (verified by nftctl, or fresh), our batch committed as
/// G+1 with nobody in between (the generation id), and the kernel's echo of every rule the
/// batch added or replaced, in its own normal form with its handle. Deletes by handle need
/// no echo: the batch would have failed without the rule. Derived only for batches of rule
/// commands (the usual incremental change); anything else is listed.
enum EchoedListing {
    /// Beyond this many commands a listing costs little next to the batch itself, and the
    /// derivation (a search per command) would not.
    static let maxCommands = 1000

    /// True when `batch` is made only of rule commands the derivation follows.
    static func applies(to batch: Document) -> Bool {
        guard !batch.entries.isEmpty, batch.entries.count <= maxCommands else { return false }
        return batch.entries.allSatisfy { e in
            guard case .command(let c) = e, case .rule(let r) = c.item else { return false }
            switch c.verb {
            case .delete, .replace: return r.handle != nil
            case .insert: return r.index == nil
            case .add: return r.handle == nil && r.index == nil
            default: return false
            }
        }
    }

    /// A derived listing, with the entry of `before` each of its entries is a copy of (nil:
    /// a rule from the echo), so that what did not change is written as it was read.
    struct Derived {
        var document: Document
        var origins: [Int?]
    }

    /// The listing `before` (only its tables `scope`, when given) with `batch` applied, each
    /// added or replaced rule as `echo` gives it; nil when the batch is not one `applies`
    /// accepts or the echo does not line up with it (then only a listing can say what the
    /// kernel holds).
    static func derive(before: Document, scope: Set<TableKey>? = nil, batch: Document, echo: Document) -> Derived? {
        guard applies(to: batch) else { return nil }
        let echoed: [Rule] = echo.entries.compactMap {
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
        var next = 0
        for case .command(let c) in batch.entries {
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
        return Derived(document: Document(items.map { .item($0) }), origins: origins)
    }

    /// The last item of `r`'s table (where a rule of a chain holding none goes).
    private static func lastOfTable(_ items: [RulesetItem], _ r: Rule) -> Int? {
        items.lastIndex { $0.tableKey == TableKey(family: r.family, name: r.table) }
    }
}
