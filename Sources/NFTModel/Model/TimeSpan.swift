/// A time value as the kernel keeps it, in milliseconds: set and element timeouts, element
/// expiry, a set's gc-interval. libnftables JSON counts these in whole seconds (1.0.6
/// truncates `1s500ms` to 1 on listing and ignores a fractional number on input), so the
/// codec writes whole seconds as integers and anything finer as fractional seconds; such a
/// batch reaches libnftables as nft syntax, which carries `1s500ms` exactly.
///
/// In a rules file: `timeout: 30` (seconds), `timeout: .milliseconds(1500)`,
/// `timeout: .minutes(2) + .milliseconds(500)`, or any `Duration`.
public struct TimeSpan: Sendable, Hashable, Comparable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    /// Whole seconds, the unit of an integer literal.
    public init(integerLiteral seconds: Int64) { milliseconds = seconds * 1000 }
    /// A `Duration`, to the millisecond (finer parts are dropped, as the kernel would).
    public init(_ duration: Duration) {
        let (s, atto) = duration.components
        milliseconds = s * 1000 + atto / 1_000_000_000_000_000
    }

    public static func milliseconds(_ n: Int) -> TimeSpan { TimeSpan(milliseconds: Int64(n)) }
    public static func seconds(_ n: Int) -> TimeSpan { TimeSpan(milliseconds: Int64(n) * 1000) }
    public static func minutes(_ n: Int) -> TimeSpan { .seconds(n * 60) }
    public static func hours(_ n: Int) -> TimeSpan { .seconds(n * 3600) }
    public static func days(_ n: Int) -> TimeSpan { .seconds(n * 86400) }
    public static func + (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(milliseconds: a.milliseconds + b.milliseconds) }
    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.milliseconds < b.milliseconds }

    /// The value in seconds when it is a whole number of them.
    public var wholeSeconds: Int64? { milliseconds % 1000 == 0 ? milliseconds / 1000 : nil }

    /// As nft prints it (`time_print`): `2m30s500ms`, each unit only when non-zero, `0s` for nothing.
    public var description: String {
        guard milliseconds > 0 else { return "0s" }
        var rest = milliseconds / 1000, out = ""
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60), ("s", 1)] where rest >= size {
            out += String(rest / size) + unit
            rest %= size
        }
        let ms = milliseconds % 1000
        return ms == 0 ? out : out + String(ms) + "ms"
    }

    /// Rounded up to 10 ms, the coarsest kernel tick (HZ=100). The kernel keeps timeouts
    /// in ticks, truncating (250 Hz lists `2s250ms` as `2s248ms`): a declared multiple of
    /// 10 ms and what any kernel lists for it compare equal after this.
    public var tickRounded: TimeSpan {
        let r = milliseconds % 10
        return r == 0 || milliseconds < 0 ? self : TimeSpan(milliseconds: milliseconds - r + 10)
    }

    /// Reads nft's spelling (`2m30s500ms`, `1d`, `0s`); nil for anything else.
    public init?(nftText text: String) {
        var total: Int64 = 0, digits: Int64? = nil
        var chars = Array(text.unicodeScalars)[...]
        guard !chars.isEmpty else { return nil }
        while let c = chars.first {
            chars = chars.dropFirst()
            if let d = Int64(exactly: c.value), c >= "0", c <= "9" {
                let (m, o1) = (digits ?? 0).multipliedReportingOverflow(by: 10)
                guard !o1 else { return nil }
                digits = m + (d - 48)
                continue
            }
            guard let n = digits else { return nil }
            let unit: Int64
            switch c {
            case "d": unit = 86_400_000
            case "h": unit = 3_600_000
            case "s": unit = 1000
            case "m":
                if chars.first == "s" { chars = chars.dropFirst(); unit = 1 } else { unit = 60_000 }
            default: return nil
            }
            let (v, o2) = n.multipliedReportingOverflow(by: unit)
            guard !o2 else { return nil }
            total += v
            digits = nil
        }
        guard digits == nil else { return nil }
        self.init(milliseconds: total)
    }

    /// libnftables JSON: integer seconds, or fractional seconds for a value with milliseconds.
    public var json: JSON {
        if let s = wholeSeconds { return .int(s) }
        return .double(Double(milliseconds) / 1000)
    }

    /// Reads libnftables JSON seconds (an integer, or a fraction carrying milliseconds).
    public init?(json: JSON) {
        if let s = json.intValue {
            guard s <= Int64.max / 1000, s >= Int64.min / 1000 else { return nil }
            self.init(milliseconds: s * 1000)
        } else if case .double(let d) = json, d.isFinite, abs(d) < 9e15 {
            self.init(milliseconds: Int64((d * 1000).rounded()))
        } else {
            return nil
        }
    }
}
