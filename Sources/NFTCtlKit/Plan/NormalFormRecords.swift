import Crypto
import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// A key of the normal-form cache: a SHA-256 digest (`RulesHasher`), held as four words so
/// that ten thousand of them cost no strings. Rules files are untrusted, so a key must not be
/// forgeable: two rules with one key would get one normal form.
struct NormalFormKey: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ h: RulesHasher) { self.init(h.digest) }

    init(words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }

    init(_ digest: SHA256.Digest) {
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { raw in
            w = (
                raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            )
        }
        words = w
    }

    static func == (a: Self, b: Self) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    func hash(into h: inout Hasher) {
        h.combine(words.0)
        h.combine(words.1)
    }

    /// A rule entry by its bytes as written in a JSON file: the same bytes are the same
    /// entry, hence the same rule (`NormalizationCache.ruleKeys` checks the entry became that rule).
    static func rawEntry(_ bytes: ArraySlice<UInt8>) -> Self {
        var h = RulesHasher()
        h.combine("raw entry")
        h.combine(bytes)
        return Self(h)
    }

    /// A rule by the model's serialisation of it (rules with no entry bytes of their own).
    static func model(_ serialized: String) -> Self {
        var h = RulesHasher()
        h.combine("model")
        h.combine(serialized)
        return Self(h)
    }

    /// The key under which the kernel's bytes for this key's rule are kept
    /// (`KernelRuleBytes`), beside its normal form in the same file. Derived without hashing
    /// (ten thousand a run): a fixed mask over a SHA-256 digest, which no other key can be
    /// without a digest chosen to be that.
    var kernelBytesKey: Self {
        let m: UInt64 = 0x6b65_726e_656c_6279  // "kernelby"
        return Self(words: (words.0 ^ m, words.1 ^ m, words.2 ^ m, words.3 ^ m))
    }

    /// 64 hex digits, in the digest's byte order.
    var hex: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        let digits = Array("0123456789abcdef".utf8)
        for w in [words.0, words.1, words.2, words.3] {
            for k in 0..<8 {
                let b = UInt8(truncatingIfNeeded: w.littleEndian >> (8 * UInt64(k)))
                out.append(digits[Int(b >> 4)])
                out.append(digits[Int(b & 15)])
            }
        }
        return out
    }

    /// The inverse of `hex`; nil unless exactly 64 lowercase hex digits. Word by word, with
    /// nothing allocated: a cache file of 10k rules has 10k keys to read on every apply.
    init?(hex b: UnsafeBufferPointer<UInt8>) {
        guard b.count == 64 else { return nil }
        func word(_ n: Int) -> UInt64? {
            var v: UInt64 = 0
            for i in 0..<8 {
                guard let hi = Self.nibble(b[16 * n + 2 * i]), let lo = Self.nibble(b[16 * n + 2 * i + 1]) else { return nil }
                v |= UInt64(hi << 4 | lo) << (8 * UInt64(i))
            }
            return UInt64(littleEndian: v)
        }
        guard let w0 = word(0), let w1 = word(1), let w2 = word(2), let w3 = word(3) else { return nil }
        words = (w0, w1, w2, w3)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

/// One table's normal-form cache file: append-only records, one a line,
/// `<64 hex key> <length> <compact JSON of that length>\n`. A 1-rule change appends one
/// record rather than rewriting ten thousand. A record is trusted only whole: a line
/// without its newline (a writer killed mid-write), a length that does not match, a key that
/// is not 64 hex digits or a value that does not parse is skipped (a miss, never a normal
/// form). A later record of a key wins. The file is rewritten with only the live records
/// when it grows well beyond them.
struct NormalFormRecords {
    /// The file as read, and where each key's value lies in it.
    private(set) var bytes: [UInt8] = []
    private(set) var index: [NormalFormKey: Range<Int>] = [:]
    /// Lines in the file, whole or not (what compaction weighs against the live records).
    private(set) var lines = 0

    init() {}

    /// Parses the framing only; values are parsed when asked for (`value`). `only`: the keys
    /// to index, for a few rules of a large table (the others' records are passed over); nil
    /// for all.
    init(bytes: [UInt8], only wanted: Set<NormalFormKey>? = nil) {
        self.bytes = bytes
        if wanted == nil { index.reserveCapacity(bytes.count / 69) }  // a whole record takes at least 69 bytes
        bytes.withUnsafeBufferPointer { b in
            var start = 0
            while start < b.count {
                lines += 1
                guard let nl = memchr(b.baseAddress! + start, 0x0A, b.count - start) else { break }  // unterminated: ignored
                let end = b.baseAddress!.distance(to: nl.assumingMemoryBound(to: UInt8.self))
                if let (key, value) = Self.record(b, start..<end), wanted?.contains(key) ?? true { index[key] = value }
                start = end + 1
            }
        }
    }

    /// The key and value range of one line (newline excluded), or nil when it is not a whole record.
    private static func record(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> (NormalFormKey, Range<Int>)? {
        guard line.count > 67, b[line.lowerBound + 64] == 0x20,
            let key = NormalFormKey(hex: UnsafeBufferPointer(rebasing: b[line.lowerBound..<line.lowerBound + 64]))
        else { return nil }
        var i = line.lowerBound + 65
        var length = 0
        while i < line.upperBound, i - line.lowerBound < 65 + 10, (0x30...0x39).contains(b[i]) {
            length = length * 10 + Int(b[i] - 0x30)
            i += 1
        }
        guard i > line.lowerBound + 65, i < line.upperBound, b[i] == 0x20, line.upperBound - (i + 1) == length else { return nil }
        return (key, i + 1..<line.upperBound)
    }

    /// The value of a rule whose normal form is the rule as written (the common case: a
    /// file compiled from a listing): nothing to parse or decode when it is served.
    static let asWritten: [UInt8] = [UInt8(ascii: "0")]

    /// Whether `key`'s record says "the rule as written" (`asWritten`).
    func isAsWritten(_ key: NormalFormKey) -> Bool {
        guard let r = index[key] else { return false }
        return r.count == 1 && bytes[r.lowerBound] == Self.asWritten[0]
    }

    /// The value of `key`, parsed; nil when absent or not JSON.
    func value(_ key: NormalFormKey) -> JSON? {
        guard let r = index[key] else { return nil }
        var slice = Array(bytes[r])
        return try? JSON.parse(bytes: &slice)
    }

    /// What is kept of rule `key`'s kernel bytes (`kernelBytesKey`): nil, nothing (or a
    /// record that is not one); `.some(nil)`, bytes that say nothing lasting
    /// (`KernelRule.stable`), kept so as not to dump them again; else the bytes, which are
    /// sent as the rule (`KernelBatch`). The value is the bytes in base64 in quotes, or `"-"`.
    func kernelBytes(_ key: NormalFormKey) -> [UInt8]?? {
        guard let r = index[key.kernelBytesKey] else { return nil }
        if bytes[r] == Self.unstableBytes[...] { return .some(nil) }
        guard r.count > 2, bytes[r.lowerBound] == UInt8(ascii: "\""), bytes[r.upperBound - 1] == UInt8(ascii: "\""),
            let decoded = Self.base64(bytes[r.lowerBound + 1..<r.upperBound - 1]), KernelRules.isRuleBytes(decoded)
        else { return nil }
        return .some(decoded)
    }

    /// Standard base64 with padding, decoded in place (a cache of 50k rules has 50k of these
    /// to read per apply); nil for anything else.
    static func base64(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var i = text.startIndex
        while i < text.endIndex {
            var quad: UInt32 = 0
            var pad = 0
            for k in 0..<4 {
                let c = text[i + k]
                let v = base64Values[Int(c)]
                if c == UInt8(ascii: "="), i + 4 == text.endIndex, k >= 2 {
                    pad += 1
                } else if v == 0xFF || pad > 0 {
                    return nil
                }
                quad = quad << 6 | UInt32(v == 0xFF ? 0 : v)
            }
            out.append(UInt8(truncatingIfNeeded: quad >> 16))
            if pad < 2 { out.append(UInt8(truncatingIfNeeded: quad >> 8)) }
            if pad < 1 { out.append(UInt8(truncatingIfNeeded: quad)) }
            i += 4
        }
        return out
    }

    /// Each byte's value as a base64 digit (0xFF: not one).
    static let base64Values: [UInt8] = (0..<256).map { c in
        switch c {
        case 65...90: UInt8(c - 65)
        case 97...122: UInt8(c - 71)
        case 48...57: UInt8(c + 4)
        case 43: 62
        case 47: 63
        default: 0xFF
        }
    }

    static let unstableBytes = Array(#""-""#.utf8)

    /// The record value of a rule's kernel bytes (nil: bytes that say nothing lasting).
    static func kernelBytesValue(_ bytes: [UInt8]?) -> [UInt8] {
        guard let bytes else { return unstableBytes }
        return [UInt8(ascii: "\"")] + Array(Data(bytes).base64EncodedData()) + [UInt8(ascii: "\"")]
    }

    /// The raw value of `key`, for a rewrite.
    func rawValue(_ key: NormalFormKey) -> ArraySlice<UInt8>? {
        index[key].map { bytes[$0] }
    }

    /// One record line. Compact JSON escapes every control character, so it holds no newline.
    static func line(_ key: NormalFormKey, _ value: some Collection<UInt8>) -> [UInt8] {
        var out = key.hex
        out.append(0x20)
        out.append(contentsOf: Array(String(value.count).utf8))
        out.append(0x20)
        out.append(contentsOf: value)
        out.append(0x0A)
        return out
    }

    /// Whether the file should be rewritten with only the `live` records (`liveBytes` of
    /// them): more than twice as many lines as live records, or more than twice their size
    /// (plus slack, so a small file is not rewritten for every change).
    func needsCompaction(live: Int, liveBytes: Int) -> Bool {
        lines > 2 * live + 64 || bytes.count > 2 * liveBytes + (4 << 20)
    }

    /// Whether the file as read ends mid-line (an append then starts on a new line, so the
    /// broken tail stays one skipped line rather than swallowing the new record).
    var endsMidLine: Bool { bytes.last.map { $0 != 0x0A } ?? false }
}
