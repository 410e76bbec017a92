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

/// Writes to a file or standard output.
/// Writes output. Whatever a printer let through, no control character but newline and
/// tab reaches the terminal or file (`SafeText`; strings were escaped where printed).
func emit(_ text: String, to path: String?) throws {
    let safe = SafeText.escape(text, keepingLayout: true)
    // Nothing (an empty ruleset) prints nothing, as `nft list` does.
    let body = safe.isEmpty || safe.hasSuffix("\n") ? safe : safe + "\n"
    if let path {
        var st = stat()
        // A device, a pipe or a link (`-o /dev/null`, `-o /dev/stdout`) is written through, as
        // the shell's `>` would: an atomic write would put a new file in its place (as root,
        // /dev/null itself). A regular file is replaced whole or not at all.
        if lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
            guard fd >= 0 else { throw Problem("cannot write: \(String(cString: strerror(errno)))", file: path) }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            do { try handle.write(contentsOf: Data(body.utf8)) } catch {
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
