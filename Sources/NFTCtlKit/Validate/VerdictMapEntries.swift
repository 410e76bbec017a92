import NFTables

/// `22 => counter` type-checks in the DSL (a verdict and a statement are both rule items),
/// but a verdict map holds only verdicts: the DSL leaves a marker, reported here at the
/// user's line rather than as libnftables' "not a verdict" with no place.
extension TableValidator {
    func checkVerdictMapEntries() -> [Diagnostic] {
        var out: [Diagnostic] = []
        /// One expression (the caller walks the tree): a raw string in the rules program, a
        /// plain string once it has crossed JSON.
        func report(_ e: Expression, object: String, at location: SourceLocation?) {
            guard case .raw(.string(let text)) = e, text.hasPrefix(notAVerdictMarker) else {
                guard case .string(let text) = e, text.hasPrefix(notAVerdictMarker) else { return }
                return add(text, object, location)
            }
            add(text, object, location)
        }
        func add(_ text: String, _ object: String, _ location: SourceLocation?) {
            let what = text.dropFirst(notAVerdictMarker.count)
            out.append(Diagnostic(.error, "a verdict map entry needs a verdict (accept, drop, jump(chain), goto(chain), return, continue), not `\(what)`",
                                  object: object, at: location))
        }
        var index: [String: Int] = [:]
        for lr in table.rules {
            index[lr.value.chain, default: 0] += 1
            let object = "rule \(index[lr.value.chain]!) of chain \(tableName) \(lr.value.chain)"
            for s in lr.value.statements { s.forEachExpression { report($0, object: object, at: lr.location) } }
        }
        for ls in table.sets {
            let object = "\(ls.value.isMap ? "map" : "set") \(tableName) \(ls.value.name)"
            ls.value.elem?.forEach { $0.forEach { report($0, object: object, at: ls.location) } }
        }
        return out
    }
}
