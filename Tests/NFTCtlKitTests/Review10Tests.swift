import Foundation
import NFTAnalysis
import Synchronization
import Testing

@testable import NFTCtlKit

/// Review 10 (the remembered listing read ahead, `StateStore.prefetchListing`): what the
/// review found, and what it checked.
@Suite struct Review10Tests {
    typealias P = ApplyPipelineTests

    /// A read ahead that the thread has done (the work waited for, not taken).
    static func readAhead(_ store: StateStore) throws -> StateStore.ListingPrefetch {
        let ahead = store.prefetchListing(netns: nil) {}
        for _ in 0..<3000 where !ahead.settled { usleep(10_000) }
        try #require(ahead.settled, "the read ahead did not end within 30 s")
        return ahead
    }

    static func remembered(_ ports: [Int]) throws -> (FakeBackend, StateStore) {
        let fake = try FakeBackend()
        let store = StateStore(root: try P.stateDir(), netns: nil)
        try fake.apply(try P.batch(P.tableJSON("t", ports: ports)), dryRun: false)
        store.rememberListing(
            try fake.list(), generation: try fake.generationID(), netns: nil, tables: [TableKey(family: "inet", name: "t")])
        return (fake, store)
    }

    /// The work runs once: callers that find it under way wait for it, and the result is
    /// handed out once; a caller whose thread's `after` never returns (a hung warm-up)
    /// does it itself at once, and is told it did (`ahead` false).
    @Test func workReadAheadIsDoneOnceAndHandedOutOnce() throws {
        final class Count: Sendable { let runs = Mutex(0) }
        let count = Count()
        let started = DispatchSemaphore(value: 0)
        let running = FirstToAsk(after: {}) { ahead -> Int in
            count.runs.withLock { $0 += 1 }
            started.signal()
            usleep(300_000)
            return ahead ? 5 : -5
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        let results = Mutex<[Int?]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let v = running.take()
            results.withLock { $0.append(v) }
        }
        #expect(results.withLock { $0 }.compactMap { $0 } == [5])
        #expect(count.runs.withLock { $0 } == 1)
        let never = DispatchSemaphore(value: 0)
        let hung = FirstToAsk(after: { never.wait() }) { ahead in ahead ? 9 : -9 }
        #expect(hung.take() == -9)
        #expect(hung.take() == nil)
        never.signal()
    }

    /// A listing the apply read itself (the warm-up still running) is not called read ahead.
    @Test func aListingTheApplyReadItselfIsNotCalledReadAhead() throws {
        let (fake, store) = try Self.remembered([22])
        defer { try? FileManager.default.removeItem(at: store.root) }
        let never = DispatchSemaphore(value: 0)
        let ahead = store.prefetchListing(netns: nil) { never.wait() }  // a warm-up that has not ended
        let taken = try #require(
            store.rememberedListing(
                generation: try fake.generationID(), netns: nil, covering: [TableKey(family: "inet", name: "t")], prefetched: ahead))
        #expect(!taken.readAhead, "read by the apply itself, yet reported as read ahead")
        never.signal()
    }
}
