/// Whether two `nft list ruleset` listings differ only in the order in which the elements of
/// anonymous sets are listed. nft lists an anonymous set in the kernel's order, which
/// follows insertion, so `{ syn | ack, syn }` and `{ syn, syn | ack }` are the same set in
/// the kernel (`nft list ruleset | nft -f -` reorders it too). Recognised exactly, never
/// loosely: the listings must have the same lines, and each line that differs must become
/// identical once the elements inside every `{ … }` on it are sorted.
enum AnonymousSetOrder {
    static func isTheOnlyDifference(_ expected: String, _ actual: String) -> Bool {
        guard expected != actual else { return false }
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        guard e.count == a.count else { return false }
        for (x, y) in zip(e, a) where x != y {
            // A named set's `elements = { … }` is not an anonymous set.
            if x.trimmingCharacters(in: .whitespaces).hasPrefix("elements") { return false }
            guard let sx = sortingSetElements(x), let sy = sortingSetElements(y), sx == sy else { return false }
        }
        return true
    }

    /// The line with the elements inside each `{ … }` sorted, inner braces first; nil when
    /// its braces do not balance on the line (a block such as `chain input {`).
    static func sortingSetElements(_ line: Substring) -> String? {
        var open: [String] = [""]  // the text of each brace not yet closed, outermost first
        var quoted = false
        for ch in line {
            if ch == "\"" { quoted.toggle() }
            if quoted || (ch != "{" && ch != "}") {
                open[open.count - 1].append(ch)
            } else if ch == "{" {
                open.append("")
            } else {
                guard open.count > 1 else { return nil }
                let inside = open.removeLast()
                let elements = topLevelElements(inside).map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
                open[open.count - 1] += "{ " + elements.joined(separator: ", ") + " }"
            }
        }
        return open.count == 1 && !quoted ? open[0] : nil
    }

    /// `inside` split at its commas that are not within brackets, parentheses or quotes.
    static func topLevelElements(_ inside: String) -> [String] {
        var parts: [String] = [""]
        var depth = 0
        var quoted = false
        for ch in inside {
            if ch == "\"" { quoted.toggle() }
            if !quoted {
                if "{([".contains(ch) { depth += 1 }
                if "})]".contains(ch) { depth -= 1 }
                if ch == "," && depth == 0 {
                    parts.append("")
                    continue
                }
            }
            parts[parts.count - 1].append(ch)
        }
        return parts
    }
}
