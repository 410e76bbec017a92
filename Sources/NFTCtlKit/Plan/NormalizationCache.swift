import Foundation
import NFTAnalysis

/// Remembers what the kernel makes of each rule, so a 1-rule change does not reload every
/// rule of the table into a scratch namespace. A rule's normal form depends only on the
/// rule itself and on its table's declarations (family, chains, set and map types, objects),
/// so the cache is keyed by the kernel release, the libnftables and nftctl versions and those declarations
/// (without set elements); within it, by the rule as written. The declarations themselves
/// (and set elements) are still normalised by the kernel on every run, with only the rules
/// it has not seen. Anything inconsistent falls back to normalising everything.
struct NormalizationCache {
    let directory: URL

    init() {
        directory = URL(fileURLWithPath: RulesCache.directory()).appendingPathComponent("normal")
    }

    /// Bumped whenever the text nftctl loads changes (a cached normal form of an older
    /// text would no longer be what the kernel makes of the new one): 2 = milliseconds and
    /// family-less `ct original saddr` written as they load back; 3 = text-only rules folded.
    static let normalFormRevision = "3"

    /// The cache and its `normal` folder, created private or refused when they are not.
    func prepare() throws {
        try PrivatePath.directory(directory.deletingLastPathComponent().path, purpose: "the cache (NFTCTL_CACHE)")
        try PrivatePath.directory(directory.path, purpose: "the normal-form cache")
    }

    /// The cache file of one table's declarations.
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
        return directory.appendingPathComponent("\(h.hex).json")
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
    static func declarationsKey(_ table: TableContents) -> String {
        var h = RulesHasher()
        for s in table.sets { h.combine(JSON.array(s.value.elements.map(\.json)).serialized()) }
        return "declarations:" + h.hex
    }

    /// A rule as written, hashed (the cache holds only hashes and normal forms).
    static func key(_ r: Rule) -> String {
        var r = r
        r.handle = nil
        r.index = nil
        var h = RulesHasher()
        h.combine(RulesetItem.rule(r).json.serialized())
        return h.hex
    }

    /// Read only from a file of ours that nobody else can write: a planted normal form
    /// would make a changed rule look unchanged.
    func load(_ url: URL) -> [String: JSON] {
        guard let data = PrivatePath.read(url.path),
            let j = try? JSON.parse(String(decoding: data, as: UTF8.self)), case .object(let o) = j
        else { return [:] }
        var out: [String: JSON] = [:]
        for (k, v) in o { out[k] = v }
        return out
    }

    func store(_ entries: [String: JSON], at url: URL) {
        guard (try? prepare()) != nil else { return }
        let body = JSON.object(JSONObject(entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })).serialized()
        _ = PrivatePath.write(Array(body.utf8), to: url.path, mode: 0o600)
    }

    /// The desired tables in the kernel's normal form, loading only the declarations and the
    /// rules the cache does not know into the scratch namespace.
    func normalize(_ input: LoadedInput, useCache: Bool = true) throws -> DesiredState {
        if useCache { try prepare() }
        var timer = PhaseTimer()
        var reduced = input.state
        var files: [URL] = []
        var known: [[String: JSON]] = []
        // Each rule's key, computed once (hashing 10k rules is not free).
        var keys: [[String]] = []
        for ti in reduced.tables.indices {
            let url = file(for: reduced.tables[ti])
            let entries = useCache ? load(url) : [:]
            files.append(url)
            known.append(entries)
            let k = input.state.tables[ti].rules.map { Self.key($0.value) }
            keys.append(k)
            reduced.tables[ti].rules = zip(reduced.tables[ti].rules, k).filter { entries[$0.1] == nil || Self.updatesSets($0.0.value) }.map(
                \.0)
        }
        timer.mark("  normal-form cache lookup")
        // Every rule known and the declarations too: the kernel has nothing left to decide.
        let cachedDeclarations: [RulesetItem]? = reduced.tables.indices.reduce([RulesetItem]?([])) { acc, ti in
            guard let acc, reduced.tables[ti].rules.isEmpty,
                case .array(let items)? = known[ti][Self.declarationsKey(input.state.tables[ti])]
            else { return nil }
            let decoded = items.compactMap { RulesetItem(json: $0) }
            return decoded.count == items.count ? acc + decoded : nil
        }
        var scratch: RulesetState
        if useCache, let cachedDeclarations, let cached = try? RulesetState(document: Document(cachedDeclarations.map { .item($0) })),
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
        for ti in scratch.tables.indices {
            let key = scratch.tables[ti].key
            guard let i = input.state.tables.firstIndex(where: { $0.key == key }) else { continue }
            var fresh: [String: [Rule]] = [:]
            var taken: [String: Int] = [:]
            for r in scratch.tables[ti].rules { fresh[r.value.chain, default: []].append(r.value) }
            var rules: [Located<Rule>] = []
            var entries: [String: JSON] = [:]
            var declarations = scratch.tables[ti]
            declarations.rules = []
            var bare = RulesetState()
            bare.tables = [declarations]
            entries[Self.declarationsKey(input.state.tables[i])] = .array(bare.listingItems.map(\.json))
            for (r, k) in zip(input.state.tables[i].rules, keys[i]) {
                if !Self.updatesSets(r.value), let cached = known[i][k], case .rule(let n) = RulesetItem(json: cached) {
                    rules.append(Located(n))
                    entries[k] = cached
                } else if let list = fresh[r.value.chain], taken[r.value.chain, default: 0] < list.count {
                    let n = list[taken[r.value.chain, default: 0]]
                    taken[r.value.chain, default: 0] += 1
                    rules.append(Located(n))
                    entries[k] = RulesetItem.rule(n).json
                } else if useCache {
                    return try full(input)  // the scratch listing does not line up: trust nothing cached
                } else {
                    throw InputError(
                        "the kernel's listing of chain \(r.value.chain) does not line up with the rules given", file: input.path)
                }
            }
            guard fresh.allSatisfy({ taken[$0.key, default: 0] == $0.value.count }) else {
                if useCache { return try full(input) }
                throw InputError("the kernel lists more rules than were given in table \(key)", file: input.path)
            }
            scratch.tables[ti].rules = rules
            written[key] = WrittenTable(input.state.tables[i])
            if useCache, entries.count != known[i].count || entries.keys.contains(where: { known[i][$0] == nil }) {
                store(entries, at: files[i])
            }
        }
        timer.mark("  merge and store")
        return DesiredState(state: scratch, written: written)
    }

    /// Every rule through the scratch namespace (no cache).
    func full(_ input: LoadedInput) throws -> DesiredState {
        try normalize(input, useCache: false)
    }
}
