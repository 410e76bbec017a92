import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Bring the tables FILE declares to what it says, in one kernel transaction, and verify.",
        discussion: """
            By default only what differs is changed (the plan `nftctl diff` shows), as ONE libnftables \
            batch: unchanged rules keep their handles and counters, declared set elements are added and \
            removed as deltas, elements the rules add at run time are kept. --replace swaps the declared \
            tables whole instead (also one transaction). Tables FILE does not declare are never touched. \
            If another program changes the ruleset between the listing and the commit, nothing is applied; \
            another nftctl is kept out by a per-namespace lock (--wait). While an earlier --confirm waits \
            for `nftctl confirm`, apply is refused. With --confirm the rollback is armed before the commit. \
            After the commit what the kernel holds is checked against FILE (from the kernel's echo and \
            generation id when only rules changed, else by listing it again); exit 1 with what still \
            differs. The same JSON FILE again with no commit since is up to date at once; applied again \
            where none of its tables exists (a new namespace, after a reboot or a delete), a file whose \
            tables nftctl all sends in its own netlink batch is made from the record of a verified apply \
            of the same bytes, checked against the kernel's echo and a listing of the declarations, without \
            parsing FILE again (not with --dry-run, --prune, --confirm or the SSH check). A JSON FILE that \
            differs from the last one verified in the namespace, nobody having committed since, only in rules \
            of one chain (none jumping or using a verdict map) is applied by sending those rules alone, checked \
            against the kernel's echo; of FILE only the entries that differ and the table's declarations are decoded \
            and validated (same exceptions, \
            and not --replace). Such an edit applied where its tables do not exist is that verified apply's \
            record with those rules exchanged, checked as a record is (same exceptions but --replace, and not \
            with the plan coloured for a terminal). On a terminal \
            the plan is shown and confirmed first (--yes skips the question). Over SSH (SSH_CONNECTION \
            set) the session's own packets are traced through the new rules first, and the apply is \
            refused if they would be dropped (--force overrides). Needs CAP_NET_ADMIN.
            """
    )

    @Argument(help: "A rules file: .swift, .json or .nft (or a directory of .swift files).")
    var file: String

    @OptionGroup var namespace: NetnsOption

    @Flag(help: "Replace the declared tables whole instead of applying only the differences.")
    var replace = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan; change nothing.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation on a terminal.")
    var yes = false

    @Flag(help: "Also delete tables nftctl applied before that FILE no longer declares.")
    var prune = false

    @Flag(help: "Apply even if the rules would cut the SSH connection this command runs over.")
    var force = false

    @Option(
        help: ArgumentHelp(
            "Roll back automatically unless `nftctl confirm` runs within this time (e.g. 60s, 5m). The rollback runs in a detached process, so it happens even if this terminal or SSH session dies.",
            valueName: "DURATION"))
    var confirm: Duration?

    @OptionGroup var lockWait: LockWaitOption

    var interactive: Bool { !yes && !dryRun && Terminal.isInteractive }
    var renderer: PlanRenderer { PlanRenderer(color: Terminal.colorOutput, spelling: { $0.flag }) }

    /// What a replay of this apply is kept under (`ReplayRecord`).
    func replayKey(_ fingerprint: String) -> ReplayRecord.Key {
        ReplayRecord.Key(fingerprint: fingerprint, path: file, replace: replace, color: renderer.color)
    }

    /// The last word of an apply that committed and verified, and its warnings.
    func sayApplied(_ tables: [TableKey], commands: Int, warnings: [String]) {
        let names = tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")
        print("applied to \(names) in one transaction (\(commands) command\(commands == 1 ? "" : "s")); verified")
        for w in warnings { printError("warning: \(w)") }
    }

    /// Shows the plan's text on a terminal and asks; true without asking otherwise.
    func approve(_ text: String) -> Bool {
        guard interactive else { return true }
        print(text)
        return Terminal.confirm("Apply these changes?")
    }

    func run() throws {
        var timer = PhaseTimer()
        let store = StateStore(netns: namespace.netns)
        let netns = namespace.netns
        let lock = NamespaceLock.Request(netns: netns, wait: lockWait.wait, what: "apply")
        // The same JSON file as the last verified apply, nobody having committed since: done.
        // Its bytes are let go once loaded and written beside the saved ruleset (`prepareCopy`).
        let fingerprint: String?
        let input: LoadedInput
        var savedCopy: SavedCopy?
        var baseCopy: SavedCopy?
        var early: Backend?
        // The plan's text the user said yes to for a replay that then backed out (nothing
        // committed): the same plan is not asked about twice.
        var approved: String?
        defer { savedCopy?.discard() }  // unless the apply saved it
        defer { baseCopy?.discard() }  // unless the apply kept it
        // Asks about a plan's text, remembering a yes.
        func approveOnce(_ text: String) -> Bool {
            let yes = approve(text)
            if yes { approved = text }
            return yes
        }
        do {
            let bytes = UpToDate.bytes(of: file)
            let digest = bytes.map(UpToDate.digest)
            fingerprint = digest.map(UpToDate.fingerprint(digest:))
            if let fingerprint, !dryRun, !replace, !prune,
                let tables = try UpToDate.tables(
                    fingerprint: fingerprint, store: store, netns: netns, lock: lock, backend: { try namespace.backend("apply") })
            {
                timer.mark("unchanged \(file), no commit since its verified apply")
                print("\(tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")): already up to date; nothing to do")
                return
            }
            // Saved for `nftctl restore` after the commit: written meanwhile, on a thread of its own.
            if !dryRun, confirm == nil, let bytes, let digest { savedCopy = store.prepareCopy(bytes, digest: digest) }
            // The same file as a verified apply that created its tables, none of which exists
            // now; or an edit of the file applied last, made from that file's record.
            if let bytes, let digest, let fingerprint, !dryRun, !prune, confirm == nil, !lockoutCheckNeeded,
                let (record, patched) = try ReplayRecord.read(replayKey(fingerprint)).map({ ($0, nil) })
                    ?? PatchedReplay.record(replayKey(fingerprint), bytes: bytes, store: store, backend: namespace.backend("apply"))
                    .map({ ($0.record, $0) }),
                let outcome = try Replay.run(
                    record, path: file, bytes: bytes, digest: digest, fingerprint: fingerprint, backend: namespace.backend("apply"),
                    store: store, netns: netns, lock: lock, copy: savedCopy, approve: approveOnce)
            {
                timer.mark(patched == nil ? "replayed \(file)" : "replayed \(file), patched from the file applied last")
                if outcome.applied && outcome.asRecorded { patched?.keep() }
                guard outcome.applied else {
                    print("not applied")
                    throw ExitCode.failure
                }
                savedCopy = nil  // the replay saved it, or discarded it
                if !interactive { print(record.planText) }
                sayApplied(outcome.tables, commands: outcome.commands, warnings: outcome.warnings)
                return
            }
            // For the next edit (`AppliedBase`); not on a replay's path, which keeps no base.
            if !dryRun, let bytes, let digest { baseCopy = store.prepareCopy(bytes, digest: digest, base: true) }
            // An edit of the file applied last: only the rules that changed are sent.
            if let bytes, let digest, let fingerprint, !dryRun, !replace, !prune, confirm == nil, !lockoutCheckNeeded,
                let outcome = try EntryPatch.run(
                    path: file, bytes: bytes, digest: digest, fingerprint: fingerprint, backend: namespace.backend("apply"),
                    store: store, netns: netns, lock: lock, copy: savedCopy, baseCopy: baseCopy, render: { renderer.text($0) },
                    approve: approveOnce)
            {
                timer.mark("patched \(file)")
                let names = outcome.tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")
                if outcome.commands == 0 {
                    print("\(names): already up to date; nothing to do")
                    return
                }
                guard outcome.applied else {
                    print("not applied")
                    throw ExitCode.failure
                }
                savedCopy = nil  // saved for restore, or discarded
                if !interactive { print(outcome.planText) }
                sayApplied(outcome.tables, commands: outcome.commands, warnings: outcome.warnings)
                return
            }
            // A change planned from the remembered listing: libnftables' cache, which its
            // commit needs first, is filled meanwhile, on a thread of its own (`warmCache`).
            if !dryRun, !replace, let b = try? namespace.backend("apply"), let g = try? b.generationID(),
                store.remembersListing(generation: g, netns: netns)
            {
                b.warmCache()
                early = b
            }
            input = try bytes.map { try InputLoader.loadJSON(file, bytes: $0, digest: digest) } ?? InputLoader.load(file)
        }
        defer { ProcessLifetime.keep(input) }
        for note in input.notes { printError(note.description) }
        timer.mark("load \(file)")
        try checkLockout(input)
        let backend = try early ?? namespace.backend(dryRun ? "apply --dry-run (it plans against the kernel's ruleset)" : "apply")
        let arm = confirm.map { c in
            ApplyOperation.Confirm(seconds: c.seconds) { snapshot in try RollbackTimer.start(snapshot: snapshot, netns: netns) }
        }
        var worded: Concurrently<String>?
        var shown: String?
        let report = try ApplyOperation.run(
            input, backend: backend, mode: replace ? .replace : .incremental, dryRun: dryRun,
            store: store, prune: prune, netns: netns, confirm: arm, lock: lock, fingerprint: fingerprint,
            savedCopy: savedCopy, baseCopy: baseCopy
        ) { plan in
            guard interactive else {
                // Shown after the commit, worded meanwhile: at 50k rules the wording takes
                // as long as a fifth of the kernel's commit, which it overlaps.
                if !dryRun { worded = Concurrently { [renderer] in renderer.text(plan) } }
                return true
            }
            let text = renderer.text(plan)
            shown = text
            return text == approved || approve(text)
        }
        defer { ProcessLifetime.keep(report) }
        let names = report.tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")
        if dryRun {
            print(renderer.text(report.plan))
            print("dry run: nothing was changed")
        } else if report.applied {
            let text = shown ?? (try? worded?.wait()) ?? renderer.text(report.plan)
            if !interactive { print(text) }
            defer {
                if let draft = report.replay, let fingerprint {
                    var saving = PhaseTimer()
                    draft.save(replayKey(fingerprint), planText: text)
                    saving.mark("replay record saved")
                }
            }
            sayApplied(report.tables, commands: report.commands, warnings: report.warnings)
            if let confirm, let deadline = report.deadline {
                let left = max(0, deadline - Date().timeIntervalSince1970)
                print(
                    "run `nftctl confirm\(namespace.netns.map { " --netns \($0)" } ?? "")` within \(confirm) "
                        + "(\(Int(left.rounded())) s from now) or this apply is rolled back")
            }
        } else if report.plan.isEmpty {
            print("\(names): already up to date; nothing to do")
            for w in report.warnings { printError("warning: \(w)") }
        } else {
            print("not applied")
            throw ExitCode.failure
        }
    }
}

