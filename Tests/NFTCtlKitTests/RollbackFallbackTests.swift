import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Rollback's whole-table fallback, against `FakeBackend` (no root): when the incremental
/// restore does not leave the snapshot's state, the tables are replaced whole, judged by
/// the listing the check took after the incremental commit.
@Suite struct RollbackFallbackTests {
    typealias Pipeline = ApplyPipelineTests

    /// Table b was created by the apply (the snapshot names it, without content) and was
    /// gone when the rollback listed; another program creates it again right after the
    /// incremental commit. The check sees it, and the fallback deletes it: the snapshot's
    /// state is exactly table a as it was. Two listings, no third.
    @Test func theFallbackClearsWhatTheChecksListingShows() throws {
        let fake = try FakeBackend(), backend = Pipeline.Wrapped(fake)
        try fake.apply(try Pipeline.batch(Pipeline.tableJSON("a", ports: [22, 80])), dryRun: false)
        let snapshot = StateStore.Snapshot(
            id: "test", tables: [TableKey(family: "inet", name: "a"), TableKey(family: "inet", name: "b")],
            listing: try Pipeline.expected(Pipeline.tableJSON("a", ports: [22])))
        backend.afterApply = try Pipeline.batch(Pipeline.tableJSON("b", ports: [9]))

        try Rollback.restore(snapshot, backend: backend)

        let after = try fake.list()
        let tables = after.items.compactMap { item -> String? in
            if case .table(let t) = item { return t.name }
            return nil
        }
        #expect(tables == ["a"], "\(after.json.serialized())")
        let want = Pipeline.rules(try Pipeline.expected(Pipeline.tableJSON("a", ports: [22])))
        #expect(Pipeline.rules(after).map(\.expr) == want.map(\.expr))
        #expect(backend.lists == 2)
    }
}
