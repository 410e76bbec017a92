import Synchronization

/// Values a command is done with, kept until the process exits instead of freed one heap
/// node at a time. The model, listings and plan of a 10k-rule table are hundreds of
/// thousands of nodes, and freeing them cost an apply a tenth of a second and more; the CLI
/// exits right after, and the kernel takes the address space back at once (compilers do the
/// same: clang's -disable-free). Off unless the CLI turns it on, so a long-lived process
/// (the test runner) frees as usual.
public enum ProcessLifetime {
    private static let kept = Mutex<(on: Bool, values: [any Sendable])>((false, []))

    /// The CLI, at start: from now on `keep` keeps.
    public static func keepUntilExit() { kept.withLock { $0.on = true } }

    public static func keep(_ value: some Sendable) {
        kept.withLock { if $0.on { $0.values.append(value) } }
    }
}
