import Foundation
import NFTAnalysis

/// A verified apply kept so that the same apply can be made again without reading the file
/// (`Replay`). It is made after an apply of a JSON file that created every table the file
/// declares in nftctl's own batch's terms (`KernelBatch`: no sets, objects, flowtables or
/// devices, every rule's kernel bytes known), verified, and kept under the file's
/// `UpToDate.fingerprint` (its bytes, the kernel, libnftables and nftctl: what validation
/// and the normal forms depend on), the path as given (which the plan's text names), the
/// mode and whether the plan was coloured. It holds:
/// - the batch nftctl's own commit makes of the tables (`KernelBatch`: tables and chains
///   encoded from the declaration, each rule the bytes the kernel echoed or listed for it
///   in that verified apply);
/// - the tables' declarations as libnftables listed them after that apply, handles erased;
/// - the listing remembered after that apply (`StateStore.rememberListing`) with its handles
///   cut out (`holes`), every counter zero;
/// - the plan's text as it was printed.
///
/// A record patched from another (`PatchedReplay`) holds for its new rules the bytes and
/// normal forms libnftables made and listed together in a private namespace, which the
/// kernel echoed as sent when that record's apply was verified, as `EntryPatch` keeps them.
///
/// It lives in the cache beside the normal forms and is trusted as they are (they hold the
/// rule bytes the own batch sends): only the cache's owner, root, can write it, and a cache
/// anyone else could write is refused. Even so, what is read back is checked to be nothing
/// but the creation of its own tables, attribute by attribute (`batchRules`), so a record
/// that is not one of ours cannot touch another table.
public struct ReplayRecord: Sendable {
    /// What a record is kept under.
    public struct Key: Sendable, Hashable {
        public var fingerprint: String
        public var path: String
        public var replace: Bool
        public var color: Bool
        public init(fingerprint: String, path: String, replace: Bool, color: Bool) {
            self.fingerprint = fingerprint; self.path = path; self.replace = replace; self.color = color
        }

        var fileName: String {
            var h = RulesHasher()
            h.combine(fingerprint)
            h.combine(path)
            h.combine(replace ? "replace" : "incremental")
            h.combine(color ? "color" : "plain")
            return "\(h.hex).replay"
        }
    }

    /// Where a handle goes in `template`: a chain's (`names[name]`), or the next rule's of
    /// a chain (`names[name]`, in the kernel's order). A table's handle is left out, as
    /// the listing of its declarations leaves it out.
    struct Hole: Sendable, Equatable {
        enum Kind: UInt8 {
            case chain = 1
            case rule = 2
        }
        var offset: Int
        var kind: Kind
        var table: Int
        var name: Int
    }

    /// One rule of `batch`: its table (an index in `tables`), chain, where its kernel bytes
    /// are in the batch's messages, and its message's number.
    struct BatchRule: Sendable {
        var table: Int
        var chain: String
        var bytes: Range<Int>
        var message: Int
    }

    public var key: Key
    public var tables: [TableKey]
    /// The number of libnftables commands the recorded apply reported.
    public var commands: Int
    var batch: KernelBatch
    var declarations: [UInt8]
    var template: [UInt8]
    var holes: [Hole]
    var names: [String]
    public var planText: String
    /// Read from `batch` (`batchRules`).
    var rules: [BatchRule] = []

    /// What an apply makes of a record before it knows the plan's text (`ApplyCommand` has it).
    public struct Draft: Sendable {
        var tables: [TableKey]
        var commands: Int
        var batch: KernelBatch
        var declarations: [UInt8]
        var template: [UInt8]
        var holes: [Hole]
        var names: [String]

        /// Keeps the record in the cache (best effort: a record not kept is a slower next apply).
        public func save(_ key: Key, planText: String) {
            let record = ReplayRecord(
                key: key, tables: tables, commands: commands, batch: batch, declarations: declarations, template: template,
                holes: holes, names: names, planText: planText)
            record.save()
        }
    }

    // MARK: - Made after a verified apply

