import Foundation
import Synchronization

/// Work run on a thread of its own while the caller does something independent of it (the
/// rules file read and normalised while the kernel is listed). At 50k rules each half costs
/// seconds, and this machine class has at least two cores.
public final class Concurrently<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    public init(_ work: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            let r = Result { try work() }
            result.withLock { $0 = r }
            done.signal()
        }
        thread.stackSize = 8 << 20  // as the main thread's: parsers recurse
        thread.start()
    }

    /// Waits for the work; its value, or the error it threw. May be called again.
    public func wait() throws -> T {
        done.wait()
        done.signal()  // the next wait returns at once too
        return try result.withLock { $0 }!.get()
    }
}
