import NFTAnalysis

/// The command semantics of `FakeBackend`, one command at a time on a working copy.
extension FakeRuleset {
    /// Whether a batch entry makes libnftables send a commit (lists and resets do not).
    static func commits(_ e: Document.Entry) -> Bool {
        if case .command(let c) = e { return c.verb != .list && c.verb != .reset }
        if case .item(.metainfo) = e { return false }
        return true
    }

    mutating func apply(_ entry: Document.Entry, index: Int, keepHandles: Bool) throws(BackendError) {
        switch entry {
        case .raw(let j):
            throw .unsupported("command \(index + 1): FakeBackend cannot apply \(j.serialized())")
        case .item(let item):
            try add(item, create: false, keepHandles: keepHandles, at: index)
        case .command(let c):
            let at = index
            switch c.verb {
            case .add: try add(c.item, create: false, keepHandles: keepHandles, at: at)
            case .create: try add(c.item, create: true, keepHandles: keepHandles, at: at)
            case .insert:
                guard case .rule(let r) = c.item else { throw unsupported(c, at) }
                try addRule(r, insert: true, keepHandle: false, at: at)
            case .replace:
                guard case .rule(let r) = c.item else { throw unsupported(c, at) }
                try replaceRule(r, at: at)
            case .delete: try delete(c.item, at: at)
            case .flush: try flush(c.item, at: at)
            case .rename:
                guard case .chain(let ch) = c.item else { throw unsupported(c, at) }
                try renameChain(ch, at: at)
            case .list, .reset: break
            case .destroy:
                throw .rejected("command \(at + 1): `destroy` does not exist in libnftables 1.0.6 (use add then delete)")
            }
        }
    }

    // MARK: errors worded like the kernel's errno

    private func failure(_ at: Int, _ errno: String, _ what: String) -> BackendError {
        .rejected("command \(at + 1): \(errno): \(what)")
    }
    private func missing(_ at: Int, _ what: String) -> BackendError { failure(at, "No such file or directory", "\(what) does not exist") }
    private func exists(_ at: Int, _ what: String) -> BackendError { failure(at, "File exists", "\(what) already exists") }
    private func busy(_ at: Int, _ what: String) -> BackendError { failure(at, "Device or resource busy", what) }
    private func unsupported(_ c: Command, _ at: Int) -> BackendError {
        .unsupported("command \(at + 1): FakeBackend cannot \(c.verb.rawValue) \(c.item.kindName)")
    }

    private func table(_ family: String, _ name: String, _ at: Int) throws(BackendError) -> Int {
        guard Family(rawValue: family) != nil else {
            throw failure(at, "Address family not supported by protocol", "family \"\(family)\"")
        }
        guard let t = tableIndex(family, name) else { throw missing(at, "table \(family) \(name)") }
        return t
    }

    private func chain(_ t: Int, _ name: String, _ at: Int) throws(BackendError) -> Int {
        guard let c = tables[t].chains.firstIndex(where: { $0.name == name }) else {
            throw missing(at, "chain \(tables[t].table.family) \(tables[t].table.name) \(name)")
        }
        return c
    }

    private func set(_ t: Int, _ name: String, _ at: Int) throws(BackendError) -> Int {
        guard let s = tables[t].sets.firstIndex(where: { $0.name == name }) else {
            throw missing(at, "set \(tables[t].table.family) \(tables[t].table.name) \(name)")
        }
        return s
    }

    /// Jump/goto targets and `@set`s must exist when a rule or element is added.
    private func checkReferences(_ json: JSON, table t: Int, _ at: Int) throws(BackendError) {
        for target in FakeReferences.jumpTargets(json) { _ = try chain(t, target, at) }
        for name in FakeReferences.setReferences(json) { _ = try set(t, name, at) }
    }

    // MARK: add / create