    /// The draft of a record for the apply that created `state`'s tables (all absent before),
    /// verified with `listing` at `generation` and remembered as `listingBytes`; nil when it
    /// cannot be replayed (see the type). `learnt`: rule bytes learnt after a listing, when
    /// `desired` did not know them all.
    static func draft(
        state: RulesetState, desired: DesiredState, learnt: LearntRuleBytes?, listing: Document, listingBytes: [UInt8],
        generation: UInt32, commands: Int, backend: Backend
    ) -> Draft? {
        var known = desired
        for (key, list) in learnt?.tables ?? [:] {
            guard let t = state.table(key) else { return nil }
            var bytes = [[UInt8]?](repeating: nil, count: t.rules.count)
            for (i, b) in list where bytes.indices.contains(i) { bytes[i] = b }
            known.kernelRuleBytes[key] = KeptRuleBytes(bytes)
        }
        let keys = state.keys
        guard let batch = KernelBatch.build(state.tables.map { ($0, false) }, desired: known), batch.tables == keys,
            let (template, holes, names) = cutHandles(listing, bytes: listingBytes, tables: keys),
            (try? backend.generationID()) == generation
        else { return nil }
        var declarations: [UInt8] = []
        for key in keys {
            guard let d = try? backend.declarations(family: key.family, table: key.name, keysRead: []) else { return nil }
            declarations += canonical(d, table: key)
        }
        guard (try? backend.generationID()) == generation else { return nil }
        return Draft(
            tables: keys, commands: commands, batch: batch, declarations: declarations, template: template, holes: holes, names: names)
    }

    /// A table's declarations as listed, compared alike: every item but the rules, handles
    /// erased, compact JSON one per line.
    static func canonical(_ listing: Document, table key: TableKey) -> [UInt8] {
        var out: [UInt8] = []
        for item in listing.items where item.tableKey == key {
            if case .rule = item { continue }
            out += item.normalizedForComparison().json.serializedBytes(.compact)
            out.append(0x0A)
        }
        out.append(0x0A)
        return out
    }

    /// `bytes` (the serialised `listing`) with every handle's digits cut out, and where each
    /// went; nil when the listing holds anything but `tables`' table, chains and rules, a
    /// counter that is not zero, or a `"handle":` that is not one of its items' own. In a
    /// JSON text the key can only be a key (a quote inside a string is escaped), and each
    /// item with a handle has one: so the n-th is the n-th handle's.
    static func cutHandles(_ listing: Document, bytes: [UInt8], tables: [TableKey]) -> ([UInt8], [Hole], [String])? {
        // Each handle's hole (nil: the table's, left out).
        var expected: [(Hole.Kind?, Int, String)] = []
        for item in listing.items {
            guard let key = item.tableKey, let t = tables.firstIndex(of: key) else { return nil }
            switch item {
            case .table(let x): if x.handle != nil { expected.append((nil, t, "")) }
            case .chain(let c): if c.handle != nil { expected.append((.chain, t, c.name)) }
            case .rule(let r):
                for s in r.statements {
                    if case .counter(let p, let b) = s, (p ?? 0) != 0 || (b ?? 0) != 0 { return nil }
                }
                guard r.handle != nil else { return nil }
                expected.append((.rule, t, r.chain))
            default: return nil
            }
        }
        var names: [String] = []
        var nameIndex: [String: Int] = [:]
        var template: [UInt8] = []
        template.reserveCapacity(bytes.count)
        var holes: [Hole] = []
        holes.reserveCapacity(expected.count)
        let key = RuleEntriesTemplate.handleKey
        var i = 0, copied = 0, found = 0
        while i + key.count < bytes.count {
            guard bytes[i] == key[0], bytes[i..<i + key.count].elementsEqual(key) else {
                i += 1
                continue
            }
            var end = i + key.count
            while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
            guard end > i + key.count, found < expected.count else { return nil }
            let (kind, table, name) = expected[found]
            found += 1
            guard let kind else {
                // Left out, as the declarations' listing leaves it (no hole: nothing plans by it).
                if end < bytes.count, bytes[end] == UInt8(ascii: ",") {
                    template += bytes[copied..<i]
                    copied = end + 1
                } else if i > copied, bytes[i - 1] == UInt8(ascii: ",") {
                    template += bytes[copied..<i - 1]
                    copied = end
                } else {
                    return nil
                }
                i = end
                continue
            }
            template += bytes[copied..<i + key.count]
            var n = 0
            if let k = nameIndex[name] {
                n = k
            } else {
                n = names.count
                nameIndex[name] = n
                names.append(name)
            }
            holes.append(Hole(offset: template.count, kind: kind, table: table, name: n))
            copied = end
            i = end
        }
        guard found == expected.count else { return nil }
        template += bytes[copied...]
        return (template, holes, names)
    }

    // MARK: - Kept in the cache

    static let magic = Array("nftctl replay 1\n".utf8)

