import NFTAnalysis

/// Verification without decoding every rule. After a verified listing, the bytes the kernel
/// holds for each rule are dumped by nftctl itself (`KernelRules`) and kept beside the
/// rule's normal form in the normal-form cache: those bytes are what libnftables listed as
/// that normal form, in a table of the same declarations, on the same kernel and
/// libnftables (the cache file's key). Later, a dump (or the echo of nftctl's own commit,
/// `KernelBatch`) whose rules carry those bytes, chain by chain and in order, holds those
/// very rules: only the declarations are listed through libnftables (chains, sets and
/// maps, without rules), and the usual checks run on that listing with each rule in its
/// known normal form. A set of plain addresses or ports comes without its elements: the
/// keys of the kernel's own dump of it must be the declared ones (`keysRead`). At 10k rules
/// that is a tenth of the listing it replaces. Anything short of a whole match lists as before.
enum KernelRuleBytes {
    /// What the kernel holds of `desired`'s tables, read from the rules' bytes and the
    /// declarations, checked as `Verify.afterCommit` checks a listing; nil when a rule's
    /// bytes are not known, a table declares objects or flowtables (those are listed), the
    /// kernel holds anything the rules' bytes do not account for, or something committed
    /// while it was read.
    ///
    /// `check` says whether the kernel was read, and whether every rule's bytes were known
    /// but the kernel's rules were not those (`stale`: if a listing then finds the kernel as
    /// declared, the bytes are learnt again).
    ///
    /// `echoed`: the tables' contents from the echo of nftctl's own commit, which created
    /// them (`KernelBatch`), at generation `echoed.generation`; then nothing is dumped.
    static func verify(
        desired: DesiredState, declared: RulesetState, backend: Backend, check: inout Check, echoed: KernelBatch.Echo? = nil
    ) -> Verify.Outcome? {
        let kept = desired.tables.compactMap { Self.known($0, in: desired) }
        guard !desired.tables.isEmpty, kept.count == desired.tables.count, let generation = try? backend.generationID(),
            echoed.map({ $0.generation == generation }) ?? true
        else { return nil }
        check.read = true
        var entries: [Document.Entry] = []
        for (table, bytes) in zip(desired.tables, kept) {
            // A table the batch did not create (unchanged) is dumped.
            let contents = echoed?.contents[table.key]
            guard let listed = try? listing(of: table, bytes: bytes, contents: contents, backend: backend, stale: &check.stale)
            else { return nil }
            entries += listed
        }
        guard (try? backend.generationID()) == generation else { return nil }
        let document = Document(entries)
        guard let planned = try? PlanOperation.plannableLiveState(document, tables: desired.keys),
            Planner.plan(desired: desired.state, written: desired.written, live: planned).isEmpty,
            let live = try? Verify.liveState(document, of: declared, planned: planned, plannedKeys: desired.keys),
            Verify.differences(declared: declared, live: live).isEmpty
        else { return nil }
        return Verify.Outcome(listing: document, generation: generation, scope: declared.keys, source: echoed == nil ? .bytes : .ownEcho)
    }

    /// The kernel bytes of each of `table`'s rules, when all are known and say something
    /// lasting, and the table declares no objects or flowtables (those are listed).
    static func known(_ table: TableContents, in desired: DesiredState) -> [[UInt8]]? {
        guard let kept = desired.kernelRuleBytes[table.key], kept.count == table.rules.count,
            table.objects.isEmpty, table.flowtables.isEmpty
        else { return nil }
        return kept.all()
    }

    struct Check {
        var read = false
        var stale = false
    }

    /// `table`'s declarations as listed, and its rules in normal form with the kernel's
    /// handles and counter values; nil when the kernel's rules are not those `bytes`.
    /// `contents`: what the kernel holds of the table, when already known (else dumped).
    static func listing(
        of table: TableContents, bytes: [[UInt8]], contents: KernelTableContents? = nil, backend: Backend, stale: inout Bool
    ) throws -> [Document.Entry]? {
        let key = table.key
        let read = keysRead(table)
        guard let kernel = try contents ?? backend.contents(family: key.family, table: key.name), kernel.objects == 0,
            kernel.flowtables == 0,
            var declarations = try backend.declarations(family: key.family, table: key.name, keysRead: Set(read.keys))
        else { return nil }
        // Those sets' elements: the keys of the kernel's own dump are the declared ones.
        var timer = PhaseTimer()
        for (i, entry) in declarations.entries.enumerated() {
            guard case .item(.set(var s)) = entry, !s.isMap, let want = read[s.name] else { continue }
            guard let held = try backend.elementKeys(family: key.family, table: key.name, set: s.name),
                held.count == want.keys.count, Set(held) == want.keys
            else { return nil }
            s.elem = want.elem
            declarations.entries[i] = .item(.set(s))
        }
        if !read.isEmpty { timer.mark("  elements of \(read.count) sets read in the kernel's dump, not listed") }
        // Every set the kernel holds is one the declarations list (no meter, no anonymous set).
        let listedSets = declarations.items.compactMap { item -> String? in
            if case .set(let s) = item { return s.name }
            return nil
        }
        guard Set(listedSets) == Set(kernel.sets), listedSets.count == kernel.sets.count else { return nil }
        var kernelByChain: [String: [KernelRule]] = [:]
        for r in kernel.rules { kernelByChain[r.chain, default: []].append(r) }
        let declaredByChain = indicesByChain(table)
        guard Set(kernelByChain.keys) == Set(declaredByChain.keys) else { return nil }
        stale = true
        var rules = [Document.Entry?](repeating: nil, count: table.rules.count)
        for (chain, indices) in declaredByChain {
            let held = kernelByChain[chain] ?? []
            guard held.count == indices.count else { return nil }
            for (i, k) in zip(indices, held) {
                guard bytes[i] == k.bytes, var rule = counted(table.rules[i].value, k.counters) else { return nil }
                rule.handle = k.handle
                rules[i] = .item(.rule(rule))
            }
        }
        stale = false
        return declarations.entries + rules.compactMap { $0 }
    }

