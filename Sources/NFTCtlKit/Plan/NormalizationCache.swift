import Foundation
import NFTables

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
        h.combine(Versions.nftctl)
        var bare = RulesetState()
        var t = table
        t.rules = []
        t.sets = t.sets.map { var s = $0; s.value.elem = nil; return s }
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
              let j = try? JSON.parse(String(decoding: data, as: UTF8.self)), case .object(let o) = j else { return [:] }
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
    func normalize(_ input: LoadedInput, useCache: Bool = true) throws -> RulesetState {
        if useCache { try prepare() }
        var timer = PhaseTimer()
        var reduced = input.state
        var files: [URL] = []
        var known: [[String: JSON]] = []
        for ti in reduced.tables.indices {
            let url = file(for: reduced.tables[ti])
            let entries = useCache ? load(url) : [:]
            files.append(url)
            known.append(entries)
            reduced.tables[ti].rules = reduced.tables[ti].rules.filter { entries[Self.key($0.value)] == nil || Self.updatesSets($0.value) }
        }
        timer.mark("  normal-form cache lookup")
        let creation = reduced.creationBatch()
        let listing = try KernelCheck.loadAndList(creation.document, locations: creation.locations, origin: input.path)
        var scratch = try RulesetState(document: Document(listing.items.map { .item($0) }))
        timer.mark("  scratch namespace (declarations + \(reduced.tables.reduce(0) { $0 + $1.rules.count }) new rules)")

        // Put the rules back in the user's order: cached normal forms, and the new ones from
        // the scratch listing in the order they were loaded (per chain).
        for ti in scratch.tables.indices {
            let key = scratch.tables[ti].key
            guard let i = input.state.tables.firstIndex(where: { $0.key == key }) else { continue }
            var fresh: [String: [Rule]] = [:]
            var taken: [String: Int] = [:]
            for r in scratch.tables[ti].rules { fresh[r.value.chain, default: []].append(r.value) }
            var rules: [Located<Rule>] = []
            var entries: [String: JSON] = [:]
            for r in input.state.tables[i].rules {
                let k = Self.key(r.value)
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
                    throw InputError("\(input.path): the kernel's listing of chain \(r.value.chain) does not line up with the rules given")
                }
            }
            guard fresh.allSatisfy({ taken[$0.key, default: 0] == $0.value.count }) else {
                if useCache { return try full(input) }
                throw InputError("\(input.path): the kernel lists more rules than were given in table \(key)")
            }
            scratch.tables[ti].rules = rules
            scratch.tables[ti].inputRules = input.state.tables[i].rules.map(\.value)
            var one = RulesetState()
            one.tables = [input.state.tables[i]]
            scratch.tables[ti].writtenItems = one.listingItems
            if useCache, entries.count != known[i].count || entries.keys.contains(where: { known[i][$0] == nil }) {
                store(entries, at: files[i])
            }
        }
        timer.mark("  merge and store")
        return scratch
    }

    /// Every rule through the scratch namespace (no cache).
    func full(_ input: LoadedInput) throws -> RulesetState {
        try normalize(input, useCache: false)
    }
}
