import Foundation
import Synchronization

/// Work done once, by whichever thread comes to it first: a thread of its own that starts
/// it once `after` returns (work that would only slow what runs before it: both cores are
/// busy until then), or the caller of `value`, which then does it itself rather than wait
/// for `after`. A caller that finds it under way waits for it.
final class FirstToAsk<T: Sendable>: Sendable {
    private enum State: Sendable {
        case waiting, running
        case done(T)
    }
    private let state = Mutex<State>(.waiting)
    private let finished = DispatchSemaphore(value: 0)
    private let work: @Sendable () -> T

    init(after: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () -> T) {
        self.work = work
        let thread = Thread { [self] in
            after()
            _ = value()
        }
        thread.stackSize = 8 << 20  // as the main thread's: parsers recurse
        thread.start()
    }

    /// The work's result: done here if nobody started it yet, else waited for.
    func value() -> T {
        let mine = state.withLock { s -> Bool in
            guard case .waiting = s else { return false }
            s = .running
            return true
        }
        if mine {
            let v = work()
            state.withLock { $0 = .done(v) }
            finished.signal()
            return v
        }
        finished.wait()
        finished.signal()  // the next waiter returns at once too
        return state.withLock { s -> T in
            guard case .done(let v) = s else { preconditionFailure("FirstToAsk signalled before its result") }
            return v
        }
    }
}