    /// The sets of `table` whose elements are read in the kernel's own dump rather than
    /// decoded by libnftables (50k addresses: about 250 ms): sets of addresses or ports whose
    /// elements change only by commits (`EchoedListing.countable`), each element a plain
    /// value (no comment) `ElementKey` writes, with the keys of its elements and, for the
    /// listing, its elements as declared (in normal form).
    static func keysRead(_ table: TableContents) -> [String: (keys: Set<[UInt8]>, elem: NFTModel.Expression?)] {
        var out: [String: (keys: Set<[UInt8]>, elem: NFTModel.Expression?)] = [:]
        sets: for s in table.sets {
            guard let type = EchoedListing.countable(s.value, rules: table.rules.lazy.map(\.value)) else { continue }
            var keys = Set<[UInt8]>(minimumCapacity: s.value.elements.count)
            for x in s.value.elements {
                guard let k = ElementKey.plainBytes(x, type: type) else { continue sets }
                keys.insert(k)
            }
            // Two elements of one key would be listed as one: such a set is listed.
            guard keys.count == s.value.elements.count else { continue }
            out[s.value.name] = (keys, s.value.elem)
        }
        return out
    }

    /// The index of each of `table`'s rules, by chain, in order.
    static func indicesByChain(_ table: TableContents) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        for (i, r) in table.rules.enumerated() { out[r.value.chain, default: []].append(i) }
        return out
    }

    /// `rule` as just made: every top-level counter at zero.
    static func zeroed(_ rule: Rule) -> Rule {
        let counters = rule.statements.reduce(0) { n, s in
            if case .counter = s { return n + 1 }
            return n
        }
        return counted(rule, Array(repeating: .init(packets: 0, bytes: 0), count: counters)) ?? rule
    }

    /// `rule` with its top-level counters' values as the kernel holds them; nil when it
    /// does not have as many as the kernel's bytes.
    static func counted(_ rule: Rule, _ counts: [KernelRule.Count]) -> Rule? {
        var rule = rule
        var next = 0
        var statements = rule.statements
        for (i, s) in statements.enumerated() {
            guard case .counter = s else { continue }
            guard next < counts.count else { return nil }
            statements[i] = .counter(packets: counts[next].packets, bytes: counts[next].bytes)
            next += 1
        }
        guard next == counts.count else { return nil }
        if rule.expr != nil { rule.expr = statements }
        return rule
    }

    /// The kernel bytes of each rule of `declared`'s tables (by table, the rule's index there),
    /// paired by chain and order with the rules of `live`, a listing the plan found equal to
    /// the declaration, and by handle with `kernel`, dumped at the same generation (nil for
    /// bytes that hold moving state or an anonymous name).
    static func learn(declared: RulesetState, live: RulesetState, kernel: [TableKey: KernelTableContents]) -> LearntRuleBytes {
        var out: [TableKey: [(index: Int, bytes: [UInt8]?)]] = [:]
        for table in declared.tables {
            guard let listed = live.table(table.key), let kernel = kernel[table.key] else { continue }
            let byHandle = Dictionary(kernel.rules.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
            var listedByChain: [String: [Rule]] = [:]
            for r in listed.rules { listedByChain[r.value.chain, default: []].append(r.value) }
            let declaredByChain = indicesByChain(table)
            var learnt: [(index: Int, bytes: [UInt8]?)] = []
            for (chain, indices) in declaredByChain {
                guard let rules = listedByChain[chain], rules.count == indices.count else { continue }
                for (i, r) in zip(indices, rules) {
                    guard let h = r.handle, let k = byHandle[h], k.chain == chain else { continue }
                    learnt.append((i, k.stable ? k.bytes : nil))
                }
            }
            if !learnt.isEmpty { out[table.key] = learnt }
        }
        return LearntRuleBytes(tables: out)
    }
}

/// What `KernelRuleBytes.learn` read: by table, a rule's index and its kernel bytes (nil:
/// bytes that say nothing lasting).
public struct LearntRuleBytes: Sendable {
    var tables: [TableKey: [(index: Int, bytes: [UInt8]?)]] = [:]
    public var isEmpty: Bool { tables.isEmpty }
}
