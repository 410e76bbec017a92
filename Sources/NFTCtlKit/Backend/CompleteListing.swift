import Foundation
import NFTAnalysis

/// A listing whose sets could not be proven complete (see `ListingConsistency.swift`):
/// nothing may be planned from it, least of all element deletions.
public struct IncompleteListing: Sendable, DiagnosticError {
    public var what: String
    public var attempts: Int
    public var sets: [InconsistentSet]
    public var diagnostics: [Diagnostic] { [.error(message)] }
    var message: String {
        var s = "\(what) is not complete"
        if attempts > 1 { s += " after \(attempts) attempts" }
        s += " (it repeats elements of a set, so it leaves out as many others: the set changed shape while it was dumped): "
        s += sets.prefix(4).map(\.description).joined(separator: "; ")
        return s + ". Nothing was planned from it; try again."
    }
}

/// Lists through libnftables until the listing is complete: a listing whose sets repeat
/// elements is re-read after a growing pause (the rehash that caused it is then over),
/// and given up on, with `IncompleteListing`, after `attempts` tries. libnftables 1.0.6
/// itself already re-reads on `NLM_F_DUMP_INTR` (a commit during the dump) and when the
/// generation id moved, so those never reach here.
enum CompleteListing {
    static let attempts = 7
    /// Pause before the second attempt; doubled before each later one (0.1 … 3.2 s).
    static let firstPause = 0.1

    /// `produce` reads one listing (JSON plus what `ListingRepair` recovers from the text
    /// listing); it is read again while its sets repeat elements.
    static func read(what: String, _ produce: () throws -> Document) throws -> Document {
        try readIfAny(what: what, produce)!
    }

    /// `read`, for a `produce` that may have nothing to list (nil, returned at once).
    static func readIfAny(what: String, _ produce: () throws -> Document?) throws -> Document? {
        var pause = firstPause
        var last: [InconsistentSet] = []
        for attempt in 1...attempts {
            guard let doc = try produce() else { return nil }
            last = doc.inconsistentSets
            if last.isEmpty { return doc }
            if attempt < attempts {
                Thread.sleep(forTimeInterval: pause)
                pause *= 2
            }
        }
        throw IncompleteListing(what: what, attempts: attempts, sets: last)
    }
}
