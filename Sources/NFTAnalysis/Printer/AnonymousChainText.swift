import NFTModel

extension AnonymousChain {
    /// The statement a marker stands for: nft's own text of the chain (`jump { counter;
    /// tcp dport 22 accept; }`), inner anonymous chains included. Other statements as they are.
    public static func resolved(_ statement: Statement) -> Statement {
        guard case .text(let t) = statement, let chain = parse(t) else { return statement }
        let body = chain.rules.map { r in
            Rule(family: "", table: "", chain: "", expr: r.statements.map(resolved), comment: r.comment).nftText() + "; "
        }
        return .text(chain.verdict + " { " + body.joined() + "}")
    }
}

extension Document {
    /// The document with every anonymous-chain marker of its rules printed as nft text.
    public func resolvingAnonymousChains() -> Document {
        func rule(_ item: RulesetItem) -> RulesetItem {
            guard case .rule(var r) = item, let expr = r.expr else { return item }
            r.expr = expr.map(AnonymousChain.resolved)
            return .rule(r)
        }
        return Document(
            entries.map { e in
                switch e {
                case .item(let i): return .item(rule(i))
                case .command(let c): return .command(Command(c.verb, rule(c.item)))
                case .raw: return e
                }
            })
    }
}
