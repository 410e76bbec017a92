import Foundation
import NFTAnalysis

/// `nftctl restore`: puts the saved ruleset (`StateStore.rulesetFile`) back, as an apply of
/// that batch with all of apply's machinery (lock, validation, one transaction,
/// verification, a snapshot for `nftctl rollback`). It needs no swiftc and no rules file,
/// which is why the boot service runs it.
public enum RestoreOperation {
    public static func run(store: StateStore, backend: Backend, netns: String?, lock: NamespaceLock.Request) throws -> ApplyOperation.Report
    {
        // A file that cannot be read or is not a batch fails here, before anything is listed or sent.
        guard let input = try store.savedRuleset() else {
            throw Problem(
                """
                no saved ruleset at \(store.rulesetFile.path): nothing has been applied with nftctl in this \
                namespace yet (or the state directory was removed); nothing was changed. Apply a rules file first
                """)
        }
        try store.dropPendingFromEarlierBoot()
        return try ApplyOperation.run(input, backend: backend, store: store, netns: netns, lock: lock)
    }
}

extension StateStore {
    /// A `--confirm` still pending from before this boot: its timer died with the old boot,
    /// and its apply is gone from the kernel. The saved ruleset is the last confirmed one,
    /// which is what its rollback would have restored, so the record and the staged ruleset
    /// are dropped. A pending record of this boot stays (apply then refuses, as it says).
    func dropPendingFromEarlierBoot() throws {
        guard try pending() != nil else { return }
        var st = stat()
        guard lstat(pendingFile.path, &st) == 0, let boot = Self.bootTime, Double(st.st_mtim.tv_sec) < boot else { return }
        clearPending()
        discardStagedRuleset()
    }

    /// When this boot began (seconds since 1970; `btime` in /proc/stat).
    static var bootTime: Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    public func discardStagedRuleset() { unlink(stagedRulesetFile.path) }
}
