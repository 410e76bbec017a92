import NFTAnalysis

/// The desired side of a plan: the declared tables in the kernel's normal form (what is
/// compared with the live tables) and, per table, the form it was written in (what is sent).
/// The written form is the planner's, not part of the nftables model.
public struct DesiredState: Sendable {
    public var state: RulesetState
    public var written: [TableKey: WrittenTable]
    /// New tables held as written, not in normal form: the kernel's listing after the
    /// commit gives their normal form (`LearnedNormalForm`), not a scratch namespace.
    public var learning: Set<TableKey> = []
    /// Per table, the kernel's bytes for each rule (at its index), where the normal-form
    /// cache keeps them (`KernelRuleBytes`): verification then needs no listing of the
    /// rules, and a new table needs no libnftables to make them (`KernelBatch`).
    var kernelRuleBytes: [TableKey: KeptRuleBytes] = [:]
    /// Tables with a rule whose normal form is kept but not its kernel bytes: learnt
    /// after a verifying listing (`KernelRuleBytes.learn`).
    var kernelRuleBytesMissing: Set<TableKey> = []
    public init(state: RulesetState, written: [TableKey: WrittenTable] = [:]) { self.state = state; self.written = written }

    public var keys: [TableKey] { state.keys }
    public var tables: [TableContents] { state.tables }
}

/// A table as the user wrote it. 1.0.6 does not always load its own listing back (typeof
/// maps, ct timeout policies, some rules), so rules and created tables are sent in the form
/// the kernel was seen to turn into the normal form.
public struct WrittenTable: Sendable, Hashable {
    /// The table as written (its storage shared with the input's, not copied: a large
    /// table's rules are read here by index, not listed again).
    public var table: TableContents

    public init(_ table: TableContents) { self.table = table }

    /// Each rule as written, at the index of its normal form in the desired table's rules.
    public var rules: [Rule] { table.rules.map(\.value) }

    /// Rule `i` as written (`rules[i]` without building the array).
    public func rule(_ i: Int) -> Rule { table.rules[i].value }

    /// The declarations as written, by name (the first, as a listing would give it).
    public func set(_ name: String) -> NamedSet? { table.set(name)?.value }

    public func object(_ name: String, kind: ObjectKind) -> NamedObject? {
        table.objects.first { $0.value.body.kind == kind && $0.value.name == name }?.value
    }
}

/// A table's rules' kernel bytes as the normal-form cache keeps them, decoded only when
/// asked for: a change verified from the commit's echo never needs them, and at 10k rules
/// decoding them costs about 15 ms.
struct KeptRuleBytes: Sendable {
    private enum Source: Sendable {
        /// The cache file's records and each rule's key there (nil: the rule is not cached).
        case records(NormalFormRecords, [NormalFormKey?])
        case decoded([[UInt8]?])
    }
    private let source: Source

    init(records: NormalFormRecords, keys: [NormalFormKey?]) { source = .records(records, keys) }
    init(_ bytes: [[UInt8]?]) { source = .decoded(bytes) }

    var count: Int {
        switch source {
        case .records(_, let keys): return keys.count
        case .decoded(let bytes): return bytes.count
        }
    }

    /// Each rule's bytes, nil where they are not kept or say nothing lasting.
    func each() -> [[UInt8]?] {
        switch source {
        case .records(let records, let keys):
            return keys.map { key in
                guard let key, case .some(.some(let bytes)) = records.kernelBytes(key) else { return nil }
                return bytes
            }
        case .decoded(let bytes): return bytes
        }
    }

    /// True when a rule's bytes are kept as saying nothing lasting (made anew, they would
    /// say nothing lasting again). Bytes given decoded (learnt, or made) are lasting ones.
    var holdsUnstable: Bool {
        switch source {
        case .records(let records, let keys):
            return keys.contains { key in
                guard let key, case .some(.none) = records.kernelBytes(key) else { return false }
                return true
            }
        case .decoded: return false
        }
    }

    /// Every rule's bytes; nil unless each is kept and says something lasting.
    func all() -> [[UInt8]]? {
        let each = each()
        let known = each.compactMap { $0 }
        return known.count == each.count ? known : nil
    }
}
