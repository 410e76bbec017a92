/// Named sets and maps inside a table listing, in nft 1.0.6's order: type, policy,
/// size, flags, element statements, auto-merge, timeout, gc-interval, comment, elements.
extension ListingPrinter {
    func set(_ s: NamedSet, extraElements: [Expression]) -> String {
        var out = "\t" + (s.isMap ? "map " : "set ") + SafeText.name(s.name) + " {" + handle(s.handle) + "\n"
        out += "\t\t" + declaredType(s) + "\n"
        let flags = s.flags?.values ?? []
        if !flags.contains("constant") {
            if let p = s.policy, p != "performance" { out += "\t\tpolicy " + p + "\n" }
            if let size = s.size, size > 0 { out += "\t\tsize \(size)\n" }
        }
        // As nft 1.0.6: a default timeout implies the timeout flag, so that flag alone does
        // not make a flags line; when another flag does, the line names timeout too.
        let order = NamedSet.knownFlags
        let implied = (s.timeout?.milliseconds ?? 0) > 0
        if order.contains(where: { flags.contains($0) && !($0 == "timeout" && implied) }) {
            out += "\t\tflags " + order.filter(flags.contains).joined(separator: ",") + "\n"
        }
        if let stmts = s.stmt, !stmts.isEmpty {
            var quiet = context
            quiet.stateless = true
            let sp = StatementPrinter(context: quiet)
            out += "\t\t" + stmts.map(sp.text).joined(separator: " ") + "\n"
        }
        if s.autoMerge == true { out += "\t\tauto-merge\n" }
        if let t = s.timeout, t.milliseconds > 0 { out += "\t\ttimeout " + ValueFormat.duration(t) + "\n" }
        if let g = s.gcInterval, g.milliseconds > 0 { out += "\t\tgc-interval " + ValueFormat.duration(g) + "\n" }
        if let c = s.comment { out += "\t\tcomment " + ValueFormat.quote(c) + "\n" }
        let elements = s.elements + extraElements
        if !elements.isEmpty { out += "\t\telements = " + elementList(elements, s) + "\n" }
        return out + "\t}\n"
    }

    private func declaredType(_ s: NamedSet) -> String {
        guard let key = s.type else { return "type " }
        var usesTypeof = false
        if case .typeof = key { usesTypeof = true }
        var out = (usesTypeof ? "typeof " : "type ") + keyText(key)
        if let data = s.map { out += " : " + keyText(data) }
        return out
    }

    private func keyText(_ key: SetKeyType) -> String {
        switch key {
        case .named(let n): return n
        case .concat(let l): return l.joined(separator: " . ")
        case .typeof(let e): return ExpressionPrinter(context: context).text(e, as: nil)
        }
    }

    /// `{ a, b, ... }` wrapped like nft: a break after every `perLine` elements, or
    /// after each element for types without a count.
    private func elementList(_ elements: [Expression], _ s: NamedSet) -> String {
        let ep = ExpressionPrinter(context: context)
        let keyType = s.type.map(ValueType.of) ?? .plain
        let dataType = s.map.map(ValueType.of)
        let perLine = ElementWrap.perLine(s.type)
        var out = "{ ", count = 0
        for (i, e) in elements.enumerated() {
            if i > 0 {
                if let n = perLine, count < n {
                    out += ", "
                } else {
                    out += ",\n\t\t\t     "
                    count = 0
                }
            }
            out += ep.setItem(e, keyType: keyType, dataType: s.isMap ? (dataType ?? .plain) : nil)
            count += 1
        }
        return out + " }"
    }
}
