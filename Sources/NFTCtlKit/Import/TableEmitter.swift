import NFTAnalysis
import NFTables

/// Emits the declarations of one table.
struct TableEmitter {
    let importer: RulesetImporter
    var names: TableNames
    let family: Family?
    let table: Table
    typealias S = SwiftLiteral

    func commentArg(_ c: String?) -> String { c.map { ", comment: \(S.string($0))" } ?? "" }

    // MARK: table

    func tableHead(notes: inout [String]) -> String {
        var head = "table(\(S.string(table.name)), family: "
        head += family.map { ".\($0.rawValue)" } ?? ".inet"
        if family == nil { notes.append("table \(table.family) \(table.name): unknown family \(table.family)") }
        let flags = table.flags?.values ?? []
        let known = flags.filter { TableFlag(rawValue: $0) != nil }
        if !known.isEmpty { head += ", flags: [" + known.map { ".\($0)" }.joined(separator: ", ") + "]" }
        for f in flags where TableFlag(rawValue: f) == nil { notes.append("table \(table.family) \(table.name): flag \(f)") }
        return head + commentArg(table.comment) + ")"
    }

    // MARK: priorities

    /// `.filter`, `.dstnat + 10`, or the number.
    func priority(_ p: Int64, type: ChainType? = nil) -> String {
        let order = family == .bridge ? ["filter", "dstnat", "srcnat", "out"] : ["filter", "dstnat", "srcnat", "raw", "mangle", "security"]
        let statics: [String: Priority] = [
            "filter": .filter, "dstnat": .dstnat, "srcnat": .srcnat, "raw": .raw,
            "mangle": .mangle, "security": .security, "out": .out
        ]
        let fam = family ?? .inet
        for n in order { if statics[n]!.value(in: fam) == p { return ".\(n)" } }
        // An offset only from a name that suits the chain (`.dstnat - 10` in a nat chain).
        let suits: [String]
        switch type {
        case .nat?: suits = ["dstnat", "srcnat"]
        case .route?: suits = ["mangle"]
        default: suits = ["filter", "raw", "mangle", "security", "out"]
        }
        for n in order where suits.contains(n) {
            guard let base = statics[n]!.value(in: fam) else { continue }
            let d = p - base
            if d != 0 && abs(d) <= 10 { return ".\(n) \(d > 0 ? "+" : "-") \(abs(d))" }
        }
        return "\(p)"
    }

    // MARK: objects

    func object(_ o: NamedObject, notes: inout [String]) -> String {
        if let t = typedObject(o) { return t }
        return "object(\(S.string(o.name)), \(ModelLiteral.objectBody(o.body))\(commentArg(o.comment)))"
    }

    static func sameBody(_ a: ObjectBody, _ b: ObjectBody) -> Bool {
        let x = NamedObject(family: "ip", table: "t", name: "o", body: a)
        let y = NamedObject(family: "ip", table: "t", name: "o", body: b)
        return RulesetItem.object(kind: a.kind, x).normalizedForComparison()
            == RulesetItem.object(kind: b.kind, y).normalizedForComparison()
    }

    func l4(_ p: String) -> (text: String, value: L4Proto) {
        let v = L4Proto(stringLiteral: p)
        if let n = SymbolNames.byKind[.l4proto]?[v.expression] { return ("." + n, v) }
        return (S.string(p), v)
    }

