import NFTAnalysis

/// The final outcome of a trace.
public enum TraceVerdict: String, Sendable, CaseIterable {
    case accept, drop, reject, queue
    /// A match on the way could not be evaluated from the packet description.
    case undetermined

    /// Whether the packet gets through (`reject` and `drop` do not).
    public var delivers: Bool? {
        switch self {
        case .accept: return true
        case .drop, .reject: return false
        case .queue, .undetermined: return nil
        }
    }
}

/// One thing that happened on the packet's way.
public struct TraceStep: Sendable, Hashable {
    public enum Result: String, Sendable {
        /// A base chain is entered.
        case enter
        case matched
        case noMatch = "no match"
        case undetermined
        /// The base chain ended with its policy.
        case policy
        /// A regular chain ended (or `return`): back to the caller.
        case `return`
        /// The chain was not evaluated (e.g. a nat chain for an established packet).
        case skipped
    }

    public var hook: Hook
    /// `family table`.
    public var table: String
    public var chain: String
    /// 1-based position of the rule in its chain; nil for chain-level steps.
    public var rule: Int?
    public var text: String?
    public var location: SourceLocation?
    public var result: Result
    /// Why: which match failed, what a lookup found, what a statement did.
    public var detail: String

    public init(
        hook: Hook, table: String, chain: String, rule: Int? = nil, text: String? = nil,
        location: SourceLocation? = nil, result: Result, detail: String
    ) {
        self.hook = hook; self.table = table; self.chain = chain; self.rule = rule; self.text = text
        self.location = location; self.result = result; self.detail = detail
    }
}

/// What happened to one packet: every step, the verdict, and what had to be assumed.
public struct Trace: Sendable {
    public var packet: PacketSpec
    public var verdict: TraceVerdict
    /// One sentence: who decided, or why nothing could be decided.
    public var reason: String
    public var steps: [TraceStep]
    /// Things taken as given that the description does not say (documented defaults,
    /// `limit` under its rate, ...). Empty when the trace needed none.
    public var assumptions: [String]
    /// The step at which the verdict became undetermined.
    public var undeterminedStep: Int?
    /// The packet as the last chain saw it (after NAT), e.g. `tcp 10.0.0.9:40000 -> 172.18.0.2:80`.
    public var finalPacket: String
    /// Tables the trace could not use (bridge, arp, netdev families).
    public var notes: [String]
}
