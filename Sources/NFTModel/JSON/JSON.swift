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
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [(key: String, value: JSON)]

    public init() { pairs = [] }
    public init(_ pairs: [(String, JSON)]) { self.pairs = pairs.map { (key: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }

    public var count: Int { pairs.count }
    public var isEmpty: Bool { pairs.isEmpty }
    public var keys: [String] { pairs.map(\.key) }

    public subscript(key: String) -> JSON? {
        get { pairs.first(where: { $0.key == key })?.value }
        set {
            if let i = pairs.firstIndex(where: { $0.key == key }) {
                if let newValue { pairs[i].value = newValue } else { pairs.remove(at: i) }
            } else if let newValue {
                pairs.append((key: key, value: newValue))
            }
        }
    }

    /// Appends without looking for an existing key (the caller knows it is new).
    public mutating func append(_ key: String, _ value: JSON) { pairs.append((key: key, value: value)) }

    /// Appends only when the value is present.
    public mutating func append(_ key: String, _ value: JSON?) {
        if let value { pairs.append((key: key, value: value)) }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: JSON)]> { pairs.makeIterator() }

    /// The single key of a one-key object, the shape every nftables expression and statement has.
    public var singleEntry: (key: String, value: JSON)? { pairs.count == 1 ? pairs[0] : nil }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.pairs.count == rhs.pairs.count else { return false }
        for (k, v) in lhs.pairs {
            guard let o = rhs[k], o == v else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: sum of per-pair hashes.
        var acc = 0
        for (k, v) in pairs {
            var h = Hasher()
            h.combine(k)
            h.combine(v)
            acc = acc &+ h.finalize()
        }
        hasher.combine(pairs.count)
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
    public static func keyed(_ key: String, _ value: JSON) -> JSON { .object(JSONObject([(key, value)])) }
}