    func typedObject(_ o: NamedObject) -> String? {
        let n = S.string(o.name), c = commentArg(o.comment)
        func check(_ text: String, _ decl: ObjectDecl) -> String? { Self.sameBody(decl.body, o.body) ? text : nil }
        switch o.body {
        case .counter:
            return check("counter(\(n)\(c))", counter(o.name))
        case .quota(let bytes?, _, let inv):
            let over = inv == true
            return check("quota(\(n), bytes: \(bytes)\(over ? ", over: true" : "")\(c))", quota(o.name, bytes: bytes, over: over))
        case .limit(let rate?, let per, let burst, let unit, let inv, nil, nil):
            guard let tu = TimeUnit(rawValue: per ?? "second") else { return nil }
            let bu = unit.flatMap(ByteUnit.init(rawValue:))
            if unit != nil && bu == nil { return nil }
            var args = ["rate: \(rate)"]
            if let bu { args.append(".\(bu.rawValue)") }
            if tu != .second { args.append("per: .\(tu.rawValue)") }
            if let burst { args.append("burst: \(burst)") }
            if inv == true { args.append("over: true") }
            let decl = limit(o.name, rate: Int(rate), bu, per: tu, burst: burst.map(Int.init), over: inv == true)
            return check("limit(\(n), \(args.joined(separator: ", "))\(c))", decl)
        case .ctHelper(let type?, let proto?, let l3):
            let p = l4(proto)
            return check(
                "ctHelper(\(n), type: \(S.string(type)), protocol: \(p.text)\(l3.map { ", l3proto: \(S.string($0))" } ?? "")\(c))",
                ctHelper(o.name, type: type, protocol: p.value, l3proto: l3))
        case .ctTimeout(let proto?, let l3, let policy):
            let p = l4(proto)
            var pairs: [(String, Int)] = []
            for (k, v) in policy ?? JSONObject() {
                guard let i = v.intValue else { return nil }
                pairs.append((k, Int(i)))
            }
            let policyText = pairs.isEmpty ? "" : ", policy: [" + pairs.map { "\(S.string($0.0)): \($0.1)" }.joined(separator: ", ") + "]"
            // Build the same body the DSL builds (KeyValuePairs cannot be made from an array).
            var obj = JSONObject()
            for (k, v) in pairs { obj.append(k, JSON.int(Int64(v))) }
            let body = ObjectBody.ctTimeout(protocol: proto, l3proto: l3, policy: pairs.isEmpty ? nil : obj)
            guard Self.sameBody(body, o.body) else { return nil }
            return "ctTimeout(\(n), protocol: \(p.text)\(l3.map { ", l3proto: \(S.string($0))" } ?? "")\(policyText)\(c))"
        case .ctExpectation(let l3, let proto?, let dport?, let timeout?, let size?):
            let p = l4(proto)
            return check(
                "ctExpectation(\(n), protocol: \(p.text), dport: \(dport), timeout: \(timeout), size: \(size)"
                    + "\(l3.map { ", l3proto: \(S.string($0))" } ?? "")\(c))",
                ctExpectation(o.name, protocol: p.value, dport: Int(dport), timeout: Int(timeout), size: Int(size), l3proto: l3))
        case .synproxy(let mss?, let ws?, let flags):
            var fl: [SynproxyFlag] = []
            for f in flags?.values ?? [] {
                guard let x = SynproxyFlag(rawValue: f) else { return nil }
                fl.append(x)
            }
            let ft = fl.isEmpty ? "" : ", flags: [" + fl.map { $0 == .sackPerm ? ".sackPerm" : ".timestamp" }.joined(separator: ", ") + "]"
            return check(
                "synproxy(\(n), mss: \(mss), wscale: \(ws)\(ft)\(c))",
                synproxy(o.name, mss: Int(mss), wscale: Int(ws), flags: fl))
        case .secmark(let ctx?):
            return check("secmark(\(n), context: \(S.string(ctx))\(c))", secmark(o.name, context: ctx))
        default:
            return nil
        }
    }

    // MARK: flowtables

    func flowtable(_ f: Flowtable, notes: inout [String]) -> String {
        let hook = f.hook.flatMap(NFTables.Hook.init(rawValue:)) ?? .ingress
        if f.hook != nil && NFTables.Hook(rawValue: f.hook!) == nil { notes.append("flowtable \(f.name): hook \(f.hook!)") }
        let flags = f.flags?.values ?? []
        for x in flags where x != "offload" { notes.append("flowtable \(f.name): flag \(x)") }
        if f.dev == nil { notes.append("flowtable \(f.name): no devices (the DSL always lists devices)") }
        var args = [S.string(f.name)]
        if hook != .ingress { args.append("hook: .\(hook.rawValue)") }
        let prio = f.prio ?? 0
        let p = priority(prio)
        if p != ".filter" { args.append("priority: \(p)") }
        args.append("devices: [" + (f.dev?.values ?? []).map(S.string).joined(separator: ", ") + "]")
        if flags.contains("offload") { args.append("offload: true") }
        return "flowtable(\(args.joined(separator: ", ")))"
    }

    // MARK: sets and maps

    func setType(_ t: SetKeyType?) -> String {
        guard let t else { return "\"\"" }
        switch t {
        case .named(let n): return Self.namedType(n)
        case .concat(let l): return "[" + l.map(Self.namedType).joined(separator: ", ") + "]"
        case .typeof(let e):
            if let f = FieldResolver(names: names).typed(e) { return ".typeof(\(f.text))" }
            return "SetType(.typeof(\(ModelLiteral.expression(e))))"
        }
    }

