/// A JSON value, Foundation-free so that rules files importing `NFTables` compile fast.
///
/// Objects keep their keys in the order they were read or built, so that what nftctl
/// prints looks like what libnftables prints; equality ignores key order, as the
/// libnftables-json schema does.
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Integers that fit in Int64 (everything nftables prints except a few u64 values).
    case int(Int64)
    /// Integers above Int64.max (u64 counters, quotas, 64-bit marks).
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object(JSONObject)

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .uint(let u): hasher.combine(Double(u))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        }
    }

    // MARK: accessors

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o }; return nil }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// An integer value, if this is a whole number that fits in Int64.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return u <= UInt64(Int64.max) ? Int64(u) : nil
        default: return nil
        }
    }

    /// A non-negative integer value.
    public var uint64Value: UInt64? {
        switch self {
        case .int(let i): return i >= 0 ? UInt64(i) : nil
        case .uint(let u): return u
        default: return nil
        }
    }

    public var isNumber: Bool {
        switch self {
        case .int, .uint, .double: return true
        default: return false
        }
    }

    public subscript(key: String) -> JSON? { objectValue?[key] }
}

/// An ordered JSON object. Lookups are linear: nftables objects have a handful of keys.
///
/// Members are a struct, not a tuple: a tuple array is destroyed through the runtime's
/// generic tuple witnesses, member by member, and freeing parsed trees of 10k rules showed in
/// profiles. Builders reserve the exact count where they know it (one allocation per object).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    @usableFromInline struct Member: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSON
        @inlinable init(_ key: String, _ value: JSON) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline var members: [Member]

    public init() { members = [] }

    /// An empty object with room for `capacity` members.
    @inlinable public init(capacity: Int) {
        members = []
        members.reserveCapacity(capacity)
    }

    public init(_ pairs: [(String, JSON)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { members.append(Member(k, v)) }
    }

    public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }

    /// A one-member object, the shape of every nftables expression, statement and command.
    @inlinable public init(key: String, value: JSON) {
        members = []
        members.reserveCapacity(1)
        members.append(Member(key, value))
    }

    /// A two- or three-member object in one allocation (what the encoders build most).
    @inlinable public init(_ k0: String, _ v0: JSON, _ k1: String, _ v1: JSON) {
        members = []
        members.reserveCapacity(2)
        members.append(Member(k0, v0))
        members.append(Member(k1, v1))
    }

    @inlinable public init(_ k0: String, _ v0: JSON, _ k1: String, _ v1: JSON, _ k2: String, _ v2: JSON) {
        members = []
        members.reserveCapacity(3)
        members.append(Member(k0, v0))
        members.append(Member(k1, v1))
        members.append(Member(k2, v2))
    }

    @usableFromInline init(members: [Member]) { self.members = members }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    /// The index of the member named `key`, if there is one.
    @inlinable func index(of key: String) -> Int? {
        var i = 0
        while i < members.count {
            if members[i].key == key { return i }
            i += 1
        }
        return nil
    }

    public subscript(key: String) -> JSON? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key, newValue))
            }
        }
    }

    /// Appends without looking for an existing key (the caller knows it is new).
    @inlinable public mutating func append(_ key: String, _ value: JSON) { members.append(Member(key, value)) }

    /// Appends only when the value is present.
    @inlinable public mutating func append(_ key: String, _ value: JSON?) {
        if let value { members.append(Member(key, value)) }
    }

    public struct Iterator: IteratorProtocol {
        @usableFromInline var base: IndexingIterator<[Member]>
        @inlinable init(_ base: IndexingIterator<[Member]>) { self.base = base }
        @inlinable public mutating func next() -> (key: String, value: JSON)? {
            base.next().map { (key: $0.key, value: $0.value) }
        }
    }

    @inlinable public func makeIterator() -> Iterator { Iterator(members.makeIterator()) }
    public var underestimatedCount: Int { members.count }

    /// The single key of a one-key object, the shape every nftables expression and statement has.
    @inlinable public var singleEntry: (key: String, value: JSON)? {
        members.count == 1 ? (key: members[0].key, value: members[0].value) : nil
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for m in lhs.members {
            guard let o = rhs[m.key], o == m.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: sum of per-pair hashes.
        var acc = 0
        for m in members {
            var h = Hasher()
            h.combine(m.key)
            h.combine(m.value)
            acc = acc &+ h.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(acc)
    }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(JSONObject(elements)) }
}

extension JSON {
    /// An integer as JSON, using `.uint` only where Int64 cannot hold it.
    public static func number(_ v: UInt64) -> JSON { v <= UInt64(Int64.max) ? .int(Int64(v)) : .uint(v) }
    public static func number(_ v: Int) -> JSON { .int(Int64(v)) }
}

extension JSON {
    /// `{key: value}`: the shape of every nftables expression, statement and command.
    @inlinable public static func keyed(_ key: String, _ value: JSON) -> JSON { .object(JSONObject(key: key, value: value)) }
}
