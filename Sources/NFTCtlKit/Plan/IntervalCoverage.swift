import NFTAnalysis

/// What an interval set (or map) matches, as merged integer intervals: two listings that
/// match the same keys (with the same data) are the same set, however their elements are
/// cut. The kernel and libnftables cut them differently depending on the path they took:
/// `auto-merge` joins adjacent and overlapping elements when they are added (also with the
/// elements already in the kernel), a range is listed as a prefix where it is one, and a
/// set filled in several batches is merged batch by batch. Comparing element by element
/// would then plan deleting and re-adding what is already there.
struct IntervalCoverage: Equatable {
    /// One run of keys `lo...hi` of one kind (IPv4, IPv6 or plain number) mapping to `data`
    /// (a map's data as JSON; empty for a set).
    struct Run: Equatable {
        var kind: Int
        var lo: UInt128
        var hi: UInt128
        var data: String
    }

    var runs: [Run]

    /// Nil when an element is not a single integer-like key (concatenations, strings,
    /// elements with a timeout, comment or statements): such sets are compared element by
    /// element, as before.
    init?(_ set: NamedSet) {
        var runs: [Run] = []
        runs.reserveCapacity(set.elements.count)
        for e in set.elements {
            var key = e.normalizedForComparison(), data = ""
            if set.isMap {
                guard case .list(let pair) = key, pair.count == 2 else { return nil }
                key = pair[0].normalizedForComparison()
                data = pair[1].normalizedForComparison().json.serialized()
            }
            guard let (kind, lo, hi) = Self.interval(key) else { return nil }
            runs.append(Run(kind: kind, lo: lo, hi: hi, data: data))
        }
        runs.sort { ($0.kind, $0.lo, $0.hi) < ($1.kind, $1.lo, $1.hi) }
        var merged: [Run] = []
        merged.reserveCapacity(runs.count)
        for r in runs {
            if var last = merged.last, last.kind == r.kind, last.data == r.data,
                last.hi == .max || r.lo <= last.hi + 1
            {
                last.hi = max(last.hi, r.hi)
                merged[merged.count - 1] = last
            } else {
                merged.append(r)
            }
        }
        self.runs = merged
    }

    /// Kinds: 4 and 6 for addresses, 0 for numbers.
    static func interval(_ e: Expression) -> (Int, UInt128, UInt128)? {
        switch e {
        case .prefix(.string(let a), let len):
            guard let ip = IPAddress(a), len >= 0, len <= ip.bits else { return nil }
            let (lo, hi) = ip.interval(prefix: len)
            return (ip.version, lo, hi)
        case .range(let a, let b):
            guard let (ka, lo, _) = interval(a), let (kb, hi, _) = interval(b), ka == kb, lo <= hi,
                !isInterval(a), !isInterval(b)
            else { return nil }
            return (ka, lo, hi)
        default:
            guard let (k, v) = point(e) else { return nil }
            return (k, v, v)
        }
    }

    static func point(_ e: Expression) -> (Int, UInt128)? {
        switch e {
        case .string(let s):
            guard let ip = IPAddress(s) else { return nil }
            return (ip.version, ip.value)
        case .number(let n) where n >= 0: return (0, UInt128(n))
        case .unsigned(let n): return (0, UInt128(n))
        default: return nil
        }
    }

    static func isInterval(_ e: Expression) -> Bool {
        switch e {
        case .prefix, .range: return true
        default: return false
        }
    }
}

extension NamedSet {
    /// Flags say the set holds intervals (`flags interval`).
    var isIntervalSet: Bool { flags?.values.contains("interval") == true }
}
