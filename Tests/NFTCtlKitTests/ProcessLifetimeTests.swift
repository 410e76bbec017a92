import Foundation
import Testing

@testable import NFTCtlKit

/// `ProcessLifetime` keeps only in the CLI, which turns it on and exits right after: in a
/// long-lived process (this test runner is one) what an apply hands it is freed as usual.
/// The CLI's side (kept until exit) is seen in every CLI test that applies and exits 0.
@Suite struct ProcessLifetimeTests {
    final class Node: Sendable {}

    @Test func offByDefaultSoNothingIsKeptAlive() {
        weak var watched: Node?
        do {
            let node = Node()
            watched = node
            ProcessLifetime.keep(node)
        }
        #expect(watched == nil)
    }
}
