/// Aligning two sequences (the rules of a chain before and after) so that one inserted
/// rule shows as one insertion, not a cascade of changes: common prefix and suffix are
/// trimmed, then Myers' O((N+M)·D) shortest edit script runs on the middle.
public enum SequenceDiff {
    public enum Edit: Sendable, Hashable {
        case keep(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    /// The edit script from `old` to `new`, or nil when more than `maxEdits` edits are needed
    /// (the caller then treats the sequence as rewritten).
    public static func edits<T: Equatable>(_ old: [T], _ new: [T], maxEdits: Int = 4000) -> [Edit]? {
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix,
            old[old.count - 1 - suffix] == new[new.count - 1 - suffix]
        { suffix += 1 }
        let a = Array(old[prefix..<(old.count - suffix)]), b = Array(new[prefix..<(new.count - suffix)])
        guard let middle = myers(a, b, maxEdits: maxEdits) else { return nil }
        var out: [Edit] = (0..<prefix).map { .keep(old: $0, new: $0) }
        for e in middle {
            switch e {
            case .keep(let o, let n): out.append(.keep(old: o + prefix, new: n + prefix))
            case .delete(let o): out.append(.delete(old: o + prefix))
            case .insert(let n): out.append(.insert(new: n + prefix))
            }
        }
        for k in 0..<suffix { out.append(.keep(old: old.count - suffix + k, new: new.count - suffix + k)) }
        return out
    }

    static func myers<T: Equatable>(_ a: [T], _ b: [T], maxEdits: Int) -> [Edit]? {
        let n = a.count, m = b.count
        if n == 0 { return (0..<m).map { .insert(new: $0) } }
        if m == 0 { return (0..<n).map { .delete(old: $0) } }
        let maxD = min(n + m, maxEdits)
        let offset = maxD + 1
        var v = [Int](repeating: 0, count: 2 * maxD + 3)
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...maxD {
            trace.append(v)
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]
                } else {
                    x = v[offset + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { found = true; break outer }
                k += 2
            }
        }
        guard found else { return nil }
        // Backtrack through the saved frontiers.
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let vd = trace[d]
            let k = x - y
            let prevK: Int
            if k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]) { prevK = k + 1 } else { prevK = k - 1 }
            let prevX = d == 0 ? 0 : vd[offset + prevK]
            let prevY = prevX - prevK
            while x > prevX && y > prevY {
                x -= 1; y -= 1
                edits.append(.keep(old: x, new: y))
            }
            if d > 0 {
                if x == prevX { edits.append(.insert(new: y - 1)) } else { edits.append(.delete(old: x - 1)) }
            }
            x = prevX; y = prevY
        }
        return edits.reversed()
    }
}
