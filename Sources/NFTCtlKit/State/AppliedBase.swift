import Foundation
import NFTAnalysis

/// The last JSON file applied in full and verified in a namespace, and where each of its
/// entries went: a rule's kernel handle and its entry in the remembered listing. With it the
/// next apply of an edited copy of that file (`EntryPatch`) compares bytes with bytes,
/// decodes only the entries that differ and sends only the rules that changed, while the
/// generation id shows that the kernel still holds what was verified for this file.
///
/// Two files in the state directory: `base.json`, the file's bytes as applied, and
/// `base.index`, one line of JSON (what the bytes and the remembered listing are, by their
/// `FileIdentity`, the tables and chains) then seven 64-bit words per entry. The index is
/// removed before either is written again, so an index never describes other bytes.
struct AppliedBase: Sendable {
    /// One top-level entry of the file.
    struct Entry: Sendable, Equatable {
        /// Its bytes in the file.
        var span: Range<Int>
        /// The table it belongs to (`tables`), -1 for none (metainfo).
        var table: Int
        /// A rule's chain (`chains`), -1 for an entry that is not a rule.
        var chain: Int
        /// A rule's kernel handle.
        var handle: Int64
        /// A rule's entry in the remembered listing, from the listing's first byte.
        var listing: Range<Int>

        var isRule: Bool { chain >= 0 }
    }

    /// A chain of the file and the hooks that reach it (`TableValidator.reachingHooks`):
    /// unchanged while no rule that jumps is changed.
    struct ChainInfo: Sendable, Equatable {
        var table: Int
        var name: String
        var hooks: [HookUse]
        /// The entry that first declares it: a rule before it would be refused.
        var declared: Int
    }

    var path: String
    var digest: String
    var generation: UInt32
    var namespace: UInt64
    var boot: String
    var tables: [TableKey]
    var chains: [ChainInfo]
    /// The entry that first declares each table.
    var tableDeclared: [Int]
    var entries: [Entry]
    /// Where the top-level array's entries start and end (the first's first byte, the
    /// last's end): what lies outside must stay as it is.
    var arrayStart: Int
    var arrayEnd: Int
    /// What `base.json` and the remembered listing are (`FileIdentity`).
    var fileIdentity: String
    var listingIdentity: String

    /// The chain of `table` named `name`.
    func chain(_ table: TableKey, _ name: String) -> Int? {
        guard let t = tables.firstIndex(of: table) else { return nil }
        return chains.firstIndex { $0.table == t && $0.name == name }
    }

    /// Rule entry `k` as the remembered listing `file` (its listing from `start` on) holds it.
    func listed(in file: [UInt8], at start: Int) -> (Int) -> Rule? {
        { k in
            let span = self.entries[k].listing
            guard start + span.upperBound <= file.count else { return nil }
            var slice = Array(file[start + span.lowerBound..<start + span.upperBound])
            guard let j = try? JSON.parse(bytes: &slice), case .item(.rule(let r)) = Document.Entry(json: j) else { return nil }
            return r
        }
    }

    // MARK: made after a verified apply

