import NFTAnalysis

/// What must change in the kernel to reach the desired tables: per table, a list of
/// changes, in nft terms. Both sides are kernel listings (the desired side normalised by a
/// scratch load on the same kernel), so what the kernel rewrites is never a difference.
public struct Plan: Sendable {
    public var tables: [TablePlan]

    public var isEmpty: Bool { tables.allSatisfy { $0.changes.isEmpty } }
    /// The counts are of the markers the plan shows (`Change.markers`): every `+` line is an
    /// addition, every `~` a change, every `-` a deletion, in text and in JSON.
    public var additions: Int { count(.add) }
    public var modifications: Int { count(.change) }
    public var deletions: Int { count(.delete) }

    func count(_ sign: Change.Sign) -> Int {
        tables.reduce(0) { $0 + $1.changes.reduce(0) { $0 + $1.markers.filter { $0 == sign }.count } }
    }

    public var summary: String { Self.summary(additions: additions, modifications: modifications, deletions: deletions) }

    static func summary(additions: Int, modifications: Int, deletions: Int) -> String {
        "\(additions) to add, \(modifications) to change, \(deletions) to delete."
    }
}

/// Why a table is replaced whole.
public enum Replacement: Sendable, Hashable {
    /// The kernel cannot make these changes in place; the text says which.
    case needed(String)
    /// The user asked for every table to be replaced (the `replace` option).
    case asked
}

public struct TablePlan: Sendable {
    public enum Mode: Sendable, Hashable {
        /// The table does not exist yet: every object is an addition.
        case create
        /// Declared objects are edited in place; handles and counters of unchanged rules survive.
        case update
        /// A change the kernel cannot make in place (a base chain's hook, type or priority, a
        /// set's type or flags), or the user asked for it: the table is replaced whole,
        /// atomically. Says why.
        case replace(Replacement)
        /// A managed table the rules no longer declare (with --prune).
        case delete
    }

    public var key: TableKey
    public var mode: Mode
    public var changes: [Change]
    /// The desired table (nil when deleting).
    public var desired: TableContents?
    /// The live table with kernel handles (nil when creating).
    public var live: TableContents?
    /// The desired table as written, where the normaliser kept it: what is sent.
    public var written: WrittenTable? = nil

    /// Replaced whole: shown even when nothing in it changes (its counters restart).
    public var isReplaced: Bool {
        if case .replace = mode { return true }
        return false
    }
}

public struct Change: Sendable, Hashable {
    public enum Sign: String, Sendable {
        case add = "+"
        case delete = "-"
        case change = "~"
    }
    public enum Subject: Sendable, Hashable {
        case table(Table)
        case chain(old: Chain?, new: Chain?)
        case set(old: NamedSet?, new: NamedSet?)
        case elements(set: NamedSet, added: [Expression], removed: [Expression])
        case object(old: NamedObject?, new: NamedObject?)
        case flowtable(old: Flowtable?, new: Flowtable?)
        /// A rule: `old` carries its kernel handle; `before` is the handle of the kept rule the
        /// new one goes in front of (nil: append).
        case rule(chain: String, old: Rule?, new: Rule?, before: Int64?)
    }
    public var sign: Sign
    public var subject: Subject
    /// Where the desired side was written.
    public var location: SourceLocation?
    /// A new or changed rule as the user wrote it: what the batch sends (`new` is the
    /// kernel's normal form of it, what is shown and compared).
    public var send: Rule?

    public init(sign: Sign, subject: Subject, location: SourceLocation? = nil, send: Rule? = nil) {
        self.sign = sign; self.subject = subject; self.location = location; self.send = send
    }

    /// The entries this change shows, one marker each: an element delta is a `-` line for the
    /// elements removed and a `+` line for those added (one line per set and direction,
    /// however many elements it holds); anything else is one entry with its sign.
    public var markers: [Sign] {
        guard case .elements(_, let added, let removed) = subject else { return [sign] }
        return (removed.isEmpty ? [] : [.delete]) + (added.isEmpty ? [] : [.add])
    }

    /// The chain a change belongs to when shown grouped (nil: table level).
    public var chain: String? {
        switch subject {
        case .chain(let o, let n): return (n ?? o)?.name
        case .rule(let c, _, _, _): return c
        default: return nil
        }
    }
}
