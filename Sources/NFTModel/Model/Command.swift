/// One entry of the `nftables` array: a ruleset element (as in a listing), or a command
/// wrapping one (as in input batches).
public enum RulesetItem: Sendable, Hashable {
    case metainfo(JSONObject)
    case table(Table)
    case chain(Chain)
    case rule(Rule)
    case set(NamedSet)
    case element(ElementCommand)
    case flowtable(Flowtable)
    case object(kind: ObjectKind, NamedObject)
    /// Selectors that only appear under list/flush/reset/delete: `{"ruleset": null}`,
    /// `{"tables": {...}}`, `{"counters": {...}}`, `{"meter": {...}}` ...
    case selector(key: String, value: JSON)
    case raw(JSON)
}

public enum Verb: String, Sendable, Hashable, CaseIterable {
    case add, replace, create, insert, delete, list, reset, flush, rename, destroy
}

public struct Command: Sendable, Hashable {
    public var verb: Verb
    public var item: RulesetItem
    public init(_ verb: Verb, _ item: RulesetItem) { self.verb = verb; self.item = item }
}

/// An `{"nftables": [...]}` document: commands and/or plain ruleset elements (a listing).
public struct Document: Sendable, Hashable {
    public enum Entry: Sendable, Hashable {
        case item(RulesetItem)
        case command(Command)
        case raw(JSON)
    }
    public var entries: [Entry]
    public init(_ entries: [Entry] = []) { self.entries = entries }
}
