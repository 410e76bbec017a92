import NFTAnalysis

/// `22 => counter` type-checks in the DSL (a verdict and a statement are both rule items),
/// but a verdict map holds only verdicts: the DSL leaves a marker, reported here at the
/// user's line rather than as libnftables' "not a verdict" with no place.
extension TableValidator {
    func checkVerdictMapEntries() -> [Diagnostic] {
        var out: [Diagnostic] = []
        /// One expression (the caller walks the tree): a raw string in the rules program, a
        /// plain string once it has crossed JSON.
        func report(_ e: Expression, object: String, at location: SourceLocation?) {
            switch e {
            case .raw(.string(let text)), .string(let text):
                guard let marker = NotAVerdict.parse(text) else { return }
                let what = marker.statements.isEmpty ? marker.text : marker.statements.map { $0.nftText() }.joined(separator: " ")
                add(what, object, location)
            default: return
            }
        }
        func add(_ what: String, _ object: String, _ location: SourceLocation?) {
            out.append(
                Diagnostic(
                    .error, "a verdict map entry needs a verdict (accept, drop, jump(chain), goto(chain), return, continue), not `\(what)`",
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