extension ApplyCommand {
    /// True when the lockout check looks at this apply's rules (`checkLockout`).
    var lockoutCheckNeeded: Bool {
        !force && Environment.value("SSH_CONNECTION") != nil
            && (namespace.netns == nil || Environment.value("NFTCTL_LOCKOUT_CHECK") == "always")
    }

    /// Over SSH, the session's own packets are traced through the new rules first. Only for
    /// this host's namespace (an SSH session does not pass through another namespace), unless
    /// NFTCTL_LOCKOUT_CHECK=always.
    func checkLockout(_ input: LoadedInput) throws {
        guard lockoutCheckNeeded, let ssh = Environment.value("SSH_CONNECTION") else { return }
        let findings = LockoutCheck.findings(state: input.state, sshConnection: ssh)
        let refused = findings.filter { $0.verdict != .undetermined }
        for f in findings where f.verdict == .undetermined {
            printError("warning: cannot tell what the new rules do to your SSH session's packet \(f.packet): \(f.reason)")
        }
        if !refused.isEmpty { throw LockoutRefusal(findings: refused) }
    }
}

enum Terminal {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Colour only on a terminal, and never with NO_COLOR set (no-color.org).
    static var colorOutput: Bool {
        isatty(STDOUT_FILENO) == 1 && Environment.value("NO_COLOR").map(\.isEmpty) ?? true
    }

    static func confirm(_ question: String) -> Bool {
        print("\(question) [y/N] ", terminator: "")
        fflush(nil)
        guard let answer = readLine() else { return false }
        return ["y", "yes"].contains(answer.lowercased())
    }
}
