import NFTAnalysis

/// The desired side of a plan: the declared tables in the kernel's normal form (what is
/// compared with the live tables) and, per table, the form it was written in (what is sent).
/// The written form is the planner's, not part of the nftables model.
public struct DesiredState: Sendable {
    public var state: RulesetState
    public var written: [TableKey: WrittenTable]
    public init(state: RulesetState, written: [TableKey: WrittenTable] = [:]) { self.state = state; self.written = written }

    public var keys: [TableKey] { state.keys }
    public var tables: [TableContents] { state.tables }
}

/// A table as the user wrote it. 1.0.6 does not always load its own listing back (typeof
/// maps, ct timeout policies, some rules), so rules and created tables are sent in the form
/// the kernel was seen to turn into the normal form.
public struct WrittenTable: Sendable, Hashable {
    /// Each rule as written, at the index of its normal form in the desired table's rules.
    public var rules: [Rule]
    /// The whole table as written, as a flat listing.
    public var items: [RulesetItem]

    public init(_ table: TableContents) {
        rules = table.rules.map(\.value)
        var one = RulesetState()
        one.tables = [table]
        items = one.listingItems
    }

    /// The declarations as written, by name.
    public func set(_ name: String) -> NamedSet? {
        for case .set(let s) in items where s.name == name { return s }
        return nil
    }

    public func object(_ name: String, kind: ObjectKind) -> NamedObject? {
        for case .object(let k, let o) in items where k == kind && o.name == name { return o }
        return nil
    }
}