    static func namedType(_ n: String) -> String {
        let known = [
            "ipv4_addr": "ipv4Addr", "ipv6_addr": "ipv6Addr", "ether_addr": "etherAddr", "inet_proto": "inetProto",
            "inet_service": "inetService", "mark": "mark", "ifname": "ifname", "verdict": "verdict",
            "ct_state": "ctState", "counter": "counter", "quota": "quota"
        ]
        return known[n].map { "." + $0 } ?? S.string(n)
    }

    func set(_ s: NamedSet, id: String, pool: inout IdentifierPool, into w: inout SourceWriter, notes: inout [String]) {
        var args = [S.string(s.name), "type: \(setType(s.type))"]
        if s.isMap { args.append("to: \(setType(s.map))") }
        let flags = s.flags?.values ?? []
        let known = flags.compactMap(SetFlag.init(rawValue:))
        if !known.isEmpty { args.append("flags: [" + known.map { ".\($0.rawValue)" }.joined(separator: ", ") + "]") }
        for f in flags where SetFlag(rawValue: f) == nil { notes.append("\(s.isMap ? "map" : "set") \(s.name): flag \(f)") }
        if let t = s.timeout { args.append("timeout: \(S.time(t))") }
        if let g = s.gcInterval {
            if s.isMap { notes.append("map \(s.name): gc-interval \(S.time(g))") } else { args.append("gcInterval: \(S.time(g))") }
        }
        if let z = s.size { args.append("size: \(z)") }
        if let p = s.policy {
            if SetPolicy(rawValue: p) != nil { args.append("policy: .\(p)") } else { notes.append("set \(s.name): policy \(p)") }
        }
        if let a = s.autoMerge {
            if s.isMap { notes.append("map \(s.name): auto-merge") } else { args.append("autoMerge: \(a)") }
        }
        if let st = s.stmt, !st.isEmpty {
            let sp = StatementSpeller(names: names)
            args.append("statements: [" + st.map { sp.spell($0) }.joined(separator: ", ") + "]")
        }
        if let c = s.comment { args.append("comment: \(S.string(c))") }
        let call = "\(s.isMap ? "map" : "set")(\(args.joined(separator: ", ")))"
        let elems = s.elements
        if elems.isEmpty { w.line("let \(id) = \(call)"); return }
        let fr = FieldResolver(names: names)
        var lines: [String] = []
        var plain = true
        if s.isMap {
            for e in elems {
                if case .list(let kv) = e, kv.count == 2 {
                    lines.append(fr.mapEntry(kv[0], kv[1]))
                } else {
                    lines.append("MapEntry(Value(\(ModelLiteral.expression(e))), Value(.list([])))")
                    notes.append("map \(s.name): element \(ModelLiteral.expression(e)) is not a key : value pair")
                }
            }
        } else {
            for e in elems {
                let (text, isPlain) = setElement(e, typed: elems.count > importer.inlineElements)
                lines.append(text)
                plain = plain && isPlain
            }
        }
        if elems.count <= importer.inlineElements {
            w.block("let \(id) = \(call)") { w in for l in lines { w.line(l) } }
            return
        }
        // Many elements: one array, outside the builder.
        let arrayID = pool.make(s.name + (s.isMap ? "Entries" : "Elements"), kind: "elements", qualifier: table.name)
        let type = s.isMap ? "[MapEntry]" : plain ? "[Value]" : "[SetElementValue]"
        let items = lines.map { plain || s.isMap || $0.hasPrefix("SetElementValue(") ? $0 + "," : "SetElementValue(\($0))," }
        if items.count <= Self.arrayPart {
            w.line("let \(arrayID): \(type) = [")
            w.indented { w in for l in items { w.line(l) } }
            w.line("]")
        } else {
            // In parts: the compiler's work on one array literal grows faster than its length
            // (23k addresses with timeouts in one took more than 24 GB).
            var parts: [String] = []
            for start in stride(from: 0, to: items.count, by: Self.arrayPart) {
                let part = pool.make(arrayID + "Part\(parts.count + 1)", kind: "elements", qualifier: table.name)
                parts.append(part)
                w.line("let \(part): \(type) = [")
                w.indented { w in for l in items[start..<min(start + Self.arrayPart, items.count)] { w.line(l) } }
                w.line("]")
            }
            w.line("let \(arrayID): \(type) = [\(parts.joined(separator: ", "))].flatMap { $0 }")
        }
        w.block("let \(id) = \(call)") { w in w.line(arrayID) }
    }

    /// The most elements one array literal of the imported source holds.
    static let arrayPart = 500

