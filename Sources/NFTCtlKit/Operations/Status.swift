import Foundation
import NFTAnalysis

/// `nftctl status`: what nftctl manages in a namespace and whether the kernel still holds it.
/// Drift is the plan from the live managed tables to the last apply (the saved ruleset, or
/// the staged one while a `--confirm` waits): what `nftctl restore` would change.
public struct Status: Sendable {
    public var namespace: String?
    /// `namespace` as a person reads it (`StateStore.namespaceDescription`).
    public var namespaceDescription: String
    public var managed: [TableKey]
    public var lastApply: StateStore.LastApply?
    public var pending: StateStore.Pending?
    /// nil when nothing was ever saved (no drift can be measured).
    public var drift: Plan?
    public var savedFile: String

    public var hasDrift: Bool { drift.map { !$0.isEmpty } ?? false }

    public static func read(store: StateStore, backend: Backend, netns: String?) throws -> Status {
        let pending = try store.pending()
        let saved = try (pending != nil ? store.savedRuleset(staged: true) : nil) ?? store.savedRuleset()
        var drift: Plan?
        if let saved {
            let desired = try PlanOperation.desiredState(saved)
            drift = try PlanOperation.plan(desired: desired, live: backend.list())
        }
        return Status(
            namespace: netns, namespaceDescription: store.namespaceDescription, managed: try store.managedTables(),
            lastApply: try store.lastApply(), pending: pending,
            drift: drift, savedFile: store.rulesetFile.path)
    }

    public static func date(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: Date(timeIntervalSince1970: t))
    }

    public func text(renderer: PlanRenderer, now: Double = Date().timeIntervalSince1970) -> String {
        var out: [String] = []
        let ns = namespace.map { " \(renderer.spell(.netns)) \($0)" } ?? ""
        out.append("namespace: \(namespaceDescription)")
        out.append(
            "managed tables: "
                + (managed.isEmpty
                    ? "none" : managed.map { "\(SafeText.escape($0.family)) \(SafeText.name($0.name))" }.joined(separator: ", ")))
        if let l = lastApply {
            let what = l.via == "apply" ? "last apply" : "last \(SafeText.escape(l.via))"
            let from = l.via == "rollback" ? l.file : "from \(l.file)"
            out.append("\(what): \(Self.date(l.time)), \(SafeText.escape(from))" + (l.generation.map { ", generation \($0)" } ?? ""))
        } else {
            out.append("last apply: none recorded")
        }
        out.append("saved ruleset (for `nftctl restore`): " + (drift == nil ? "none" : savedFile))
        if let p = pending {
            let left = p.deadline - now
            out.append(
                "pending confirmation: rollback to snapshot \(p.snapshot) at \(Self.date(p.deadline)) "
                    + (left > 0 ? "(in \(Int(left.rounded(.up))) s)" : "(overdue: its timer appears to have stopped)")
                    + " unless `nftctl confirm\(ns)` runs")
        } else {
            out.append("pending confirmation: none")
        }
        switch drift {
        case nil: out.append("drift: unknown (nothing saved to compare with)")
        case let plan? where plan.isEmpty: out.append("drift: none; the live managed tables are as last applied")
        case let plan?:
            out.append("drift: the live managed tables differ from the last apply; `nftctl restore\(ns)` would change:")
            out.append(renderer.text(plan))
        }
        return out.joined(separator: "\n")
    }

    public func json(renderer: PlanRenderer) -> JSON {
        var o = JSONObject()
        o.append("namespace", namespace.map { JSON.string($0) } ?? .null)
        o.append("namespaceDescription", .string(namespaceDescription))
        o.append("managedTables", .array(managed.map { ["family": .string($0.family), "name": .string($0.name)] }))
        if let l = lastApply {
            var a: JSONObject = [
                "time": .double(l.time), "timeText": .string(Self.date(l.time)), "file": .string(l.file), "via": .string(l.via)
            ]
            a.append("generation", l.generation.map { JSON.number(Int($0)) } ?? .null)
            o.append("lastApply", .object(a))
        } else {
            o.append("lastApply", .null)
        }
        o.append("savedRuleset", drift == nil ? .null : .string(savedFile))
        if let p = pending {
            o.append(
                "pendingConfirmation",
                [
                    "snapshot": .string(p.snapshot), "deadline": .double(p.deadline),
                    "deadlineText": .string(Self.date(p.deadline))
                ])
        } else {
            o.append("pendingConfirmation", .null)
        }
        o.append("drift", drift.map { JSON.bool(!$0.isEmpty) } ?? .null)
        o.append("diff", drift.map { renderer.json($0) } ?? .null)
        return .object(o)
    }
}