    static func directory() -> URL { URL(fileURLWithPath: RulesCache.directory()).appendingPathComponent("replay") }

    /// Past this many records, writing one removes the least recently written.
    static let kept = 8

    func save() {
        let dir = Self.directory()
        guard (try? PrivatePath.directory(dir.deletingLastPathComponent().path, purpose: "the cache (NFTCTL_CACHE)")) != nil,
            (try? PrivatePath.directory(dir.path, purpose: "the replay records")) != nil
        else { return }
        guard holes.allSatisfy({ $0.offset <= UInt32.max && $0.table <= UInt16.max && $0.name <= UInt32.max }) else { return }
        let plan = Array(planText.utf8)
        var holeBytes: [UInt8] = []
        holeBytes.reserveCapacity(holes.count * 12)
        for h in holes {
            withUnsafeBytes(of: UInt32(h.offset).littleEndian) { holeBytes += $0 }
            holeBytes += [h.kind.rawValue, 0]
            withUnsafeBytes(of: UInt16(h.table).littleEndian) { holeBytes += $0 }
            withUnsafeBytes(of: UInt32(h.name).littleEndian) { holeBytes += $0 }
        }
        let header: JSON = .object(
            JSONObject([
                ("fingerprint", .string(key.fingerprint)), ("path", .string(key.path)), ("replace", .bool(key.replace)),
                ("color", .bool(key.color)), ("tables", TableKeyList.json(tables)), ("commands", .number(commands)),
                ("messages", .number(batch.count)), ("rules", .number(batch.rules)), ("last", .number(batch.last)),
                ("names", .array(names.map { .string($0) })),
                (
                    "sizes",
                    .array(
                        [batch.messages.count, declarations.count, template.count, plan.count, holeBytes.count].map { .number($0) })
                )
            ]))
        var out = Self.magic
        out.reserveCapacity(batch.messages.count + template.count + plan.count + holeBytes.count + 4096)
        out += header.serializedBytes(.compact)
        out.append(0x0A)
        out += batch.messages
        out += declarations
        out += template
        out += plan
        out += holeBytes
        let url = dir.appendingPathComponent(key.fileName)
        evict(in: dir, for: url.lastPathComponent)
        _ = PrivatePath.write(out, to: url.path, mode: 0o600)
    }

    /// Removes the record: its evidence did not hold (the next apply runs whole and keeps a new one).
    func forget() { unlink(Self.directory().appendingPathComponent(key.fileName).path) }

    /// Makes room for the file `name`: the least recently written beyond `kept` go.
    private func evict(in dir: URL, for name: String) {
        let names = (OwnedPath.names(in: dir.path) ?? []).filter { $0.hasSuffix(".replay") && $0 != name }
        PrivatePath.evictOldest(names, in: dir, keep: Self.kept)
    }

