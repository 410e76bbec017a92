import NFTAnalysis

/// A statement after one that ends the rule's evaluation never runs, and libnftables refuses
/// the rule ("Statement after terminal statement has no effect") without saying where. The
/// terminal statements are the ones nft 1.0.6 flags so (measured): every verdict but
/// `continue`, `reject`, `queue`, and the NAT statements; not `tproxy`, `vmap` or `notrack`.
extension TableValidator {
    func checkTerminalStatements() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (i, lr) in table.rules.enumerated() {
            let r = lr.value
            let statements = r.statements
            guard let end = statements.firstIndex(where: Self.isTerminal), end < statements.count - 1 else { continue }
            let context = PrintContext(family: family)
            let after = statements[(end + 1)...].map { "`\($0.nftText(context: context))`" }.joined(separator: ", ")
            out.append(
                Diagnostic(
                    .error,
                    "\(after) after `\(statements[end].nftText(context: context))` never runs: a rule stops at its verdict; move it before",
                    object: ruleObject(i), at: lr.location))
        }
        return out
    }

    static func isTerminal(_ s: Statement) -> Bool {
        switch s {
        case .verdict(let v): return v != .continue
        case .reject, .queue, .nat: return true
        default: return false
        }
    }
}
