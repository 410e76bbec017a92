import NFTAnalysis

/// The JSON form of an explanation: the same structure as the Swift types.
extension RulesetExplanation {
    public var json: JSON {
        ["tables": .array(tables.map(\.json)), "hooks": .array(hooks.map(\.json)), "unexplained": .array(gaps.map { .string($0) })]
    }
}

extension TableExplanation {
    var json: JSON {
        var o = JSONObject([("family", .string(family)), ("name", .string(name)), ("meaning", .string(familyMeaning))])
        o.append("comment", comment.map { JSON.string($0) })
        o.append(
            "sets",
            .array(
                sets.map { s in
                    [
                        "name": .string(s.name), "kind": .string(s.isMap ? "map" : "set"), "summary": .string(s.summary),
                        "elements": .array(s.elements.map { .string($0) })
                    ]
                }))
        o.append("objects", .array(objects.map { ["kind": .string($0.kind), "name": .string($0.name), "summary": .string($0.summary)] }))
        o.append("chains", .array(chains.map(\.json)))
        return .object(o)
    }
}

extension ChainExplanation {
    var json: JSON {
        var o = JSONObject([("name", .string(name)), ("table", .string(table)), ("family", .string(family))])
        if let b = base {
            o.append(
                "base",
                [
                    "type": .string(b.type), "type_meaning": .string(b.typeMeaning), "hook": .string(b.hook),
                    "hook_meaning": .string(b.hookMeaning), "devices": .array(b.devices.map { .string($0) }),
                    "priority": .int(b.priority), "priority_name": .string(b.priorityName), "policy": .string(b.policy),
                    "policy_meaning": .string(b.policyMeaning), "order": .array(b.order.map(\.json))
                ])
        }
        o.append("callers", .array(callers.map { .string($0) }))
        o.append("notes", .array(notes.map { .string($0) }))
        o.append("comment", comment.map { JSON.string($0) })
        o.append("rules", .array(rules.map(\.json)))
        return .object(o)
    }
}

extension HookPeer {
    var json: JSON {
        [
            "family": .string(family), "table": .string(table), "chain": .string(chain), "type": .string(type),
            "priority": .int(priority), "priority_name": .string(priorityName), "policy": .string(policy), "self": .bool(isSelf)
        ]
    }
}

extension HookOrder {
    var json: JSON {
        var o = JSONObject([("path", .string(path)), ("hook", .string(hook))])
        o.append("device", device.map { JSON.string($0) })
        o.append("chains", .array(chains.map(\.json)))
        return .object(o)
    }
}

extension RuleExplanation {
    var json: JSON {
        var o = JSONObject([("position", .int(Int64(position))), ("nft", .string(nft))])
        o.append("handle", handle.map { JSON.int($0) })
        o.append("location", location.map { JSON.string($0) })
        o.append("comment", comment.map { JSON.string($0) })
        o.append("steps", .array(steps.map { ["kind": .string($0.kind.rawValue), "text": .string($0.text), "nft": .string($0.nft)] }))
        o.append(
            "edges",
            .array(
                edges.map { e in
                    var x = JSONObject([("kind", .string(e.kind.rawValue)), ("target", .string(e.target))])
                    x.append("map_key", e.mapKey.map { JSON.string($0) })
                    return .object(x)
                }))
        o.append("unexplained", .array(gaps.map { .string($0) }))
        return .object(o)
    }
}