    /// The record kept under `key`, read from a private file of ours and checked whole; nil
    /// when there is none or it is not one `save` wrote for that key.
    public static func read(_ key: Key) -> ReplayRecord? {
        let dir = directory()
        guard PrivatePath.isOwn(dir.path, directory: true), PrivatePath.isOwn(dir.deletingLastPathComponent().path, directory: true),
            let bytes = PrivatePath.read(dir.appendingPathComponent(key.fileName).path),
            bytes.starts(with: magic), let newline = bytes[magic.count...].firstIndex(of: 0x0A)
        else { return nil }
        var head = Array(bytes[magic.count..<newline])
        guard let h = try? JSON.parse(bytes: &head), h["fingerprint"]?.stringValue == key.fingerprint,
            h["path"]?.stringValue == key.path, h["replace"]?.boolValue == key.replace, h["color"]?.boolValue == key.color,
            let tables = TableKeyList.keys(h["tables"]), !tables.isEmpty, Set(tables).count == tables.count,
            tables.allSatisfy({ !$0.name.utf8.contains(0) }),
            let commands = h["commands"]?.intValue, let count = h["messages"]?.intValue, let rules = h["rules"]?.intValue,
            let last = h["last"]?.intValue, case .array(let nameValues)? = h["names"], case .array(let sizeValues)? = h["sizes"]
        else { return nil }
        let names = nameValues.compactMap(\.stringValue)
        let sizes = sizeValues.compactMap(\.intValue).map(Int.init)
        guard names.count == nameValues.count, sizes.count == 5, sizes.allSatisfy({ (0...bytes.count).contains($0) }),
            newline + 1 + sizes.reduce(0, +) == bytes.count, sizes[4] % 12 == 0
        else { return nil }
        var at = newline + 1
        func take(_ n: Int) -> ArraySlice<UInt8> {
            defer { at += n }
            return bytes[at..<at + n]
        }
        var batch = KernelBatch()
        batch.messages = Array(take(sizes[0]))
        batch.count = Int(count)
        batch.rules = Int(rules)
        batch.last = Int(last)
        batch.tables = tables
        let declarations = Array(take(sizes[1]))
        let template = Array(take(sizes[2]))
        guard let planText = String(validating: take(sizes[3]), as: UTF8.self) else { return nil }
        let holeBytes = take(sizes[4])
        var holes: [Hole] = []
        holes.reserveCapacity(holeBytes.count / 12)
        var o = holeBytes.startIndex
        while o < holeBytes.endIndex {
            let offset = Int(UInt32(littleEndian: NetfilterNetlink.u32(holeBytes, o)))
            let table = Int(UInt16(littleEndian: NetfilterNetlink.u16(holeBytes, o + 6)))
            let name = Int(UInt32(littleEndian: NetfilterNetlink.u32(holeBytes, o + 8)))
            let after = holes.last.map { $0.offset + 1 } ?? 0
            guard let kind = Hole.Kind(rawValue: holeBytes[o + 4]), table < tables.count, name < names.count,
                offset >= after, offset <= template.count
            else { return nil }
            holes.append(Hole(offset: offset, kind: kind, table: table, name: name))
            o += 12
        }
        var record = ReplayRecord(
            key: key, tables: tables, commands: Int(commands), batch: batch, declarations: declarations, template: template,
            holes: holes, names: names, planText: planText)
        guard let rules = record.batchRules() else { return nil }
        record.rules = rules
        return record
    }

    /// The batch's rules, read from its messages, which must be the creation of the
    /// record's tables and nothing else, as `KernelBatch.build` makes it: each message a new
    /// table, chain or rule of one of them, numbered in order, flags among those it sets, the
    /// first echoed and the last acknowledged, every rule echoed. Nil when they are not.
    func batchRules() -> [BatchRule]? {
        let m = batch.messages
        guard !m.isEmpty else { return nil }
        var out: [BatchRule] = []
        var made = Set<TableKey>()
        var at = 0, seq = 0, last = -1
        let allowed: UInt16 = 0x1 | KernelBatch.ack | KernelBatch.echo | KernelBatch.create | 0x800
        while at < m.count {
            guard at + 20 <= m.count else { return nil }
            let length = Int(NetfilterNetlink.u32(m[...], at)), type = NetfilterNetlink.u16(m[...], at + 4)
            let flags = NetfilterNetlink.u16(m[...], at + 6)
            guard length >= 20, at + length <= m.count, NetfilterNetlink.u32(m[...], at + 8) == UInt32(seq),
                NetfilterNetlink.u32(m[...], at + 12) == 0, flags & ~allowed == 0, flags & 0x1 != 0,
                let family = KernelTables.families[m[at + 16]]
            else { return nil }
            let body = m[at + 16..<at + length]
            let attributes = NetfilterNetlink.attributes(body)
            // The table's name is the first attribute of each (NFTA_TABLE_NAME, NFTA_CHAIN_TABLE, NFTA_RULE_TABLE).
            guard let first = attributes.first, first.type == 1, first.value.last == 0, !first.value.dropLast().contains(0),
                let name = String(validating: first.value.dropLast(), as: UTF8.self),
                let table = tables.firstIndex(of: TableKey(family: family, name: name))
            else { return nil }
            switch type {
            case NetfilterNetlink.nftables(0):  // NFT_MSG_NEWTABLE
                guard made.insert(tables[table]).inserted, flags & 0x800 == 0, Self.isTable(body) else { return nil }
            case NetfilterNetlink.nftables(3):  // NFT_MSG_NEWCHAIN
                guard made.contains(tables[table]), flags & 0x800 == 0, Self.isChain(body) else { return nil }
            case NetfilterNetlink.nftables(6):  // NFT_MSG_NEWRULE: table, chain, then the kernel bytes
                guard made.contains(tables[table]), flags & KernelBatch.echo != 0, attributes.count >= 2,
                    attributes[1].type == 2, attributes[1].value.last == 0, !attributes[1].value.dropLast().contains(0),
                    let chain = String(validating: attributes[1].value.dropLast(), as: UTF8.self)
                else { return nil }
                let start = (attributes[1].value.endIndex + 3) & ~3
                guard start <= at + length, KernelRules.isRuleBytes(Array(m[start..<at + length])) else { return nil }
                out.append(BatchRule(table: table, chain: chain, bytes: start..<at + length, message: seq))
            default: return nil
            }
            last = at
            at += (length + 3) & ~3
            seq += 1
        }
        guard at == m.count, seq == batch.count, last == batch.last, out.count == batch.rules, made.count == tables.count,
            NetfilterNetlink.u16(m[...], 6) & KernelBatch.echo != 0, NetfilterNetlink.u16(m[...], last + 6) & KernelBatch.ack != 0
        else { return nil }
        return out
    }

