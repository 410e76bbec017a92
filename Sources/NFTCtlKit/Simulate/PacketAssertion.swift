/// One line of a TESTS file: `PACKET => VERDICT`, e.g.
/// `tcp 203.0.113.9 -> 10.0.0.1:22 state new => drop`.
/// `drop` also holds for `reject` (neither delivers the packet); `reject` only for reject.
public struct PacketAssertion: Sendable {
    public var packet: PacketSpec
    public var expected: TraceVerdict
    public var line: Int
    public var text: String

    /// Parses a TESTS file: one assertion a line, `#` comments, blank lines ignored.
    /// Every bad line is reported (one `file:line: message` a line), not only the first.
    public static func parseFile(_ text: String, path: String) throws(PacketSpecError) -> [PacketAssertion] {
        var out: [PacketAssertion] = []
        var errors: [PacketSpecError] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = String(raw)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            line = line.trimmingWhitespace
            if line.isEmpty { continue }
            do { out.append(try parse(line, line: i + 1)) } catch {
                errors.append(PacketSpecError("\(path):\(i + 1): \(error.message)", token: error.token))
            }
        }
        if let first = errors.first {
            throw PacketSpecError(errors.map(\.message).joined(separator: "\n"), token: errors.count == 1 ? first.token : nil)
        }
        return out
    }

    public static func parse(_ text: String, line: Int = 0) throws(PacketSpecError) -> PacketAssertion {
        guard let r = text.firstRange(of: "=>") else {
            throw PacketSpecError("expected 'PACKET => accept|drop|reject|queue' in '\(text)'")
        }
        let verdictText = String(text[r.upperBound...]).trimmingWhitespace
        guard let v = TraceVerdict(rawValue: verdictText.lowercased()) else {
            throw PacketSpecError(
                "unknown verdict '\(verdictText)': expected accept, drop, reject, queue or undetermined", token: verdictText)
        }
        let packet = try PacketSpec.parse(String(text[..<r.lowerBound]))
        return PacketAssertion(packet: packet, expected: v, line: line, text: text)
    }

    /// Whether `trace` satisfies this assertion.
    public func holds(for trace: Trace) -> Bool {
        trace.verdict == expected || (expected == .drop && trace.verdict == .reject)
    }
}
