import NFTAnalysis

/// The text form of an explanation: one fact per line, indented by level, never wrapped,
/// the same input always giving the same output. Each line is escaped whole (`SafeText`):
/// names and comments cannot add lines or terminal control sequences.
extension RulesetExplanation {
    public var text: String {
        var out: [String] = []
        for t in tables {
            out.append("table \(t.family) \(t.name): \(t.familyMeaning)" + (t.comment.map { " (comment \(SafeText.quoted($0)))" } ?? ""))
            for s in t.sets {
                out.append("  \(s.isMap ? "map" : "set") \(s.name): \(s.summary)")
                for e in s.elements { out.append("    - \(e)") }
            }
            for o in t.objects { out.append("  \(o.kind) \(o.name): \(o.summary)") }
            for c in t.chains { out += c.textLines }
        }
        return out.map { SafeText.escape($0) }.joined(separator: "\n") + "\n"
    }
}

extension ChainExplanation {
    var textLines: [String] {
        var out: [String] = []
        if let b = base {
            out.append("  chain \(name): base chain, type \(b.typeMeaning)")
            out.append("    hook \(b.hook): \(b.hookMeaning)")
            out.append(
                "    priority \(b.priorityName)" + (b.priorityName == String(b.priority) ? "" : " (\(b.priority))")
                    + "; lower numbers run first")
            if b.order.count > 1 {
                let list = b.order.enumerated().map { i, p in
                    "\(i + 1). \(p.label) (\(p.priorityName))" + (p.isSelf ? " <- this chain" : "")
                }
                out.append("    order on the \(b.hook) hook: " + list.joined(separator: ", "))
            }
            out.append("    policy \(b.policy): \(b.policyMeaning)")
        } else {
            out.append(
                "  chain \(name): regular chain"
                    + (callers.isEmpty ? ", never jumped to" : ", reached by " + callers.joined(separator: "; ")))
        }
        if let comment { out.append("    comment \(SafeText.quoted(comment))") }
        for n in notes { out.append("    note: \(n)") }
        if rules.isEmpty { out.append("    (no rules)") }
        for r in rules { out += r.textLines }
        return out
    }
}

extension RuleExplanation {
    var textLines: [String] {
        var where_: [String] = []
        if let handle { where_.append("handle \(handle)") }
        if let location { where_.append(location) }
        var out = ["    rule \(position)" + (where_.isEmpty ? "" : " (" + where_.joined(separator: ", ") + ")") + ": " + nft]
        var seenCondition = false, afterAction = false
        for s in steps {
            switch s.kind {
            case .condition:
                out.append("      " + (afterAction ? "and if " : seenCondition ? "and " : "if ") + s.text)
                seenCondition = true
            case .action:
                out.append("      " + (seenCondition ? "then " : "") + s.text)
                afterAction = true
            }
        }
        if steps.isEmpty { out.append("      (empty rule: does nothing)") }
        if !afterAction && !steps.isEmpty { out.append("      then nothing: a matching packet goes on to the next rule") }
        for g in gaps { out.append("      UNEXPLAINED: \(g)") }
        return out
    }
}