    /// The base of `input` (a JSON file whose `entrySpans` are known) applied as `listing`,
    /// the verified listing of its tables, remembered as `listingBytes`; nil when an entry is
    /// anything but a declaration or a rule appended to its chain, or the listing's rules do
    /// not line up with the file's chain by chain.
    static func make(
        input: LoadedInput, listing: Document, listingBytes: [UInt8], generation: UInt32, namespace: UInt64
    ) -> AppliedBase? {
        let document = input.document
        guard input.kind == .json, let digest = input.sourceDigest, input.entrySpans.count == document.entries.count,
            let array = arrayBounds(input.entrySpans)
        else { return nil }
        let tables = input.state.keys
        var chains: [ChainInfo] = []
        for (ti, t) in input.state.tables.enumerated() {
            let hooks = TableValidator(table: t).reachingHooks()
            for c in t.chains {
                chains.append(ChainInfo(table: ti, name: c.value.name, hooks: hooks[c.value.name] ?? [], declared: Int.max))
            }
        }
        let tableIndex = Dictionary(tables.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var chainIndex: [TableKey: [String: Int]] = [:]
        for (ci, c) in chains.enumerated() { chainIndex[tables[c.table], default: [:]][c.name] = ci }
        // The listing's rules per chain, in order: handle and entry.
        guard let spans = listingBytes.withUnsafeBufferPointer({ JSON.topLevelEntrySpans($0) }),
            spans.count == listing.entries.count
        else { return nil }
        var listed: [Int: [(handle: Int64, span: Range<Int>)]] = [:]
        for (k, e) in listing.entries.enumerated() {
            guard case .item(.rule(let r)) = e, let chainsOfTable = chainIndex[TableKey(family: r.family, name: r.table)] else { continue }
            guard let ci = chainsOfTable[r.chain], let h = r.handle else { return nil }
            listed[ci, default: []].append((h, spans[k]))
        }
        var taken: [Int: Int] = [:]
        var tableDeclared = [Int](repeating: Int.max, count: tables.count)
        var entries: [Entry] = []
        entries.reserveCapacity(document.entries.count)
        for (k, e) in document.entries.enumerated() {
            let span = input.entrySpans[k]
            switch Self.kind(e) {
            case .rule(let r):
                guard let ci = chainIndex[TableKey(family: r.family, name: r.table)]?[r.chain] else { return nil }
                let n = taken[ci, default: 0]
                guard let list = listed[ci], n < list.count else { return nil }
                taken[ci] = n + 1
                entries.append(Entry(span: span, table: chains[ci].table, chain: ci, handle: list[n].handle, listing: list[n].span))
            case .declaration(let key):
                guard let ti = tableIndex[key] else { return nil }
                switch e.rulesetItem {
                case .table?: tableDeclared[ti] = min(tableDeclared[ti], k)
                case .chain(let c)?:
                    if let ci = chainIndex[key]?[c.name] { chains[ci].declared = min(chains[ci].declared, k) }
                default: break
                }
                entries.append(Entry(span: span, table: ti, chain: -1, handle: 0, listing: 0..<0))
            case .other:
                entries.append(Entry(span: span, table: -1, chain: -1, handle: 0, listing: 0..<0))
            case .refused:
                return nil
            }
        }
        guard listed.allSatisfy({ taken[$0.key, default: 0] == $0.value.count }),
            !tableDeclared.contains(Int.max), !chains.contains(where: { $0.declared == Int.max })
        else { return nil }
        return AppliedBase(
            path: input.path, digest: digest, generation: generation, namespace: namespace, boot: StateStore.bootID,
            tables: tables, chains: chains, tableDeclared: tableDeclared, entries: entries, arrayStart: array.lowerBound,
            arrayEnd: array.upperBound,
            fileIdentity: "", listingIdentity: "")
    }

    /// Where the top-level array's entries may be: from the first entry's start to the last
    /// one's end (the bytes around them, brackets included, must not change).
    static func arrayBounds(_ spans: [Range<Int>]) -> Range<Int>? {
        guard let first = spans.first, let last = spans.last else { return nil }
        return first.lowerBound..<last.upperBound
    }

    enum Kind {
        /// A rule appended to its chain (no handle, no index, not inserted).
        case rule(Rule)
        /// Anything else of a table that `EntryPatch` leaves alone (a table, chain, set,
        /// map, element, object or flowtable added).
        case declaration(TableKey)
        /// Metainfo.
        case other
        /// What makes a base meaningless (a delete, a flush, an insert, a positioned rule).
        case refused
    }

    /// What an entry of a file is to a base.
    static func kind(_ e: Document.Entry) -> Kind {
        let verb: Verb, item: RulesetItem
        switch e {
        case .item(let i): (verb, item) = (.add, i)
        case .command(let c): (verb, item) = (c.verb, c.item)
        case .raw: return .refused
        }
        guard verb == .add || verb == .create else { return .refused }
        if case .rule(let r) = item {
            return r.handle == nil && r.index == nil ? .rule(r) : .refused
        }
        if case .metainfo = item { return .other }
        return item.tableKey.map { .declaration($0) } ?? .refused
    }

    // MARK: the files

    static let wordsPerEntry = 7

    func indexBytes() -> [UInt8] {
        let chainsJSON = JSON.array(
            chains.map { c in
                .array([
                    .number(c.table), .string(c.name), .array(c.hooks.map { .array([.string($0.type), .string($0.hook)]) }),
                    .number(c.declared)
                ])
            })
        let header: JSON = .object(
            JSONObject([
                ("path", .string(path)), ("digest", .string(digest)), ("generation", .number(Int(generation))),
                ("namespace", .number(namespace)), ("boot", .string(boot)), ("tables", TableKeyList.json(tables)),
                ("chains", chainsJSON), ("tableDeclared", .array(tableDeclared.map { .number($0) })), ("arrayStart", .number(arrayStart)),
                ("arrayEnd", .number(arrayEnd)),
                ("file", .string(fileIdentity)), ("listing", .string(listingIdentity)), ("entries", .number(entries.count))
            ]))
        var out = header.serializedBytes(.compact)
        out.append(0x0A)
        var words: [Int64] = []
        words.reserveCapacity(entries.count * Self.wordsPerEntry)
        for e in entries {
            words += [
                Int64(e.span.lowerBound), Int64(e.span.upperBound), Int64(e.table), Int64(e.chain), e.handle,
                Int64(e.listing.lowerBound), Int64(e.listing.upperBound)
            ]
        }
        words.withUnsafeBytes { out += $0.map { $0 } }
        return out
    }

    init(
        path: String, digest: String, generation: UInt32, namespace: UInt64, boot: String, tables: [TableKey],
        chains: [ChainInfo], tableDeclared: [Int], entries: [Entry], arrayStart: Int, arrayEnd: Int, fileIdentity: String,
        listingIdentity: String
    ) {
        self.path = path
        self.digest = digest
        self.generation = generation
        self.namespace = namespace
        self.boot = boot
        self.tables = tables
        self.chains = chains
        self.tableDeclared = tableDeclared
        self.entries = entries
        self.arrayStart = arrayStart
        self.arrayEnd = arrayEnd
        self.fileIdentity = fileIdentity
        self.listingIdentity = listingIdentity
    }

    /// The index as written by `indexBytes`; nil for anything else.
    init?(index bytes: [UInt8]) {
        guard let nl = bytes.firstIndex(of: 0x0A) else { return nil }
        var head = Array(bytes[..<nl])
        guard let j = try? JSON.parse(bytes: &head), let path = j["path"]?.stringValue, let digest = j["digest"]?.stringValue,
            let g = j["generation"]?.intValue, let generation = UInt32(exactly: g), let ns = j["namespace"]?.uint64Value,
            let boot = j["boot"]?.stringValue, let tables = TableKeyList.keys(j["tables"]), case .array(let cs)? = j["chains"],
            let arrayStart = j["arrayStart"]?.intValue, let arrayEnd = j["arrayEnd"]?.intValue,
            let file = j["file"]?.stringValue, let listing = j["listing"]?.stringValue, let count = j["entries"]?.intValue,
            case .array(let declaredTables)? = j["tableDeclared"], declaredTables.count == tables.count,
            count >= 0, bytes.count - nl - 1 == Int(count) * Self.wordsPerEntry * 8
        else { return nil }
        var chains: [ChainInfo] = []
        for c in cs {
            guard case .array(let parts) = c, parts.count == 4, let t = parts[0].intValue, tables.indices.contains(Int(t)),
                let name = parts[1].stringValue, case .array(let hs) = parts[2], let declared = parts[3].intValue, declared >= 0
            else { return nil }
            var hooks: [HookUse] = []
            for h in hs {
                guard case .array(let th) = h, th.count == 2, let type = th[0].stringValue, let hook = th[1].stringValue else { return nil }
                hooks.append(HookUse(type: type, hook: hook))
            }
            chains.append(ChainInfo(table: Int(t), name: name, hooks: hooks, declared: Int(declared)))
        }
        var entries: [Entry] = []
        entries.reserveCapacity(Int(count))
        let ok = bytes[(nl + 1)...].withUnsafeBytes { raw -> Bool in
            for k in 0..<Int(count) {
                func w(_ i: Int) -> Int64 { raw.loadUnaligned(fromByteOffset: (k * Self.wordsPerEntry + i) * 8, as: Int64.self) }
                let s0 = Int(w(0)), s1 = Int(w(1)), t = Int(w(2)), c = Int(w(3)), l0 = Int(w(5)), l1 = Int(w(6))
                guard s0 >= 0, s1 >= s0, l0 >= 0, l1 >= l0, t >= -1, t < tables.count, c >= -1, c < chains.count,
                    c < 0 || chains[c].table == t
                else { return false }
                entries.append(Entry(span: s0..<s1, table: t, chain: c, handle: w(4), listing: l0..<l1))
            }
            return true
        }
        guard ok else { return nil }
        let tableDeclared = declaredTables.compactMap { $0.intValue.map(Int.init) }
        guard tableDeclared.count == tables.count else { return nil }
        self.init(
            path: path, digest: digest, generation: generation, namespace: ns, boot: boot, tables: tables, chains: chains,
            tableDeclared: tableDeclared, entries: entries, arrayStart: Int(arrayStart), arrayEnd: Int(arrayEnd), fileIdentity: file,
            listingIdentity: listing)
    }
}

extension Document.Entry {
    /// The item an entry adds or names (nil: kept raw).
    fileprivate var rulesetItem: RulesetItem? {
        switch self {
        case .item(let i): return i
        case .command(let c): return c.item
        case .raw: return nil
        }
    }
}

extension StateStore {
    var baseFile: URL { directory.appendingPathComponent("base.json") }
    var baseIndexFile: URL { directory.appendingPathComponent("base.index") }

