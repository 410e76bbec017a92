extension Rule {
    /// The rule's statements joined by spaces, then its comment, then (with
    /// `context.handles`) `# handle N` — one line of `nft list` output, unindented. Always
    /// one line: whatever a leaf printed raw, a newline or control character is escaped here.
    public func nftText(context: PrintContext = .init()) -> String {
        var ctx = context
        if ctx.family == nil { ctx.family = family }
        let printer = StatementPrinter(context: ctx)
        var out = statements.map(printer.text).joined(separator: " ")
        if let comment { out += (out.isEmpty ? "" : " ") + "comment " + ValueFormat.quote(comment) }
        if context.handles, let handle { out += " # handle \(handle)" }
        return SafeText.escape(out)
    }
}
