import Foundation
import NFTAnalysis

/// Remembers what the kernel makes of each rule, so a 1-rule change does not reload every
/// rule of the table into a scratch namespace. A rule's normal form depends only on the
/// rule itself and on its table's declarations (family, chains, set and map types, objects),
/// so the cache is keyed by the kernel release, the libnftables and nftctl versions and those
/// declarations (without set elements): one append-only file each (`NormalFormRecords`);
/// within it, by the rule as written (its entry's bytes in a JSON file, else the model's
/// serialisation). The declarations themselves (and set elements) are still normalised by
/// the kernel on every run, with only the rules it has not seen. Anything inconsistent falls
/// back to normalising everything.
struct NormalizationCache {
    let directory: URL

    /// `directory`: the `normal` folder (tests); by default the one in the cache (`RulesCache`).
    init(directory: URL? = nil) {
        self.directory = directory ?? URL(fileURLWithPath: RulesCache.directory()).appendingPathComponent("normal")
    }

    /// Bumped whenever the text nftctl loads changes (a cached normal form of an older
    /// text would no longer be what the kernel makes of the new one), or the cache's format
    /// or keys do: 2 = milliseconds and family-less `ct original saddr` written as they load
    /// back; 3 = text-only rules folded; 4 = append-only records, rules keyed by their entry's bytes.
    static let normalFormRevision = "4"

    /// The cache and its `normal` folder, created private or refused when they are not.
    func prepare() throws {
        try PrivatePath.directory(directory.deletingLastPathComponent().path, purpose: "the cache (NFTCTL_CACHE)")
        try PrivatePath.directory(directory.path, purpose: "the normal-form cache")
    }

    /// The cache file of one table's declarations (`NormalFormRecords`).
    func file(for table: TableContents) -> URL {
        var h = RulesHasher()
        h.combine(Versions.kernelRelease)
        h.combine(Versions.libnftables)
        h.combine(NFTCtlVersion.number)
        h.combine(Self.normalFormRevision)
        var bare = RulesetState()
        var t = table
        t.rules = []
        t.sets = t.sets.map {
            var s = $0; s.value.elem = nil; return s
        }
        bare.tables = [t]
        h.combine(bare.creationBatch().document.json.serialized())
        return directory.appendingPathComponent("\(h.hex).records")
    }

    /// A rule that adds to or updates a set or map from the packet path: nft's text path
    /// then gives the set the `dynamic` flag, so its normal form is not the rule's alone;
    /// such rules always go through the scratch namespace with the declarations.
    static func updatesSets(_ r: Rule) -> Bool {
        r.statements.contains { s in
            switch s {
            case .set, .map, .meter: return true
            case .text(let t): return t.hasPrefix("update @") || t.hasPrefix("add @")
            default: return false
            }
        }
    }

