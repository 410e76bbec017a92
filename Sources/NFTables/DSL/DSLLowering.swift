/// DSL declarations → model commands, in the exact shapes libnftables 1.0.6 reads
/// (integer `prio`, flag arrays), each with the source location it came from.
struct Lowering {
    var entries: [Document.Entry] = []
    var locations: [SourceLocation?] = []

    mutating func add(_ item: RulesetItem, _ loc: SourceLocation) {
        entries.append(.command(Command(.add, item)))
        locations.append(loc)
    }

    mutating func lower(_ t: TableDecl) {
        let fam = t.family.rawValue
        add(
            .table(
                Table(
                    family: fam, name: t.name, flags: t.flags.isEmpty ? nil : FlagList(t.flags.map(\.rawValue)),
                    comment: t.comment)), t.location)
        for e in t.elements {
            switch e {
            case .set(let s):
                add(
                    .set(
                        NamedSet(
                            family: fam, table: t.name, name: s.name, type: s.type.key,
                            policy: s.options.policy?.rawValue, flags: flags(s.options.flags),
                            elem: s.elements.isEmpty ? nil : .list(s.elements.map(\.expression)),
                            timeout: s.options.timeout, gcInterval: s.options.gcInterval,
                            size: s.options.size.map(Int64.init), comment: s.options.comment,
                            stmt: stmts(s.options.statements), autoMerge: s.options.autoMerge)), s.location)
            case .map(let m):
                // Elements that jump to chains can only be added once the chains exist.
                let deferred = m.entries.contains {
                    if case .verdict(let v) = $0.data { return v.target != nil }; return false
                }
                add(
                    .set(
                        NamedSet(
                            isMap: true, family: fam, table: t.name, name: m.name, type: m.type.key, map: m.data.key,
                            policy: m.options.policy?.rawValue, flags: flags(m.options.flags),
                            elem: m.entries.isEmpty || deferred ? nil : .list(m.entries.map(\.expression)),
                            timeout: m.options.timeout, size: m.options.size.map(Int64.init),
                            comment: m.options.comment, stmt: stmts(m.options.statements))), m.location)
            case .object(let o):
                add(
                    .object(
                        kind: o.body.kind,
                        NamedObject(
                            family: fam, table: t.name, name: o.name, comment: o.comment,
                            body: o.body)), o.location)
            case .flowtable(let f):
                add(
                    .flowtable(
                        Flowtable(
                            family: fam, table: t.name, name: f.name, hook: f.hook.rawValue,
                            prio: f.priority.value(in: t.family) ?? 0, dev: FlagList(f.devices),
                            flags: f.offload ? FlagList(["offload"]) : nil)), f.location)
            case .chain: break
            }
        }
        for case .chain(let c) in t.elements {
            var chain = Chain(family: fam, table: t.name, name: c.name, comment: c.comment)
            if let b = c.base {
                chain.type = b.type.rawValue
                chain.hook = b.hook.rawValue
                // An unknown name for this family: keep the hook and let validation report it.
                chain.prio = b.priority.value(in: t.family) ?? Int64(b.priority.offset)
                chain.policy = b.policy?.rawValue
                if !b.devices.isEmpty { chain.dev = FlagList(b.devices, scalar: b.devices.count == 1) }
            }
            add(.chain(chain), c.location)
        }
        for case .map(let m) in t.elements
        where m.entries.contains(where: {
            if case .verdict(let v) = $0.data { return v.target != nil }; return false
        }) {
            add(
                .element(ElementCommand(family: fam, table: t.name, name: m.name, elem: .list(m.entries.map(\.expression)))),
                m.location)
        }
        for case .chain(let c) in t.elements {
            for r in c.rules {
                add(
                    .rule(
                        Rule(
                            family: fam, table: t.name, chain: c.name,
                            expr: r.statements.map { inferFamily($0, t.family) }, comment: r.comment)), r.location)
            }
        }
    }

    func flags(_ f: [SetFlag]) -> FlagList? { f.isEmpty ? nil : FlagList(f.map(\.rawValue)) }
    func stmts(_ items: [RuleItem]) -> [Statement]? { items.isEmpty ? nil : items.flatMap(\.statements) }

    /// In inet tables, NAT and tproxy to an address need the address family: take it from
    /// the address literal when the user did not give it.
    func inferFamily(_ s: Statement, _ family: Family) -> Statement {
        guard family == .inet else { return s }
        switch s {
        case .nat(var n) where n.family == nil && n.addr != nil && (n.kind == .snat || n.kind == .dnat):
            n.family = Lowering.addressFamily(n.addr!)
            return .nat(n)
        case .tproxy(nil, let addr?, let port):
            return .tproxy(family: Lowering.addressFamily(addr), addr: addr, port: port)
        default: return s
        }
    }

    static func addressFamily(_ e: Expression) -> String? {
        switch e {
        case .string(let s): return s.contains(":") ? "ip6" : (s.first?.isNumber == true ? "ip" : nil)
        case .prefix(let a, _), .range(let a, _): return addressFamily(a)
        default: return nil
        }
    }
}
