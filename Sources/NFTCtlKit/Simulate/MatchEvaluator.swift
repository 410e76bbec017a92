import NFTAnalysis

/// Evaluates one `match` statement and set/map lookups against the packet.
extension TraceRun {
    /// The elements of a set-like right-hand side (`{...}` or `@name`), or nil for a scalar.
    func setElements(_ rhs: Expression, table: TableContents) -> Known<[Expression]>? {
        switch rhs {
        case .set(let elems, _): return .value(elems)
        case .string(let s):
            guard let ref = SetReference(reference: s) else { return nil }
            guard let set = table.set(ref.name) else {
                return .unknown("set \(ref) is not declared in table \(table.key)")
            }
            return .value(set.value.elements)
        default: return nil
        }
    }

    func evalFields(_ e: Expression) -> Known<[Field]> {
        var fe = FieldEvaluator(packet: packet, hook: hook, chainPriority: chainPriority)
        let r = fe.fields(e)
        assumptions.append(contentsOf: fe.assumptions)
        return r
    }

    /// `left op right`: true, false (with why), or cannot tell (with why).
    func match(_ left: Expression, _ op: MatchOperator, _ right: Expression, table: TableContents) -> (Known<Bool>, String) {
        let what = left.nftText()
        let fields: [Field]
        switch evalFields(left) {
        case .absent(let why): return (.value(false), "\(what): \(why)")
        case .unknown(let why):
            if let decided = interfaceByAssumption(left, op, right) { return decided }
            return (.unknown(why), "cannot evaluate \(what): \(why)")
        case .value(let f): fields = f
        }
        let kinds = fields.map(\.kind)
        let shown = fields.map(\.text).joined(separator: " . ")
        let rhsText = right.nftText()

        // Bit tests: `ct state established,related`, `tcp flags ! syn`.
        if op == .in || op == .not, fields.count == 1, kinds[0].isBitmask, setElements(right, table: table) == nil {
            guard let mask = Literal.number(right, kind: kinds[0]) else {
                return (.unknown("cannot read \(rhsText)"), "cannot evaluate \(what): cannot read \(rhsText)")
            }
            let hit = fields[0].number & mask != 0
            let ok = op == .in ? hit : !hit
            return (.value(ok), "\(what) is \(shown): \(ok ? "matches" : "does not match") \(op == .not ? "! " : "")\(rhsText)")
        }
        if [.lt, .gt, .le, .ge].contains(op) {
            guard fields.count == 1, let n = Literal.number(right, kind: kinds[0]) else {
                return (.unknown("cannot compare with \(rhsText)"), "cannot evaluate \(what) \(op.rawValue) \(rhsText)")
            }
            let v = fields[0].number
            let ok: Bool
            switch op {
            case .lt: ok = v < n
            case .gt: ok = v > n
            case .le: ok = v <= n
            default: ok = v >= n
            }
            return (.value(ok), "\(what) is \(shown): \(ok ? "" : "not ")\(op.rawValue) \(rhsText)")
        }
        // Equality or membership.
        let elements: [Expression]
        switch setElements(right, table: table) {
        case .value(let e)?: elements = e
        case .unknown(let why)?: return (.unknown(why), "cannot evaluate \(what): \(why)")
        case .absent(let why)?: return (.value(false), why)
        case nil:
            if case .list(let l) = right, !kinds[0].isBitmask { elements = l } else { elements = [right] }
        }
        var hit: Expression?
        for el in elements {
            guard let pats = Literal.element(el, kinds: kinds) else {
                return (
                    .unknown("cannot read element \(el.nftText()) for \(what)"),
                    "cannot evaluate \(what): cannot read \(el.nftText())"
                )
            }
            if zip(pats, fields).allSatisfy({ $0.matches($1) }) { hit = el; break }
        }
        let found = hit != nil
        let ok = op == .ne ? !found : found
        var detail = "\(what) is \(shown): "
        if let hit, elements.count > 1 || setElements(right, table: table) != nil {
            detail += "\(op == .ne ? "is in" : "in") \(rhsText) (element \(hit.nftText()))"
        } else {
            detail += ok ? "matches \(op == .ne ? "!= " : "")\(rhsText)" : "does not match \(op == .ne ? "!= " : "")\(rhsText)"
        }
        if op == .ne, hit != nil { detail += ", so != fails" }
        return (.value(ok), detail)
    }

    /// Without `iif`/`oif`, a comparison with "lo" alone is decided by the addresses: a
    /// packet from a non-loopback source did not arrive on lo (stated as an assumption).
    func interfaceByAssumption(_ left: Expression, _ op: MatchOperator, _ right: Expression) -> (Known<Bool>, String)? {
        guard case .meta(let key) = left, op == .eq || op == .ne else { return nil }
        let isIn = key == "iifname" || key == "iif"
        guard isIn || key == "oifname" || key == "oif" else { return nil }
        var names: [Expression] = [right]
        if case .set(let l, _) = right { names = l }
        guard names.allSatisfy({ $0 == .string("lo") }) else { return nil }
        let addr = isIn ? packet.saddr : packet.daddr
        guard let addr else { return nil }
        let onLo = addr.isLoopback
        let why =
            isIn
            ? "no iif given: the packet is taken to have \(onLo ? "" : "not ")arrived on lo, as its source \(addr) is \(onLo ? "" : "not ")a loopback address"
            : "no oif given: the packet is taken to \(onLo ? "" : "not ")leave through lo, as its destination \(addr) is \(onLo ? "" : "not ")a loopback address"
        assumptions.append(why)
        let ok = op == .eq ? onLo : !onLo
        return (
            .value(ok),
            "\(left.nftText()) \(ok ? "matches" : "does not match") \(op == .ne ? "!= " : "")\(right.nftText()) (assumed: \(why))"
        )
    }

    /// Looks `key` up in a map (`{k : v, ...}` or `@name`): the value, nil when no element
    /// matches, or cannot tell.
    func mapLookup(key: Expression, data: Expression, table: TableContents) -> (Known<Expression?>, String) {
        let what = key.nftText()
        let fields: [Field]
        switch evalFields(key) {
        case .absent(let why): return (.value(nil), "\(what): \(why)")
        case .unknown(let why): return (.unknown(why), "cannot look up \(what): \(why)")
        case .value(let f): fields = f
        }
        let shown = fields.map(\.text).joined(separator: " . ")
        guard case .value(let elements)? = setElements(data, table: table) else {
            if case .unknown(let why)? = setElements(data, table: table) { return (.unknown(why), why) }
            return (.unknown("cannot read map \(data.nftText())"), "cannot read map \(data.nftText())")
        }
        for el in elements {
            var pair = el
            if case .elem(let e) = pair { pair = e.val }
            guard case .list(let kv) = pair, kv.count == 2 else { continue }
            guard let pats = Literal.element(kv[0], kinds: fields.map(\.kind)) else {
                return (.unknown("cannot read map key \(kv[0].nftText())"), "cannot read map key \(kv[0].nftText())")
            }
            if zip(pats, fields).allSatisfy({ $0.matches($1) }) {
                return (.value(kv[1]), "\(what) is \(shown): \(data.nftText()) has \(kv[0].nftText()) : \(kv[1].nftText())")
            }
        }
        return (.value(nil), "\(what) is \(shown): no element of \(data.nftText().prefix(80)) matches")
    }
}
