import NFTAnalysis
import Synchronization

/// An in-memory backend for fast tests: it keeps a listing and applies add, create,
/// insert, replace, delete, flush and rename commands for tables, chains, rules, sets,
/// maps, elements and named objects the way the kernel does, atomically (a batch works on
/// a copy, which replaces the state only when every command succeeded), assigning handles
/// and bumping the generation id once per commit.
///
/// It follows libnftables 1.0.6 where that matters to callers: `add rule` with a `handle`
/// appends at the end (only `index` positions an add), `insert` goes before `handle`/`index`
/// or at the start, `replace` keeps the handle, base chains list `policy accept`, deleting
/// a chain that is jumped to is EBUSY. It does not parse nft syntax (`applyText` throws)
/// nor check expressions.
public final class FakeBackend: Backend {
    private let state: Mutex<FakeRuleset>
    private let log = Mutex<[Document]>([])

    /// A backend holding `items` (a listing; handles present are kept).
    public init(_ items: [RulesetItem] = []) throws {
        var s = FakeRuleset()
        for (i, item) in items.enumerated() {
            try s.apply(.item(item), index: i, keepHandles: true)
        }
        state = Mutex(s)
    }

    /// A backend holding what a `list ruleset` document lists.
    public convenience init(listing: Document) throws {
        var items: [RulesetItem] = []
        for e in listing.entries {
            guard case .item(let i) = e else {
                throw BackendError.unsupported("FakeBackend: a listing holds items, not \(e.json.serialized())")
            }
            items.append(i)
        }
        try self.init(items)
    }

    /// The current ruleset (no metainfo).
    public var items: [RulesetItem] { state.withLock { $0.items } }

    /// Every batch committed (not dry runs), in order.
    public var committedBatches: [Document] { log.withLock { $0 } }

    public func list() throws -> Document {
        Document([.item(Self.metainfo)] + state.withLock { $0.items }.map { .item($0) })
    }

    public func tableKeys() throws -> Set<TableKey> { Set(state.withLock { $0.items }.compactMap(\.tableKey)) }

    public func list(table family: String, name: String) throws -> Document {
        let items = try state.withLock { (s: inout FakeRuleset) throws(BackendError) -> [RulesetItem] in
            guard let t = s.tableIndex(family, name) else {
                throw .rejected("list table \(family) \(name): No such file or directory")
            }
            var one = FakeRuleset()
            one.tables = [s.tables[t]]
            return one.items
        }
        return Document([.item(Self.metainfo)] + items.map { .item($0) })
    }

    public func apply(_ batch: Document, dryRun: Bool) throws {
        try state.withLock { (s: inout FakeRuleset) throws(BackendError) in
            var copy = s
            for (i, entry) in batch.entries.enumerated() {
                try copy.apply(entry, index: i, keepHandles: false)
            }
            guard !dryRun else { return }
            if batch.entries.contains(where: FakeRuleset.commits) { copy.generation &+= 1 }
            s = copy
        }
        if !dryRun { log.withLock { $0.append(batch) } }
    }

    /// The kernel's echo, as libnftables 1.0.6 prints it, for rules: a replaced rule as
    /// `delete` of the old one then `add` of the new one (same handle), an added or inserted
    /// rule as `add` with its new handle, in batch order; deletes are not echoed.
    public func applyEchoed(_ batch: Document) throws -> Document? {
        let before = Self.rulesByHandle(items)
        try apply(batch, dryRun: false)
        let after = Self.rulesByHandle(items)
        var fresh = after.keys.filter { before[$0] == nil }.sorted()[...]
        var echo: [Document.Entry] = []
        for case .command(let c) in batch.entries {
            guard case .rule(let r) = c.item else { continue }
            switch c.verb {
            case .replace:
                if let h = r.handle, let old = before[h], let new = after[h] {
                    echo += [.command(Command(.delete, .rule(old))), .command(Command(.add, .rule(new)))]
                }
            case .add, .insert, .create:
                if let h = fresh.popFirst(), let new = after[h] { echo.append(.command(Command(.add, .rule(new)))) }
            default: break
            }
        }
        return Document(echo)
    }

    static func rulesByHandle(_ items: [RulesetItem]) -> [Int64: Rule] {
        var out: [Int64: Rule] = [:]
        for case .rule(let r) in items { if let h = r.handle { out[h] = r } }
        return out
    }

    public func applyText(_ nft: String, dryRun: Bool) throws {
        throw BackendError.unsupported("FakeBackend does not parse nft syntax; give it a JSON batch")
    }

    public func generationID() throws -> UInt32 { state.withLock { $0.generation } }

    public var keepsModel: Bool { true }

    static let metainfo: RulesetItem = .metainfo([
        "version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1
    ])
}
