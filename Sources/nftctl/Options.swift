import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

/// `--netns NAME`: work in a named network namespace (`ip netns`) instead of this one.
struct NetnsOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Work in the named network namespace (from `ip netns list`).", valueName: "NAME"))
    var netns: String?

    /// Before anything is read or written under the state directory `netns-NAME`.
    func validate() throws {
        if let netns, !NetworkNamespace.isPossibleName(netns) {
            throw ValidationError("no network namespace can be named \(SafeText.quoted(netns)) (see `ip netns list`)")
        }
    }

    /// The kernel's ruleset (of --netns): one clear error first when it cannot be reached.
    func backend(_ what: String = "reading the kernel's ruleset") throws -> Backend {
        try Privilege.requireNetAdmin(what)
        return try LibNFTablesBackend(netns: netns)
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case nft, json
}

/// Writes output to a file or standard output. Whatever a printer let through, no control character but newline and
/// tab reaches the terminal or file (`SafeText`; strings were escaped where printed).
func emit(_ text: String, to path: String?) throws {
    let safe = SafeText.escape(text, keepingLayout: true)
    // Nothing (an empty ruleset) prints nothing, as `nft list` does.
    let body = safe.isEmpty || safe.hasSuffix("\n") ? safe : safe + "\n"
    if let path {
        var st = stat(), out = stat()
        // Standard output by another name (`-o /dev/stdout`, maybe appending to a log): its
        // own handle, not the path opened anew at offset 0 and truncated.
        if stat(path, &st) == 0, fstat(STDOUT_FILENO, &out) == 0, st.st_dev == out.st_dev, st.st_ino == out.st_ino {
            FileHandle.standardOutput.write(Data(body.utf8))
            return
        }
        // A device, a pipe or a link (`-o /dev/null`) is written through, as the shell's `>`
        // would: an atomic write would put a new file in its place (as root, /dev/null
        // itself). A regular file named directly is replaced whole or not at all; through a
        // link it is truncated and written, as `>` does.
        if lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw Problem("cannot write: \(String(cString: strerror(errno)))", file: path) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
            do {
                try handle.write(contentsOf: Data(body.utf8))
                try handle.close()
            } catch {
                throw Problem("cannot write: \(error.localizedDescription)", file: path)
            }
            return
        }
        do { try body.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw Problem("cannot write: \(error.localizedDescription)", file: path)
        }
    } else {
        FileHandle.standardOutput.write(Data(body.utf8))
    }
}

/// An error or warning on stderr; control characters escaped as in `emit`.
func printError(_ text: String) {
    let safe = SafeText.escape(text, keepingLayout: true)
    FileHandle.standardError.write(Data((safe.hasSuffix("\n") ? safe : safe + "\n").utf8))
}