    /// A set element line, and whether it is a plain `Value` literal. `typed`: for an array
    /// of many, each literal's type spelt out (`Value("10.0.0.1")`, `TimeSpan(milliseconds: 1000)`): left
    /// to inference, thousands of them in one array literal take the compiler minutes and
    /// gigabytes (2000 addresses with a timeout: 30 s and 8.5 GB, typed: 1.4 s and 0.2 GB).
    func setElement(_ e: Expression, typed: Bool = false) -> (String, Bool) {
        let n = e.normalizedForComparison()
        if case .elem(let el) = n {
            // Element counters are spelled bare: their values are run-time state.
            let counters = el.statements.allSatisfy {
                if case .counter = $0 { return true }; return false
            }
            if counters, let v = ValueSpelling.literal(el.val, .any), !v.hasPrefix("[") {
                let isLiteral = v.hasPrefix("\"") || v.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-") }
                var args = [typed && isLiteral ? "Value(\(v))" : v]
                func time(_ t: TimeSpan) -> String { typed ? "TimeSpan(milliseconds: \(t.milliseconds))" : S.time(t) }
                if let t = el.timeout { args.append("timeout: \(time(t))") }
                if let x = el.expires { args.append("expires: \(time(x))") }
                if let c = el.comment { args.append("comment: \(S.string(c))") }
                if !el.statements.isEmpty {
                    args.append("statements: [" + el.statements.map { _ in "counter" }.joined(separator: ", ") + "]")
                }
                let text = "SetElementValue(\(args.joined(separator: ", ")))"
                let typed = SetElementValue(
                    Value(el.val), timeout: el.timeout, expires: el.expires, comment: el.comment,
                    statements: el.statements.map { _ in counter })
                if typed.expression.normalizedForComparison() == n {
                    return (text, false)
                }
            }
            return ("SetElementValue(raw: \(ModelLiteral.expression(e)))", false)
        }
        if let v = ValueSpelling.literal(n, .any), !v.hasPrefix("[") { return (v, true) }
        return ("Value(\(ModelLiteral.expression(n)))", true)
    }

    // MARK: chains

    /// Returns how many statements were written in the model's form.
    func chain(
        _ c: Chain, rules: [Rule], id: String, pool: inout IdentifierPool, into w: inout SourceWriter,
        notes: inout [String]
    ) -> Int {
        var args = [S.string(c.name)]
        if let hookName = c.hook {
            let type = c.type.flatMap(ChainType.init(rawValue:)) ?? .filter
            if let t = c.type, ChainType(rawValue: t) == nil { notes.append("chain \(c.name): type \(t)") }
            if type != .filter { args.append("type: .\(type.rawValue)") }
            if let hook = NFTables.Hook(rawValue: hookName) {
                args.append("hook: .\(hook.rawValue)")
            } else {
                notes.append("chain \(c.name): hook \(hookName)")
                args.append("hook: .input")
            }
            args.append("priority: \(priority(c.prio ?? 0, type: type))")
            if let p = c.policy {
                if ChainPolicy(rawValue: p) != nil { args.append("policy: .\(p)") } else { notes.append("chain \(c.name): policy \(p)") }
            }
            let devs = c.dev?.values ?? []
            if devs.count == 1 {
                args.append("device: \(S.string(devs[0]))")
            } else if !devs.isEmpty {
                args.append("devices: [" + devs.map(S.string).joined(separator: ", ") + "]")
            }
        }
        if let cm = c.comment { args.append("comment: \(S.string(cm))") }
        let head = "let \(id) = chain(\(args.joined(separator: ", ")))"
        if rules.isEmpty { w.line(head); return 0 }

        let sp = StatementSpeller(names: names)
        var raw = 0
        let lines: [String] = rules.map { r in
            let pieces = r.statements.map { s -> String in
                if let t = sp.typed(s) { return t }
                raw += 1
                return sp.raw(s)
            }
            return "rule(" + (pieces + (r.comment.map { ["comment: \(S.string($0))"] } ?? [])).joined(separator: ", ") + ")"
        }
        if lines.count <= importer.chunkSize {
            w.block(head) { w in for l in lines { w.line(l) } }
            return raw
        }
        var partIDs: [String] = []
        for (k, start) in stride(from: 0, to: lines.count, by: importer.chunkSize).enumerated() {
            let pid = pool.make("\(c.name) rules \(k + 1)", kind: "rules", qualifier: table.name)
            partIDs.append(pid)
            w.line("let \(pid): [RuleDecl] = [")
            w.indented { w in for l in lines[start..<min(start + importer.chunkSize, lines.count)] { w.line(l + ",") } }
            w.line("]")
        }
        w.block(head) { w in for p in partIDs { w.line(p) } }
        return raw
    }
}
