import Synchronization

/// libnftables 1.0.6 keeps process-global state (the parser, caches, symbol tables): two
/// contexts used at once from two threads corrupt each other. Every call into the library,
/// context creation and freeing included, and every `setns` done for it, goes through this
/// one lock. It is not reentrant: code holding it must not call back into another locked
/// entry point.
enum NFTLock {
    private static let mutex = Mutex<Void>(())

    static func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try mutex.withLock { (_: inout Void) throws(E) -> sending T in try body() }
    }
}
