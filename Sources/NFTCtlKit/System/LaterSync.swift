import Foundation
import NFTAnalysis
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The fsyncs `OwnedPath.writeSyncingLater` leaves running, each on a thread of its own
/// (one costs milliseconds on a journalled disk, as much as a small apply's commit). They
/// are waited for before the next durable publish (`OwnedPath.Prepared.publish`) and at
/// exit, which keeps the order in which state files become durable the order in which they
/// were written.
enum LaterSync {
    private static let pending = Mutex<(started: Bool, syncs: [Concurrently<Void>])>((false, []))

    /// fsyncs and closes `fd` (the file just renamed to `path`) on a thread of its own.
    static func start(_ fd: Int32, path: String) {
        let sync = Concurrently { () throws in
            defer { close(fd) }
            guard fsync(fd) == 0 else { throw Problem("cannot write \(path): fsync: \(String(cString: strerror(errno)))") }
        }
        let first = pending.withLock { p in
            defer { p.started = true }
            p.syncs.append(sync)
            return !p.started
        }
        // A process that ends without another durable write still leaves this one durable.
        if first {
            atexit {
                do { try LaterSync.waitForAll() } catch {
                    let text = Array("nftctl: warning: \(SafeText.escape("\(error)"))\n".utf8)
                    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                }
            }
        }
    }

    /// Waits for every fsync started so far; throws the first failure.
    static func waitForAll() throws {
        let syncs = pending.withLock { p in
            defer { p.syncs = [] }
            return p.syncs
        }
        var failure: (any Error)?
        for s in syncs {
            do { try s.wait() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