    /// Keeps `base` with the file's bytes (`bytes`, or the copy `prepared` being written) and
    /// the remembered listing as it now is; false when nothing was kept. The old index goes
    /// first: a failure midway leaves no base at all.
    @discardableResult
    func keepBase(_ base: AppliedBase, bytes: [UInt8]?, prepared: SavedCopy?) -> Bool {
        forgetBase()
        do {
            if let file = prepared?.take(digest: base.digest) {
                try file.publish()
            } else if let bytes {
                try OwnedPath.write(bytes, to: baseFile.path, durable: false)
            } else {
                return false
            }
            guard let file = FileIdentity(path: baseFile.path), let listing = FileIdentity(path: lastListingFile.path) else {
                return false
            }
            var kept = base
            kept.fileIdentity = file.description
            kept.listingIdentity = listing.description
            try OwnedPath.write(kept.indexBytes(), to: baseIndexFile.path, durable: false)
            return true
        } catch {
            forgetBase()
            return false
        }
    }

    func forgetBase() { unlink(baseIndexFile.path) }

    /// True when a base was verified at `generation` in this namespace and boot (its
    /// index's first line alone is read). Whatever the path: the kernel holds what the
    /// base's bytes declare, and another file is compared with them as an edit would be.
    func hasBase(netns: String?, generation: UInt32) -> Bool {
        guard let j = baseHeader(), j["generation"]?.intValue == Int64(generation), j["boot"]?.stringValue == Self.bootID
        else { return false }
        return j["namespace"]?.uint64Value == Self.namespaceIdentity(netns)
    }

