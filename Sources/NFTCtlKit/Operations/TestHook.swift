import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Named points in an apply where a test can catch nftctl in the act: with
/// `NFTCTL_TEST_STOP_AT=PHASE` the process stops itself (SIGSTOP) on reaching PHASE, and the
/// test then kills it, writes to the ruleset as a foreign program, or starts a second apply,
/// before continuing it (SIGCONT). This is the only way to hit "killed right after the
/// commit" deterministically. Used by tests only; stopping oneself gives nothing away.
public enum TestHook {
    /// The phases, in the order an apply reaches them.
    public enum Phase: String, Sendable {
        /// The live ruleset has been listed, under the namespace lock.
        case listed
        /// The snapshot is saved and (with --confirm) the rollback timer armed; the batch is not sent yet.
        case armed
        /// The batch is committed; nothing after it (state, verification) has run.
        case committed
    }

    public static func reach(_ phase: Phase) {
        guard Environment.value("NFTCTL_TEST_STOP_AT") == phase.rawValue else { return }
        raise(SIGSTOP)
    }
}
