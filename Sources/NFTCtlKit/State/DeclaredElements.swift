import Foundation
import NFTAnalysis
import NFTModel

/// The elements a file declared in the sets its rules fill at run time (`dynamicSets`), by
/// set, as the plan compares them (`TablePlanner.elementKey`): what lets the next apply, or
/// a rollback, tell an element the file dropped from one the rules added. Kept apart from
/// the saved ruleset, and small, since an apply reads it whenever such a set holds elements
/// the file does not declare.
public struct DeclaredElements: Sendable, Equatable {
    /// Per table, per set: the element keys.
    var tables: [TableKey: [String: Set<String>]] = [:]

    func elements(of table: TableKey, _ set: String) -> Set<String>? { tables[table]?[set] }

    /// The declared elements of `state`'s sets that the rules fill. The rules are scanned
    /// (`dynamicSets`) only in tables with a set that declares elements.
    public init(_ state: RulesetState) {
        for t in state.tables where t.sets.contains(where: { !$0.value.elements.isEmpty }) {
            let dynamic = dynamicSets(t)
            var sets: [String: Set<String>] = [:]
            for s in t.sets where dynamic.contains(s.value.name) && !s.value.elements.isEmpty {
                sets[s.value.name] = Set(s.value.elements.map(TablePlanner.elementKey))
            }
            if !sets.isEmpty { tables[t.key] = sets }
        }
    }

    init() {}

    /// `[{"family": F, "name": N, "sets": {SET: [ELEMENT, …]}}, …]` (`TableKeyList` with
    /// the sets beside each key); anything else is no record.
    init?(json: JSON) {
        guard let keys = TableKeyList.keys(json), let list = json.arrayValue else { return nil }
        for (key, t) in zip(keys, list) {
            guard case .object(let o)? = t["sets"] else { return nil }
            var sets: [String: Set<String>] = [:]
            for (name, v) in o {
                guard case .array(let a) = v else { return nil }
                sets[name] = Set(a.compactMap(\.stringValue))
            }
            tables[key] = sets
        }
    }

    var json: JSON {
        .array(
            tables.keys.sorted().map { key in
                let sets = tables[key]!
                return [
                    "family": .string(key.family), "name": .string(key.name),
                    "sets": .object(JSONObject(sets.keys.sorted().map { ($0, JSON.array(sets[$0]!.sorted().map(JSON.string))) }))
                ]
            })
    }
}

extension StateStore {
    var declaredElementsFile: URL { directory.appendingPathComponent("declared-elements.json") }

    /// After a verified apply of `state` (its tables, and the `pruned` ones gone): their
    /// entries are replaced, those of other files' tables kept. Best effort, not synced: a
    /// record lost or cut short is none, and the next apply keeps what it cannot tell apart.
    public func recordDeclaredElements(_ state: RulesetState, pruned: [TableKey] = []) {
        recordDeclaredElements(DeclaredElements(state), of: state.keys + pruned)
    }

    /// `declared`, the elements of the tables `keys` now (none: an entry of theirs goes).
    func recordDeclaredElements(_ declared: DeclaredElements, of keys: [TableKey]) {
        // Nothing to record and nothing recorded: no file to read or write (the usual apply).
        if declared.tables.isEmpty, !FileManager.default.fileExists(atPath: declaredElementsFile.path) { return }
        var record = (try? read(declaredElementsFile, torn: .absent)).flatMap(DeclaredElements.init(json:)) ?? DeclaredElements()
        for key in keys { record.tables[key] = nil }
        record.tables.merge(declared.tables) { $1 }
        if record.tables.isEmpty {
            forgetDeclaredElements()
        } else {
            try? write(record.json, to: declaredElementsFile, durable: false)
        }
    }

    /// After a rollback: the snapshot's elements are no declaration of any file.
    public func forgetDeclaredElements() { unlink(declaredElementsFile.path) }

    /// The record, read once when first asked (`Planner.plan`'s `declaredBefore`).
    public func declaredElements() -> () -> DeclaredElements? {
        final class Once { var value: DeclaredElements?? }
        let once = Once()
        return { [self] in
            if let v = once.value { return v }
            let v = (try? read(declaredElementsFile, torn: .absent)).flatMap(DeclaredElements.init(json:))
            once.value = .some(v)
            return v
        }
    }
}