    /// The tables of the base, read from its index's first line alone: cheap refusals first.
    func baseTables() -> [TableKey]? { TableKeyList.keys(baseHeader()?["tables"]) }

    /// The index's first line (what the base is), not its entries.
    /// Read in 64 KiB first: at 50k rules the entries after it take 2.8 MB, and an apply reads
    /// this line twice (a patched replay's check, then `EntryPatch`'s).
    private func baseHeader() -> JSON? {
        guard (try? checkDirectories(downTo: baseIndexFile)) == true else { return nil }
        for limit in [1 << 16, 1 << 22] {
            guard let head = try? OwnedPath.bytes(baseIndexFile.path, upTo: limit) else { return nil }
            if let nl = head.firstIndex(of: 0x0A) {
                var line = Array(head[..<nl])
                return try? JSON.parse(bytes: &line)
            }
            if head.count < limit { return nil }
        }
        return nil
    }

    /// The base of this namespace and boot, with the file's bytes as applied and the
    /// remembered listing's, when both files are still the ones it describes.
    func base(netns: String?) -> (base: AppliedBase, file: [UInt8], listing: [UInt8])? {
        guard let ns = Self.namespaceIdentity(netns), let (base, file) = appliedFile(), base.namespace == ns, base.boot == Self.bootID,
            FileIdentity(path: lastListingFile.path)?.description == base.listingIdentity,
            let listing = try? OwnedPath.bytes(lastListingFile.path), base.entries.allSatisfy({ $0.listing.upperBound <= listing.count })
        else { return nil }
        return (base, file, listing)
    }

    /// The base with the file's bytes as applied, whatever the kernel and the remembered
    /// listing hold now (a `PatchedReplay` reads the file's entries, not their handles): nil
    /// when the bytes are not the ones the index describes.
    func appliedFile() -> (base: AppliedBase, file: [UInt8])? {
        guard (try? checkDirectories(downTo: baseIndexFile)) == true,
            let index = try? OwnedPath.bytes(baseIndexFile.path), let base = AppliedBase(index: index),
            FileIdentity(path: baseFile.path)?.description == base.fileIdentity,
            let file = try? OwnedPath.bytes(baseFile.path),
            base.entries.last.map({ $0.span.upperBound <= file.count }) ?? false, base.arrayEnd <= file.count,
            base.arrayStart <= base.arrayEnd, base.tableDeclared.allSatisfy(base.entries.indices.contains),
            base.chains.allSatisfy({ base.entries.indices.contains($0.declared) })
        else { return nil }
        return (base, file)
    }
}