    /// The cache entry holding a table's declarations in normal form (everything but its
    /// rules), for the set elements as written: with it and every rule known, the scratch
    /// namespace is not needed at all.
    static func declarationsKey(_ table: TableContents) -> NormalFormKey {
        var h = RulesHasher()
        h.combine("declarations")
        // Each set's elements as a JSON array, a plain string (most of a blocklist) written
        // as it serialises, quoted, rather than through the serialiser.
        for s in table.sets {
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            for (i, e) in s.value.elements.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                if case .string(let x) = e, let quoted = JSON.quotedAsIs(x) {
                    bytes += quoted.utf8
                } else {
                    bytes += e.json.serialized().utf8
                }
            }
            bytes.append(UInt8(ascii: "]"))
            h.combine(bytes)
        }
        return NormalFormKey(h)
    }

    /// A rule by the model's serialisation (the key of rules with no entry bytes: `.nft` and
    /// rules-program inputs, or a JSON file whose entries do not map one to one onto its rules).
    static func key(_ r: Rule) -> NormalFormKey {
        .model(RulesetItem.rule(asWritten(r)).json.serialized())
    }

    /// A rule as written, as the scratch listing gives it back when the kernel changes
    /// nothing: no handle, no position.
    static func asWritten(_ r: Rule) -> Rule {
        var r = r
        r.handle = nil
        r.index = nil
        return r
    }

    /// Each rule entry's key by its bytes (`LoadedInput.ruleEntryKeys`), grouped by table and
    /// chain in the order the rules end up in, or nil when that order is not the entries'
    /// order. Mirrors `RulesetState.apply`: rules are only ever appended to their chain, and
    /// what a flush or delete removes is removed here too. An insert, a positioned add, a
    /// rename or anything else that moves or rewrites a rule after its entry: nil (the
    /// model's keys are used), so a raw key always names the rule its own bytes declare.
    static func entryKeysByChain(_ input: LoadedInput) -> [TableKey: [String: [NormalFormKey]]]? {
        guard !input.ruleEntryKeys.isEmpty, input.ruleEntryKeys.count == input.document.entries.count else { return nil }
        var out: [TableKey: [String: [NormalFormKey]]] = [:]
        for (entry, key) in zip(input.document.entries, input.ruleEntryKeys) {
            let verb: Verb, item: RulesetItem
            switch entry {
            case .item(let i): (verb, item) = (.add, i)
            case .command(let c): (verb, item) = (c.verb, c.item)
            case .raw: return nil
            }
            switch (verb, item) {
            case (.add, .rule(let r)), (.create, .rule(let r)):
                guard r.index == nil, let key else { return nil }
                out[TableKey(family: r.family, name: r.table), default: [:]][r.chain, default: []].append(key)
            case (_, .rule): return nil
            case (.add, .metainfo): continue
            case (.flush, .selector("ruleset", _)), (.delete, .selector("ruleset", _)): out = [:]
            case (.delete, .table(let t)), (.flush, .table(let t)): out[TableKey(family: t.family, name: t.name)] = nil
            case (.flush, .chain(let c)), (.delete, .chain(let c)): out[TableKey(family: c.family, name: c.table)]?[c.name] = nil
            case (.add, .table), (.create, .table), (.add, .chain), (.create, .chain), (.add, .set), (.create, .set),
                (.add, .element), (.create, .element), (.add, .flowtable), (.create, .flowtable), (.add, .object), (.create, .object),
                (.delete, .element), (.flush, .set), (.delete, .set), (.delete, .object), (.delete, .flowtable), (.list, _), (.reset, _):
                continue
            default: return nil
            }
        }
        return out
    }

    /// The key of each of `table`'s rules: its entry's (`entryKeysByChain`) when every rule
    /// of the table has exactly one, in order; else the model's.
    static func ruleKeys(_ table: TableContents, entries: [String: [NormalFormKey]]?) -> [NormalFormKey] {
        if var lists = entries {
            var keys: [NormalFormKey] = []
            keys.reserveCapacity(table.rules.count)
            var taken: [String: Int] = [:]
            for r in table.rules {
                let n = taken[r.value.chain, default: 0]
                guard let list = lists[r.value.chain], n < list.count else { break }
                keys.append(list[n])
                taken[r.value.chain] = n + 1
            }
            lists = lists.filter { !$0.value.isEmpty }
            if keys.count == table.rules.count, lists.allSatisfy({ taken[$0.key] == $0.value.count }) { return keys }
        }
        return table.rules.map { key($0.value) }
    }

    /// Read only from a file of ours that nobody else can write: a planted normal form
    /// would make a changed rule look unchanged.
    func load(_ url: URL, only keys: Set<NormalFormKey>? = nil) -> NormalFormRecords {
        guard let data = PrivatePath.read(url.path) else { return NormalFormRecords() }
        return NormalFormRecords(bytes: data, only: keys)
    }

    /// A file is made per table declaration and versions (`file(for:)`), so edited
    /// declarations and upgrades leave old files behind: past this many, making a new one
    /// removes the least recently written (a miss costs a scratch load, nothing more).
    static let keptFiles = 64

    /// Makes room for `url`, a file about to be made: the oldest cache files beyond
    /// `keptFiles`, and those of revisions before 4 (`.json`), go.
    func evict(for url: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasSuffix(".json") { unlink(directory.appendingPathComponent(name).path) }
        let files = names.filter { $0.hasSuffix(".records") && $0 != url.lastPathComponent }
        PrivatePath.evictOldest(files, in: directory, keep: Self.keptFiles)
    }

    /// Adds `new` records to the file: appended when the file as read is a fair size for
    /// the `live` keys (those this input uses), else the file is rewritten with only those.
    /// A live key's kernel bytes (`kernelBytesKey`) are live with it.
    func store(_ new: [(NormalFormKey, [UInt8])], live: [NormalFormKey], old: NormalFormRecords, at url: URL) {
        guard (try? prepare()) != nil else { return }
        var liveBytes = 0
        // Each live key may have its kernel bytes' record beside it.
        for k in live { liveBytes += (old.index[k]?.count ?? 0) + 80 + (old.index[k.kernelBytesKey]?.count ?? 0) + 80 }
        for (_, v) in new { liveBytes += v.count + 80 }
        if !new.isEmpty, !old.bytes.isEmpty, !old.needsCompaction(live: 2 * live.count, liveBytes: liveBytes) {
            var body = old.endsMidLine ? [UInt8(0x0A)] : []
            for (k, v) in new { body += NormalFormRecords.line(k, v) }
            if PrivatePath.append(body, to: url.path) { return }
        }
        guard !new.isEmpty || old.needsCompaction(live: 2 * live.count, liveBytes: liveBytes) else { return }
        var body: [UInt8] = []
        body.reserveCapacity(liveBytes)
        var written = Set<NormalFormKey>()
        for (k, v) in new where written.insert(k).inserted { body += NormalFormRecords.line(k, v) }
        for k in live where written.insert(k).inserted {
            guard let v = old.rawValue(k) else { continue }
            body += NormalFormRecords.line(k, v)
            let d = k.kernelBytesKey
            if written.insert(d).inserted, let v = old.rawValue(d) { body += NormalFormRecords.line(d, v) }
        }
        if old.bytes.isEmpty { evict(for: url) }
        _ = PrivatePath.write(body, to: url.path, mode: 0o600)
    }

    /// The desired tables in the kernel's normal form, loading only the declarations and the
    /// rules the cache does not know into the scratch namespace. A table of `learnable` that
    /// the cache does not know whole is not loaded there: it stays as written, in
    /// `DesiredState.learning` (its normal form comes from the kernel after the commit),
    /// unless the cache knows its declarations and all but a few of its many rules
    /// (`RuleBytesScratch.takes`).
    func normalize(_ input: LoadedInput, useCache: Bool = true, learnable: Set<TableKey> = []) throws -> DesiredState {
        if useCache { try prepare() }
        var timer = PhaseTimer()
        var reduced = input.state
        var files: [URL] = []
        var records: [NormalFormRecords] = []
        var keys: [[NormalFormKey]] = []
        // Each rule's normal form from the cache, decoded only for the rules of this input;
        // nil: the kernel decides.
        var cached: [[Rule?]] = []
        // Each cached rule's key, for its kernel bytes (`KernelRuleBytes`), read when wanted.
        var kept: [[NormalFormKey?]] = []
        var keptMissing: Set<TableKey> = []
        let entryKeys = useCache ? Self.entryKeysByChain(input) : nil
        for (ti, table) in input.state.tables.enumerated() {
            guard useCache else {
                files.append(directory)
                records.append(NormalFormRecords())
                keys.append([])
                cached.append(Array(repeating: nil, count: table.rules.count))
                kept.append([])
                continue
            }
            let url = file(for: table)
            let known = load(url)
            let k = Self.ruleKeys(table, entries: entryKeys?[table.key] ?? [:])
            let c = zip(table.rules, k).map { r, key -> Rule? in
                guard !Self.updatesSets(r.value) else { return nil }
                if known.isAsWritten(key) { return Self.asWritten(r.value) }
                // A record is used only whole and only as the rule it keys: same table and chain.
                guard let j = known.value(key), case .rule(let n) = RulesetItem(json: j),
                    n.family == r.value.family, n.table == r.value.table, n.chain == r.value.chain
                else { return nil }
                return n
            }
            files.append(url)
            records.append(known)
            keys.append(k)
            cached.append(c)
            var d = [NormalFormKey?](repeating: nil, count: k.count)
            for i in k.indices where c[i] != nil {
                d[i] = k[i]
                if known.index[k[i].kernelBytesKey] == nil { keptMissing.insert(table.key) }
            }
            kept.append(d)
            reduced.tables[ti].rules = zip(table.rules, c).filter { $0.1 == nil }.map(\.0)
        }
        timer.mark("  normal-form cache lookup")
        // The declarations of each table, when the cache knows them and every rule.
        let cachedDeclarations: [[RulesetItem]?] = reduced.tables.indices.map { ti in
            guard useCache, reduced.tables[ti].rules.isEmpty,
                case .array(let items)? = records[ti].value(Self.declarationsKey(input.state.tables[ti]))
            else { return nil }
            let decoded = items.compactMap { RulesetItem(json: $0) }
            return decoded.count == items.count ? decoded : nil
        }
        // A new table the cache does not know whole is learnt after the commit, unless the
        // cache knows its declarations and all but a few of its many rules: those few then go
        // through the scratch namespace, and their kernel bytes can be made before the commit
        // (`RuleBytesScratch`) for nftctl's own batch.
        let learning = Set(
            input.state.tables.indices.filter { ti in
                guard cachedDeclarations[ti] == nil else { return false }
                let table = input.state.tables[ti]
                let unknown = reduced.tables[ti].rules.count
                let fewUnknown =
                    useCache && records[ti].index[Self.declarationsKey(table)] != nil && RuleBytesScratch.encodable(table)
                    && RuleBytesScratch.takes(rules: table.rules.count, unknown: unknown)
                return !fewUnknown
            }.map { input.state.tables[$0].key }
        ).intersection(learnable)
        reduced.tables.removeAll { learning.contains($0.key) }
        // Every rule known and the declarations too: the kernel has nothing left to decide.
        let known: [RulesetItem]? = input.state.tables.indices.reduce([RulesetItem]?([])) { acc, ti in
            if learning.contains(input.state.tables[ti].key) { return acc }
            guard let acc, let items = cachedDeclarations[ti] else { return nil }
            return acc + items
        }
        var scratch: RulesetState
        if reduced.tables.isEmpty {
            scratch = RulesetState()
        } else if let known, let cached = try? RulesetState(document: Document(known.map { .item($0) })),
            cached.keys.count == reduced.tables.count
        {
            scratch = cached
            timer.mark("  declarations and every rule from the cache: no scratch namespace")
        } else {
            let creation = reduced.creationBatch()
            let listing = try KernelCheck.loadAndList(creation.document, locations: creation.locations, origin: input.path)
            scratch = try RulesetState(document: Document(listing.items.map { .item($0) }))
            timer.mark("  scratch namespace (declarations + \(reduced.tables.reduce(0) { $0 + $1.rules.count }) new rules)")
        }

        // Put the rules back in the user's order: cached normal forms, and the new ones from
        // the scratch listing in the order they were loaded (per chain).
        var written: [TableKey: WrittenTable] = [:]
        var kernelRuleBytes: [TableKey: KeptRuleBytes] = [:]
        for ti in scratch.tables.indices {
            let key = scratch.tables[ti].key
            guard let i = input.state.tables.firstIndex(where: { $0.key == key }) else { continue }
            var fresh: [String: [Rule]] = [:]
            var taken: [String: Int] = [:]
            for r in scratch.tables[ti].rules { fresh[r.value.chain, default: []].append(r.value) }
            var rules: [Located<Rule>] = []
            rules.reserveCapacity(input.state.tables[i].rules.count)
            var new: [(NormalFormKey, [UInt8])] = []
            let declarationsKey = Self.declarationsKey(input.state.tables[i])
            if useCache, records[i].index[declarationsKey] == nil {
                var declarations = scratch.tables[ti]
                declarations.rules = []
                new.append((declarationsKey, Self.declarationsRecord(declarations)))
            }
            for (ri, r) in input.state.tables[i].rules.enumerated() {
                if let n = cached[i][ri] {
                    rules.append(Located(n))
                } else if let list = fresh[r.value.chain], taken[r.value.chain, default: 0] < list.count {
                    let n = list[taken[r.value.chain, default: 0]]
                    taken[r.value.chain, default: 0] += 1
                    rules.append(Located(n))
                    if useCache, let value = Self.record(written: r.value, normal: n) {
                        new.append((keys[i][ri], value))
                        keptMissing.insert(key)
                    }
                } else if useCache {
                    return try full(input)  // the scratch listing does not line up: trust nothing cached
                } else {
                    throw Problem(
                        "the kernel's listing of chain \(r.value.chain) does not line up with the rules given", file: input.path)
                }
            }
            guard fresh.allSatisfy({ taken[$0.key, default: 0] == $0.value.count }) else {
                if useCache { return try full(input) }
                throw Problem("the kernel lists more rules than were given in table \(key)", file: input.path)
            }
            scratch.tables[ti].rules = rules
            written[key] = WrittenTable(input.state.tables[i])
            if kept[i].count == rules.count { kernelRuleBytes[key] = KeptRuleBytes(records: records[i], keys: kept[i]) }
            if useCache { store(new, live: keys[i] + [declarationsKey], old: records[i], at: files[i]) }
        }
        // The learning tables as written, every table in the input's order.
        for t in input.state.tables where learning.contains(t.key) {
            scratch.tables.append(t)
            written[t.key] = WrittenTable(t)
        }
        let order = Dictionary(input.state.tables.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { a, _ in a })
        scratch.tables.sort { order[$0.key, default: 0] < order[$1.key, default: 0] }
        timer.mark("  merge and store")
        var desired = DesiredState(state: scratch, written: written)
        desired.learning = learning
        desired.kernelRuleBytes = kernelRuleBytes
        desired.kernelRuleBytesMissing = keptMissing.union(learning)
        return desired
    }

    /// Keeps what `learnt` (`KernelRuleBytes.learn`: by table, a rule's index and its kernel
    /// bytes, nil for bytes that say nothing lasting) says of rules whose normal form is kept.
    func remember(_ input: LoadedInput, kernelRuleBytes learnt: [TableKey: [(index: Int, bytes: [UInt8]?)]]) {
        update(input, tables: Array(learnt.keys)) { declared, keys, known in
            var new: [(NormalFormKey, [UInt8])] = []
            for (i, d) in learnt[declared.key] ?? [] where i < keys.count && known.index[keys[i]] != nil {
                if let kept = known.kernelBytes(keys[i]), kept == d { continue }
                new.append((keys[i].kernelBytesKey, NormalFormRecords.kernelBytesValue(d)))
            }
            return new
        }
    }

    /// Stores what the kernel made of `input`'s tables as `normalForms` gives them (each
    /// table's rules at the index of the rule they were written as): the declarations and
    /// each rule not yet known. Only records the scratch namespace would have given: a
    /// record of anything that has counted (a counter, a quota, `last`) is left out.
    func remember(_ input: LoadedInput, normalForms: RulesetState) {
        update(input, tables: normalForms.keys) { declared, keys, known in
            guard let normal = normalForms.table(declared.key), declared.rules.count == normal.rules.count else { return [] }
            var new: [(NormalFormKey, [UInt8])] = []
            let declarationsKey = Self.declarationsKey(declared)
            var declarations = normal
            declarations.rules = []
            if known.index[declarationsKey] == nil, !Counted.any(declarations) {
                new.append((declarationsKey, Self.declarationsRecord(declarations)))
            }
            for (ri, r) in declared.rules.enumerated() where known.index[keys[ri]] == nil {
                let n = normal.rules[ri].value
                if !Counted.any(n), let value = Self.record(written: r.value, normal: n) { new.append((keys[ri], value)) }
            }
            return new
        }
    }

    /// Adds to the cache file of each of `input`'s tables in `tables` the records `new`
    /// makes from the table as declared, its rules' keys and the file as read.
    private func update(
        _ input: LoadedInput, tables: [TableKey],
        _ new: (TableContents, [NormalFormKey], NormalFormRecords) -> [(NormalFormKey, [UInt8])]
    ) {
        guard (try? prepare()) != nil else { return }
        let entryKeys = Self.entryKeysByChain(input)
        for key in tables {
            guard let declared = input.state.table(key) else { continue }
            let url = file(for: declared)
            let known = load(url)
            let keys = Self.ruleKeys(declared, entries: entryKeys?[declared.key] ?? [:])
            store(new(declared, keys, known), live: keys + [Self.declarationsKey(declared)], old: known, at: url)
        }
    }

    /// The cache's value for a table's declarations (a table in normal form, without rules).
    static func declarationsRecord(_ declarations: TableContents) -> [UInt8] {
        var bare = RulesetState()
        bare.tables = [declarations]
        return Array(JSON.array(bare.listingItems.map(\.json)).serialized().utf8)
    }

    /// The cache's value for rule `written` whose normal form is `normal`; nil for a rule that
    /// is not cached (`updatesSets`).
    static func record(written: Rule, normal: Rule) -> [UInt8]? {
        guard !updatesSets(written) else { return nil }
        let n = asWritten(normal)
        return n == asWritten(written) ? NormalFormRecords.asWritten : Array(RulesetItem.rule(n).json.serialized().utf8)
    }

    /// Every rule through the scratch namespace (no cache).
    func full(_ input: LoadedInput) throws -> DesiredState {
        try normalize(input, useCache: false)
    }
}
