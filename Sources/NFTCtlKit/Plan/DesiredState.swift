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
    var kernelRuleBytes: [TableKey: [[UInt8]?]] = [:]
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
