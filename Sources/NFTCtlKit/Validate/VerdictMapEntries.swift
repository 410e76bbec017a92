import NFTAnalysis

/// `22 => counter` type-checks in the DSL (a verdict and a statement are both rule items),
/// but a verdict map holds only verdicts: the DSL leaves a marker (`DSLMarker`, resolved to
/// `not a verdict: counter` when the rules program's output is read), reported here at the
/// user's line rather than as libnftables' "not a verdict" with no place.
extension TableValidator {
    func checkVerdictMapEntries() -> [Diagnostic] {
        var out: [Diagnostic] = []
        /// One expression (the caller walks the tree).
        let prefix = DSLMarker.Kind.notAVerdict.prefix
        func report(_ e: Expression, object: () -> String, at location: SourceLocation?) {
            guard case .string(let text) = e, text.hasPrefix(prefix) else { return }
            add(String(text.dropFirst(prefix.count)), object(), location)
        }
        func add(_ what: String, _ object: String, _ location: SourceLocation?) {
            out.append(
                Diagnostic(
                    .error, "a verdict map entry needs a verdict (accept, drop, jump(chain), goto(chain), return, continue), not `\(what)`",
                    object: object, at: location))
        }
        for (i, lr) in table.rules.enumerated() {
            for s in lr.value.statements { s.forEachExpression { report($0, object: { ruleObject(i) }, at: lr.location) } }
        }
        for ls in table.sets {
            func object() -> String { "\(ls.value.isMap ? "map" : "set") \(tableName) \(ls.value.name)" }
            ls.value.elem?.forEach { $0.forEach { report($0, object: object, at: ls.location) } }
        }
        return out
    }
}
