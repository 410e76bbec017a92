/// Strict reading of one JSON object: every key must be read, so that a shape with a key
/// the model does not know is rejected (and kept raw) instead of losing that key.
///
/// What was read is a bit per member (no array of names per object decoded); objects of more
/// than 64 members, which no nftables shape has, fall back to a list of flags.
struct Reader {
    let object: JSONObject
    let what: String
    private var used: UInt64 = 0
    private var usedBeyond64: [Bool] = []

    init(_ json: JSON, _ what: String) throws(Problem) {
        guard case .object(let o) = json else { throw Problem("\(what): expected an object, got \(json.kindName)") }
        object = o
        self.what = what
    }

    init(object: JSONObject, _ what: String) {
        self.object = object
        self.what = what
    }

    private func isUsed(_ i: Int) -> Bool {
        i < 64 ? used & (1 << UInt64(i)) != 0 : (i - 64 < usedBeyond64.count && usedBeyond64[i - 64])
    }

    mutating func optJSON(_ k: String) -> JSON? {
        guard let i = object.index(of: k) else { return nil }
        if i < 64 {
            used |= 1 << UInt64(i)
        } else {
            if usedBeyond64.isEmpty { usedBeyond64 = Array(repeating: false, count: object.count - 64) }
            usedBeyond64[i - 64] = true
        }
        return object.members[i].value
    }

    mutating func json(_ k: String) throws(Problem) -> JSON {
        guard let v = optJSON(k) else { throw Problem("\(what): missing \"\(k)\"") }
        return v
    }

    mutating func optString(_ k: String) throws(Problem) -> String? {
        guard let v = optJSON(k) else { return nil }
        guard case .string(let s) = v else { throw Problem("\(what): \"\(k)\" must be a string, got \(v.kindName)") }
        return s
    }

    mutating func string(_ k: String) throws(Problem) -> String {
        guard let s = try optString(k) else { throw Problem("\(what): missing \"\(k)\"") }
        return s
    }

    mutating func optInt(_ k: String) throws(Problem) -> Int64? {
        guard let v = optJSON(k) else { return nil }
        guard let i = v.intValue else { throw Problem("\(what): \"\(k)\" must be an integer, got \(v.kindName)") }
        return i
    }

    /// A time value in seconds, whole or fractional (`TimeSpan`).
    mutating func optTime(_ k: String) throws(Problem) -> TimeSpan? {
        guard let v = optJSON(k) else { return nil }
        guard let t = TimeSpan(json: v) else { throw Problem("\(what): \"\(k)\" must be a number of seconds, got \(v.kindName)") }
        return t
    }

    mutating func int(_ k: String) throws(Problem) -> Int64 {
        guard let i = try optInt(k) else { throw Problem("\(what): missing \"\(k)\"") }
        return i
    }

    mutating func optSmallInt(_ k: String) throws(Problem) -> Int? {
        guard let v = try optInt(k) else { return nil }
        guard v >= Int64(Int32.min), v <= Int64(Int32.max) else {
            throw Problem("\(what): \"\(k)\" is out of range: \(v)")
        }
        return Int(v)
    }

    mutating func smallInt(_ k: String) throws(Problem) -> Int {
        guard let i = try optSmallInt(k) else { throw Problem("\(what): missing \"\(k)\"") }
        return i
    }

    mutating func optUInt(_ k: String) throws(Problem) -> UInt64? {
        guard let v = optJSON(k) else { return nil }
        guard let i = v.uint64Value else {
            throw Problem("\(what): \"\(k)\" must be a non-negative integer, got \(v.kindName)")
        }
        return i
    }

    mutating func optBool(_ k: String) throws(Problem) -> Bool? {
        guard let v = optJSON(k) else { return nil }
        guard case .bool(let b) = v else { throw Problem("\(what): \"\(k)\" must be true or false, got \(v.kindName)") }
        return b
    }

    mutating func optFlags(_ k: String) throws(Problem) -> FlagList? {
        guard let v = optJSON(k) else { return nil }
        return try FlagList.decode(v, "\(what) \"\(k)\"")
    }

    mutating func optExpr(_ k: String) -> Expression? {
        optJSON(k).map(Expression.init(json:))
    }

    mutating func expr(_ k: String) throws(Problem) -> Expression {
        Expression(json: try json(k))
    }

    /// Rejects keys that were not read.
    func finish() throws(Problem) {
        let all: UInt64 = object.count >= 64 ? ~0 : (1 << UInt64(object.count)) - 1
        if used == all && object.count <= 64 { return }
        for i in 0..<object.count where !isUsed(i) {
            // A repeated key (only a built object can hold one) counts as read with its first.
            let k = object.members[i].key
            if let first = object.index(of: k), isUsed(first) { continue }
            throw Problem("\(what): unknown property \"\(k)\"")
        }
    }
}

extension FlagList {
    static func decode(_ v: JSON, _ what: String) throws(Problem) -> FlagList {
        switch v {
        case .string(let s): return FlagList([s], scalar: true)
        case .array(let a):
            var out: [String] = []
            for x in a {
                guard case .string(let s) = x else { throw Problem("\(what): flags must be strings, got \(x.kindName)") }
                out.append(s)
            }
            return FlagList(out)
        default: throw Problem("\(what): expected a string or an array of strings, got \(v.kindName)")
        }
    }

    var json: JSON { scalar ? .string(values[0]) : .array(values.map(JSON.string)) }
}

extension JSON {
    /// A short name of the value's JSON type, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .uint, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Builds a JSON object in key order, skipping absent optionals.
struct Writer {
    var object: JSONObject
    /// `capacity`: the most keys this object can get (reserved once, not grown key by key).
    init(capacity: Int = 8) { object = JSONObject(capacity: capacity) }
    mutating func put(_ k: String, _ v: JSON?) { object.append(k, v) }
    mutating func put(_ k: String, _ v: String?) { object.append(k, v.map(JSON.string)) }
    mutating func put(_ k: String, _ v: Int64?) { object.append(k, v.map(JSON.int)) }
    mutating func put(_ k: String, _ v: Int?) { object.append(k, v.map { JSON.int(Int64($0)) }) }
    mutating func put(_ k: String, _ v: UInt64?) { object.append(k, v.map(JSON.number)) }
    mutating func put(_ k: String, _ v: TimeSpan?) { object.append(k, v?.json) }
    mutating func put(_ k: String, _ v: Bool?) { object.append(k, v.map(JSON.bool)) }
    mutating func put(_ k: String, _ v: FlagList?) { object.append(k, v?.json) }
    mutating func put(_ k: String, _ v: Expression?) { object.append(k, v?.json) }
    var json: JSON { .object(object) }
}