    private mutating func add(_ item: RulesetItem, create: Bool, keepHandles: Bool, at: Int) throws(BackendError) {
        switch item {
        case .metainfo: return
        case .table(var tb):
            guard Family(rawValue: tb.family) != nil else {
                throw failure(at, "Address family not supported by protocol", "family \"\(tb.family)\"")
            }
            if tableIndex(tb.family, tb.name) != nil {
                if create { throw exists(at, "table \(tb.family) \(tb.name)") }
                return
            }
            if keepHandles, let h = tb.handle {
                nextTableHandle = max(nextTableHandle, h + 1)
            } else {
                tb.handle = nextTableHandle; nextTableHandle += 1
            }
            tables.append(TableState(table: tb))
        case .chain(var ch):
            let t = try table(ch.family, ch.table, at)
            if let c = tables[t].chains.firstIndex(where: { $0.name == ch.name }) {
                if create { throw exists(at, "chain \(ch.family) \(ch.table) \(ch.name)") }
                if tables[t].chains[c].isBase, let p = ch.policy { tables[t].chains[c].policy = p }
                return
            }
            ch.newname = nil
            if ch.isBase && ch.policy == nil { ch.policy = "accept" }
            ch.handle = handle(ch.handle, keepHandles, t)
            tables[t].chains.append(ch)
        case .rule(let r):
            try addRule(r, insert: false, keepHandle: keepHandles, at: at)
        case .set(var s):
            let t = try table(s.family, s.table, at)
            if let i = tables[t].sets.firstIndex(where: { $0.name == s.name }) {
                if create { throw exists(at, "\(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)") }
                try addElements(s.elements, to: t, i, create: false, at: at)
                return
            }
            let elems = s.elements
            s.elem = nil
            s.handle = handle(s.handle, keepHandles, t)
            tables[t].sets.append(s)
            try addElements(elems, to: t, tables[t].sets.count - 1, create: false, at: at)
        case .element(let e):
            let t = try table(e.family, e.table, at)
            let i = try set(t, e.name, at)
            let list: [Expression]
            if case .list(let l) = e.elem { list = l } else if case .set(let l, _) = e.elem { list = l } else { list = [e.elem] }
            try addElements(list, to: t, i, create: create, at: at)
        case .object(let kind, var o):
            let t = try table(o.family, o.table, at)
            if tables[t].objects.contains(where: { $0.kind == kind && $0.object.name == o.name }) {
                if create { throw exists(at, "\(kind.rawValue) \(o.family) \(o.table) \(o.name)") }
                return
            }
            o.handle = handle(o.handle, keepHandles, t)
            tables[t].objects.append((kind: kind, object: o))
        case .flowtable(var f):
            let t = try table(f.family, f.table, at)
            if tables[t].flowtables.contains(where: { $0.name == f.name }) {
                if create { throw exists(at, "flowtable \(f.family) \(f.table) \(f.name)") }
                return
            }
            f.handle = handle(f.handle, keepHandles, t)
            tables[t].flowtables.append(f)
        case .selector(let key, _):
            throw .unsupported("command \(at + 1): cannot add \"\(key)\"")
        case .raw(let j):
            throw .unsupported("command \(at + 1): FakeBackend cannot add \(j.serialized())")
        }
    }

    private mutating func handle(_ given: Int64?, _ keep: Bool, _ t: Int) -> Int64 {
        if keep, let h = given {
            tables[t].nextHandle = max(tables[t].nextHandle, h + 1)
            return h
        }
        return tables[t].allocate()
    }

    /// The element's identity: the key of a map pair, without `elem` options (timeout, comment).
    static func key(_ e: Expression, isMap: Bool) -> Expression {
        var e = e
        if isMap, case .list(let pair) = e, pair.count == 2 { e = pair[0] }
        if case .elem(let se) = e { e = se.val }
        return e
    }