    /// True when `body` (a message's, after its nfgenmsg) is attributes that cover it
    /// exactly, each of `required` once and of `optional` at most once, nothing else (the
    /// kernel takes the last of a repeated attribute: a second table name would name
    /// another table), and `check` accepts each value.
    static func exactly(
        _ body: ArraySlice<UInt8>, after header: Int = 4, required: Set<UInt16>, optional: Set<UInt16>,
        check: (UInt16, ArraySlice<UInt8>) -> Bool = { _, _ in true }
    ) -> Bool {
        var seen = Set<UInt16>()
        var end = header
        let base = body.startIndex
        let ok = body.withUnsafeBytes { b in
            for a in NetfilterNetlink.Attributes(b, from: header) {
                guard required.contains(a.type) || optional.contains(a.type), seen.insert(a.type).inserted,
                    check(a.type, body[base + a.value.lowerBound..<base + a.value.upperBound])
                else { return false }
                end = (a.value.upperBound + 3) & ~3
            }
            return true
        }
        return ok && required.isSubset(of: seen) && end == body.count
    }

    /// A new table as `KernelBatch` encodes one: its name, flags none or dormant, a comment.
    static func isTable(_ body: ArraySlice<UInt8>) -> Bool {
        exactly(body, required: [1], optional: [2, 6]) { type, value in
            type != 2 || (NetfilterNetlink.bigEndian32(value).map { $0 <= 1 } ?? false) && value.count == 4
        }
    }

    /// A new chain as `KernelBatch` encodes one: table, name, a hook of number and
    /// priority only (no device), policy accept or drop, type, comment; no handle.
    static func isChain(_ body: ArraySlice<UInt8>) -> Bool {
        exactly(body, required: [1, 3], optional: [4, 5, 7, 12]) { type, value in
            switch type {
            case 3, 7: return value.last == 0 && !value.dropLast().contains(0)
            case 4: return exactly(value, after: 0, required: [1, 2], optional: []) { _, v in v.count == 4 }
            case 5: return value.count == 4 && (NetfilterNetlink.bigEndian32(value).map { $0 <= 1 } ?? false)
            default: return true
            }
        }
    }

    // MARK: - Checked after a replay

    /// The listing to remember after a replay: the template with the handles of the tables'
    /// chains as just listed (`chains`) and of the rules as echoed, in each chain's order;
    /// nil when one is missing.
    func listing(chains: [TableKey: [String: Int64]], echo: KernelBatch.Echo) -> [UInt8]? {
        var ruleHandles: [TableKey: [String: [Int64]]] = [:]
        for (key, contents) in echo.contents {
            for r in contents.rules { ruleHandles[key, default: [:]][r.chain, default: []].append(r.handle) }
        }
        var next: [Int: [Int: Int]] = [:]
        var out: [UInt8] = []
        out.reserveCapacity(template.count + holes.count * 8)
        var copied = 0
        for h in holes {
            let key = tables[h.table]
            let handle: Int64?
            switch h.kind {
            case .chain: handle = chains[key]?[names[h.name]]
            case .rule:
                let n = next[h.table, default: [:]][h.name, default: 0]
                next[h.table, default: [:]][h.name] = n + 1
                handle = ruleHandles[key]?[names[h.name]].flatMap { n < $0.count ? $0[n] : nil }
            }
            guard let handle else { return nil }
            out += template[copied..<h.offset]
            out += Array(String(handle).utf8)
            copied = h.offset
        }
        out += template[copied...]
        // Every echoed rule has its place.
        let placed = holes.reduce(0) { $0 + ($1.kind == .rule ? 1 : 0) }
        guard placed == echo.contents.values.reduce(0, { $0 + $1.rules.count }) else { return nil }
        return out
    }
}
