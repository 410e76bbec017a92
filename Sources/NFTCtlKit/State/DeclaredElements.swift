import Foundation
import NFTAnalysis
import NFTModel

/// The elements a file declared in the sets its rules fill at run time (`dynamicSets`), by
/// set, as the plan compares them (`TablePlanner.elementKey`): what lets the next apply, or
/// a rollback, tell an element the file dropped from one the rules added. Kept apart from
/// the saved ruleset, and small, since an apply reads it whenever such a set holds elements
/// the file does not declare.
public struct DeclaredElements: Sendable, Equatable {
    /// `family table set` → element keys.
    var sets: [String: Set<String>] = [:]

    static func key(_ table: TableKey, _ set: String) -> String { "\(table.family) \(table.name) \(set)" }

    func elements(of table: TableKey, _ set: String) -> Set<String>? { sets[Self.key(table, set)] }

    /// The declared elements of `state`'s sets that the rules fill. The rules are scanned
    /// (`dynamicSets`) only in tables with a set that declares elements.
    public init(_ state: RulesetState) {
        for t in state.tables where t.sets.contains(where: { !$0.value.elements.isEmpty }) {
            let dynamic = dynamicSets(t)
            for s in t.sets where dynamic.contains(s.value.name) && !s.value.elements.isEmpty {
                sets[Self.key(t.key, s.value.name)] = Set(s.value.elements.map(TablePlanner.elementKey))
            }
        }
    }

    init(sets: [String: Set<String>]) { self.sets = sets }

    init?(json: JSON) {
        guard case .object(let o) = json else { return nil }
        for (k, v) in o {
            guard case .array(let a) = v else { return nil }
            sets[k] = Set(a.compactMap(\.stringValue))
        }
    }

    var json: JSON { .object(JSONObject(sets.keys.sorted().map { ($0, JSON.array(sets[$0]!.sorted().map(JSON.string))) })) }
}

extension StateStore {
    var declaredElementsFile: URL { directory.appendingPathComponent("declared-elements.json") }

    /// After a verified apply of `state` (its tables, and the `pruned` ones gone): their
    /// entries are replaced, those of other files' tables kept. Best effort, not synced: a
    /// record lost or cut short is none, and the next apply keeps what it cannot tell apart.
    public func recordDeclaredElements(_ state: RulesetState, pruned: [TableKey] = []) {
        let declared = DeclaredElements(state)
        // Nothing to record and nothing recorded: no file to read or write (the usual apply).
        if declared.sets.isEmpty, !FileManager.default.fileExists(atPath: declaredElementsFile.path) { return }
        var record =
            (try? read(declaredElementsFile, torn: .absent)).flatMap(DeclaredElements.init(json:))
            ?? DeclaredElements(sets: [:])
        let prefixes = (state.keys + pruned).map { "\($0.family) \($0.name) " }
        record.sets = record.sets.filter { k, _ in !prefixes.contains { k.hasPrefix($0) } }
        record.sets.merge(declared.sets) { $1 }
        if record.sets.isEmpty {
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
