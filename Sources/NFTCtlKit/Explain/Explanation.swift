import NFTAnalysis

/// What `nftctl explain` says about a ruleset, before it is rendered as text, JSON or
/// mermaid: tables, their sets and objects, chains with their hook context, and rules
/// as ordered steps in plain English.
public struct RulesetExplanation: Sendable, Hashable {
    public var tables: [TableExplanation]
    /// Every base chain of the whole state grouped by hook, in evaluation order (for mermaid).
    public var hooks: [HookOrder]

    /// Everything the explainer could not put into words, over all rules, sets and objects.
    public var gaps: [String] {
        tables.flatMap { t in t.sets.flatMap(\.gaps) + t.objects.flatMap(\.gaps) + t.chains.flatMap { $0.rules.flatMap(\.gaps) } }
    }
}

public struct TableExplanation: Sendable, Hashable {
    public var family: String
    public var name: String
    /// What packets a table of this family sees.
    public var familyMeaning: String
    public var comment: String?
    public var sets: [SetExplanation]
    public var objects: [ObjectExplanation]
    public var chains: [ChainExplanation]
}

/// A named set or map and what it holds.
public struct SetExplanation: Sendable, Hashable {
    public var name: String
    public var isMap: Bool
    /// One sentence: kind, key (and data) type, flags, timeouts, size.
    public var summary: String
    /// Each element (or `key → data` entry) in words.
    public var elements: [String]
    public var gaps: [String]
}

/// A stateful named object (counter, quota, limit, ct helper, ...).
public struct ObjectExplanation: Sendable, Hashable {
    public var kind: String
    public var name: String
    public var summary: String
    public var gaps: [String]
}

public struct ChainExplanation: Sendable, Hashable {
    public var name: String
    public var table: String
    public var family: String
    /// Hook context; nil for a regular chain (reached only by jump/goto).
    public var base: BaseChainContext?
    /// Rules of this table that jump or go to this chain (`chain rule N`).
    public var callers: [String]
    /// Sentences a reader needs besides the rules (what accept, return and the end of the chain mean here).
    public var notes: [String]
    public var rules: [RuleExplanation]
    public var comment: String?
}

public struct BaseChainContext: Sendable, Hashable {
    public var type: String
    public var typeMeaning: String
    public var hook: String
    public var hookMeaning: String
    public var devices: [String]
    public var priority: Int64
    /// As nft lists it: `filter`, `mangle - 5`, or the number.
    public var priorityName: String
    public var policy: String
    public var policyMeaning: String
    /// This chain and every other base chain that sees the same packets on this hook,
    /// in evaluation order (lowest priority first), across all tables of the state.
    public var order: [HookPeer]
}

/// One base chain in the evaluation order of a hook.
public struct HookPeer: Sendable, Hashable {
    public var family: String
    public var table: String
    public var chain: String
    public var type: String
    public var priority: Int64
    public var priorityName: String
    public var policy: String
    public var isSelf: Bool

    public var label: String { "\(family) \(table) \(chain)" }
}

/// The base chains on one hook of one packet path (IPv4/IPv6, ARP, bridge, netdev), in order.
public struct HookOrder: Sendable, Hashable {
    /// `inet` for the IPv4/IPv6 hooks (ip, ip6 and inet chains), else the family.
    public var path: String
    public var hook: String
    /// The device of an ingress or egress hook, which is one per device (nil elsewhere, or
    /// for chains that name none).
    public var device: String? = nil
    public var chains: [HookPeer]
}

public struct RuleExplanation: Sendable, Hashable {
    /// 1-based position in its chain.
    public var position: Int
    public var handle: Int64?
    public var location: String?
    /// The rule in nft syntax.
    public var nft: String
    public var comment: String?
    public var steps: [Step]
    /// Where evaluation can go from here: jumps, gotos and verdict-map branches.
    public var edges: [ChainEdge]
    /// Parts that could not be explained (empty when the whole rule is explained).
    public var gaps: [String]

    /// One statement of the rule: a condition the packet must meet, or something done to it.
    public struct Step: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case condition, action }
        public var kind: Kind
        public var text: String
        public var nft: String
    }
}

/// A transfer of control to another chain.
public struct ChainEdge: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case jump, goto }
    public var kind: Kind
    public var target: String
    /// The verdict-map key that leads there (nil for a plain jump/goto statement).
    public var mapKey: String?
}

/// Why a selection cannot be explained.
public struct ExplainError: Sendable, OptionMessage {
    public var message: String
    /// Set when the options asked for do not go together: the message is spelled from it.
    public var option: OptionError.Reason?
    public init(_ message: String) { self.message = message }
    public init(_ reason: OptionError.Reason) {
        self.option = reason
        self.message = OptionError(reason).description
    }
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        option.map { OptionError($0).message(spelling: spell) } ?? message
    }
}