    private mutating func addElements(_ list: [Expression], to t: Int, _ i: Int, create: Bool, at: Int) throws(BackendError) {
        var s = tables[t].sets[i]
        var elems = s.elements
        var keys = Set(elems.map { Self.key($0, isMap: s.isMap) })
        for e in list {
            try checkReferences(e.json, table: t, at)
            let k = Self.key(e, isMap: s.isMap)
            if keys.contains(k) {
                if create { throw exists(at, "element \(k.json.serialized()) in \(s.name)") }
                continue
            }
            keys.insert(k)
            elems.append(e)
        }
        s.elem = elems.isEmpty ? nil : .list(elems)
        tables[t].sets[i] = s
    }

    private mutating func addRule(_ r: Rule, insert: Bool, keepHandle: Bool, at: Int) throws(BackendError) {
        let t = try table(r.family, r.table, at)
        _ = try chain(t, r.chain, at)
        try checkReferences(JSON.array(r.statements.map(\.json)), table: t, at)
        var rules = tables[t].rules[r.chain] ?? []
        var position = insert ? 0 : rules.count
        if keepHandle {
            position = rules.count
        } else if let h = r.handle, insert {
            // 1.0.6: insert with a handle goes before that rule; add with a handle appends.
            guard let p = rules.firstIndex(where: { $0.handle == h }) else { throw missing(at, "rule handle \(h)") }
            position = p
        } else if let idx = r.index {
            guard idx >= 0, idx < rules.count else { throw missing(at, "rule at index \(idx)") }
            position = insert ? Int(idx) : Int(idx) + 1
        }
        var stored = r
        stored.index = nil
        stored.handle = handle(keepHandle ? r.handle : nil, keepHandle, t)
        rules.insert(stored, at: position)
        tables[t].rules[r.chain] = rules
    }

    private mutating func replaceRule(_ r: Rule, at: Int) throws(BackendError) {
        let t = try table(r.family, r.table, at)
        _ = try chain(t, r.chain, at)
        guard let h = r.handle else { throw failure(at, "Invalid argument", "replace rule needs a handle") }
        try checkReferences(JSON.array(r.statements.map(\.json)), table: t, at)
        var rules = tables[t].rules[r.chain] ?? []
        guard let p = rules.firstIndex(where: { $0.handle == h }) else { throw missing(at, "rule handle \(h)") }
        var stored = r
        stored.index = nil
        rules[p] = stored
        tables[t].rules[r.chain] = rules
    }

    // MARK: delete / flush / rename

    private mutating func delete(_ item: RulesetItem, at: Int) throws(BackendError) {
        switch item {
        case .table(let tb):
            let t = try table(tb.family, tb.name, at)
            tables.remove(at: t)
        case .chain(let ch):
            let t = try table(ch.family, ch.table, at)
            let c = try chain(t, ch.name, at)
            if isJumpedTo(ch.name, in: t) { throw busy(at, "chain \(ch.family) \(ch.table) \(ch.name) is jumped to") }
            tables[t].chains.remove(at: c)
            tables[t].rules[ch.name] = nil
        case .rule(let r):
            let t = try table(r.family, r.table, at)
            _ = try chain(t, r.chain, at)
            guard let h = r.handle else { throw failure(at, "Invalid argument", "delete rule needs a handle") }
            guard let p = tables[t].rules[r.chain]?.firstIndex(where: { $0.handle == h }) else {
                throw missing(at, "rule handle \(h) in \(r.family) \(r.table) \(r.chain)")
            }
            tables[t].rules[r.chain]?.remove(at: p)
        case .set(let s):
            let t = try table(s.family, s.table, at)
            let i = try set(t, s.name, at)
            let used = tables[t].rules.values.joined().contains {
                FakeReferences.setReferences(JSON.array($0.statements.map(\.json))).contains(s.name)
            }
            if used { throw busy(at, "set \(s.family) \(s.table) \(s.name) is used by a rule") }
            tables[t].sets.remove(at: i)
        case .element(let e):
            let t = try table(e.family, e.table, at)
            let i = try set(t, e.name, at)
            var s = tables[t].sets[i]
            var elems = s.elements
            let list: [Expression]
            if case .list(let l) = e.elem { list = l } else if case .set(let l, _) = e.elem { list = l } else { list = [e.elem] }
            for x in list {
                let k = Self.key(x, isMap: s.isMap)
                guard let p = elems.firstIndex(where: { Self.key($0, isMap: s.isMap) == k }) else {
                    throw missing(at, "element \(k.json.serialized()) in \(s.name)")
                }
                elems.remove(at: p)
            }
            s.elem = elems.isEmpty ? nil : .list(elems)
            tables[t].sets[i] = s
        case .object(let kind, let o):
            let t = try table(o.family, o.table, at)
            guard let i = tables[t].objects.firstIndex(where: { $0.kind == kind && $0.object.name == o.name }) else {
                throw missing(at, "\(kind.rawValue) \(o.family) \(o.table) \(o.name)")
            }
            tables[t].objects.remove(at: i)
        case .flowtable(let f):
            let t = try table(f.family, f.table, at)
            guard let i = tables[t].flowtables.firstIndex(where: { $0.name == f.name }) else {
                throw missing(at, "flowtable \(f.family) \(f.table) \(f.name)")
            }
            tables[t].flowtables.remove(at: i)
        default:
            throw .unsupported("command \(at + 1): FakeBackend cannot delete \(item.kindName)")
        }
    }

