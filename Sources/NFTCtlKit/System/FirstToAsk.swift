import Foundation
import Synchronization

/// Work done at most once, by whichever thread comes to it first: a thread of its own that
/// starts it once `after` returns (work that would only slow what runs before it: both cores
/// are busy until then), or the caller of `take`, which then does it itself rather than wait
/// for `after`. A caller that finds it under way waits for it. The result is handed out
/// once, so that it is not kept alive here after its user has let it go.
final class FirstToAsk<T: Sendable>: Sendable {
    private enum State: Sendable {
        case waiting, running
        case done(T)
        case taken
    }
    private let state = Mutex<State>(.waiting)
    private let finished = DispatchSemaphore(value: 0)
    /// `ahead`: true when the thread does it, before anyone asked.
    private let work: @Sendable (_ ahead: Bool) -> T

    init(after: @escaping @Sendable () -> Void, _ work: @escaping @Sendable (_ ahead: Bool) -> T) {
        self.work = work
        Thread.start { [self] in
            after()
            if claim() { finish(work(true)) }
        }
    }

    /// The result, once (nil afterwards). When nobody started the work: `run` says whether
    /// this caller does it now, or it is never done.
    func take(run: Bool = true) -> T? {
        let found = state.withLock { s -> State in
            let found = s
            switch s {
            case .waiting: s = run ? .running : .taken
            case .done: s = .taken
            case .running, .taken: break
            }
            return found
        }
        switch found {
        case .waiting:
            guard run else { return nil }
            let v = work(false)
            state.withLock { $0 = .taken }
            finished.signal()
            return v
        case .done(let v): return v
        case .taken: return nil
        case .running:
            finished.wait()
            finished.signal()  // the next waiter returns at once too
            return state.withLock { s -> T? in
                guard case .done(let v) = s else { return nil }
                s = .taken
                return v
            }
        }
    }

    /// True once the work is done (or will never be): for tests that wait for the thread.
    var settled: Bool {
        state.withLock { s in
            switch s {
            case .waiting, .running: return false
            case .done, .taken: return true
            }
        }
    }

    private func claim() -> Bool {
        state.withLock { s in
            guard case .waiting = s else { return false }
            s = .running
            return true
        }
    }

    private func finish(_ v: T) {
        state.withLock { $0 = .done(v) }
        finished.signal()
    }
}
