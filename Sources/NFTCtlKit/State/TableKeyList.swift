import NFTAnalysis

/// How the state files write a list of tables (the remembered listing's header, the
/// up-to-date record, the saved ruleset's table list): `[{"family": F, "name": N}, …]`.
/// Read strictly: a list with one entry that does not read is no list, never a shorter one.
enum TableKeyList {
    static func json(_ keys: [TableKey]) -> JSON {
        .array(keys.map { JSON.object(["family": .string($0.family), "name": .string($0.name)]) })
    }

    static func keys(_ json: JSON?) -> [TableKey]? {
        guard let list = json?.arrayValue else { return nil }
        var keys: [TableKey] = []
        keys.reserveCapacity(list.count)
        for t in list {
            guard let f = t["family"]?.stringValue, let n = t["name"]?.stringValue else { return nil }
            keys.append(TableKey(family: f, name: n))
        }
        return keys
    }
}