    private func isJumpedTo(_ name: String, in t: Int) -> Bool {
        for (chainName, rules) in tables[t].rules where chainName != name {
            for r in rules where FakeReferences.jumpTargets(JSON.array(r.statements.map(\.json))).contains(name) {
                return true
            }
        }
        return tables[t].sets.contains { s in
            s.elem.map { FakeReferences.jumpTargets($0.json).contains(name) } ?? false
        }
    }

    private mutating func flush(_ item: RulesetItem, at: Int) throws(BackendError) {
        switch item {
        case .selector("ruleset", _):
            tables.removeAll()
        case .table(let tb):
            // Rules only: sets, their elements and named objects survive.
            let t = try table(tb.family, tb.name, at)
            tables[t].rules.removeAll()
        case .chain(let ch):
            let t = try table(ch.family, ch.table, at)
            _ = try chain(t, ch.name, at)
            tables[t].rules[ch.name] = nil
        case .set(let s):
            let t = try table(s.family, s.table, at)
            let i = try set(t, s.name, at)
            tables[t].sets[i].elem = nil
        default:
            throw .unsupported("command \(at + 1): FakeBackend cannot flush \(item.kindName)")
        }
    }

    private mutating func renameChain(_ ch: Chain, at: Int) throws(BackendError) {
        let t = try table(ch.family, ch.table, at)
        let c = try chain(t, ch.name, at)
        guard let new = ch.newname, !new.isEmpty else { throw failure(at, "Invalid argument", "rename chain needs a newname") }
        if tables[t].chains.contains(where: { $0.name == new }) {
            throw exists(at, "chain \(ch.family) \(ch.table) \(new)")
        }
        tables[t].chains[c].name = new
        let moved = (tables[t].rules.removeValue(forKey: ch.name) ?? []).map { r -> Rule in
            var r = r; r.chain = new; return r
        }
        if !moved.isEmpty { tables[t].rules[new] = moved }
        // Jumps follow the chain (the kernel links them by pointer, not by name).
        for (name, rules) in tables[t].rules {
            tables[t].rules[name] = rules.map { r in Self.retarget(r, from: ch.name, to: new) }
        }
        for i in tables[t].sets.indices {
            if let e = tables[t].sets[i].elem {
                tables[t].sets[i].elem = Expression(json: FakeReferences.renamingTarget(e.json, from: ch.name, to: new))
            }
        }
    }

    private static func retarget(_ r: Rule, from old: String, to new: String) -> Rule {
        guard FakeReferences.jumpTargets(JSON.array(r.statements.map(\.json))).contains(old) else { return r }
        var json = RulesetItem.rule(r).json
        json = FakeReferences.renamingTarget(json, from: old, to: new)
        if case .rule(let updated) = RulesetItem(json: json) { return updated }
        return r
    }
}
