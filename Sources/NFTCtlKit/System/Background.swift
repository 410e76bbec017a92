import Foundation
import Synchronization

/// Work started on a thread of its own and waited for where its result is needed: an apply
/// reads the remembered listing while it validates and normalises the rules (the machine
/// has a second core; both are hundreds of milliseconds on a large table).
final class Background<T: Sendable>: Sendable {
    private let result = Mutex<T?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> T) {
        let thread = Thread { [self] in
            let value = work()
            result.withLock { $0 = value }
            done.signal()
        }
        thread.stackSize = 8 << 20  // the JSON parser recurses (depth ≤ 256)
        thread.start()
    }

    /// Waits for the work to finish (once; later calls return at once).
    var value: T {
        done.wait()
        done.signal()
        return result.withLock { $0! }
    }
}
