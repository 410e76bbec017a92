/// An IPv4 or IPv6 address as one 128-bit number, so prefixes and ranges are integer
/// intervals. IPv4 uses the low 32 bits.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public var version: Int
    public var value: UInt128

    public init(version: Int, value: UInt128) { self.version = version; self.value = value }

    /// Parses dotted IPv4 or (compressed, optionally IPv4-suffixed) IPv6 text.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let v = IPAddress.parse6(text) else { return nil }
            self.init(version: 6, value: v)
        } else {
            guard let v = IPAddress.parse4(text) else { return nil }
            self.init(version: 4, value: UInt128(v))
        }
    }

    public var bits: Int { version == 4 ? 32 : 128 }

    /// The first and last address of `self/len`.
    public func interval(prefix len: Int) -> (UInt128, UInt128) {
        let host = bits - max(0, min(len, bits))
        let mask: UInt128 = host >= 128 ? ~0 : (UInt128(1) << UInt128(host)) - 1
        return (value & ~mask, value | mask)
    }

    public var isLoopback: Bool {
        version == 4 ? (value >> 24) == 127 : value == 1
    }

    public var description: String { IPAddress.format(value, version: version) }

    static func parse4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt32(p), n <= 255 else { return nil }
            v = v << 8 | n
        }
        return v
    }

    static func parse6(_ text: String) -> UInt128? {
        var groups: [UInt16] = []
        var tail: [UInt16] = []
        var halves = [text]
        if let r = text.firstRange(of: "::") {
            halves = [String(text[..<r.lowerBound]), String(text[r.upperBound...])]
            guard !halves[1].contains("::") else { return nil }
        }
        func parseGroups(_ s: String, allowV4: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if allowV4, i == parts.count - 1, p.contains("."), let v4 = parse4(String(p)) {
                    out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xffff))
                } else {
                    guard !p.isEmpty, p.count <= 4, let g = UInt16(p, radix: 16) else { return nil }
                    out.append(g)
                }
            }
            return out
        }
        if halves.count == 2 {
            guard let a = parseGroups(halves[0], allowV4: false), let b = parseGroups(halves[1], allowV4: true),
                a.count + b.count <= 7
            else { return nil }
            groups = a; tail = b
            groups += Array(repeating: 0, count: 8 - a.count - b.count) + tail
        } else {
            guard let a = parseGroups(text, allowV4: true), a.count == 8 else { return nil }
            groups = a
        }
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    static func format(_ v: UInt128, version: Int) -> String {
        if version == 4 {
            return (0..<4).map { String((v >> UInt128(24 - 8 * $0)) & 0xff) }.joined(separator: ".")
        }
        let g = (0..<8).map { UInt16(truncatingIfNeeded: v >> UInt128(112 - 16 * $0)) }
        // The longest run of two or more zero groups becomes "::".
        var best = (start: -1, len: 0), i = 0
        while i < 8 {
            if g[i] == 0 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i > best.len && j - i >= 2 { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        let hex = g.map { String($0, radix: 16) }
        if best.start < 0 { return hex.joined(separator: ":") }
        let head = hex[0..<best.start].joined(separator: ":")
        let rest = hex[(best.start + best.len)...].joined(separator: ":")
        return head + "::" + rest
    }
}
