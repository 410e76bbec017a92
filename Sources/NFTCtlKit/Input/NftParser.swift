import Foundation
import NFTables

/// nft syntax, parsed by libnftables itself: the text is loaded into a throw-away
/// namespace (no root needed) and listed back as JSON. libnftables' errors name the line
/// in its own buffer name; they are rewritten to name the user's file.
enum NftParser {
    /// nft syntax given as text (no file): errors name `path`, with the line libnftables gives.
    static func parse(path: String, text: String) throws -> Document {
        do {
            return try Sandbox.loadAndList(text: text)
        } catch let e as SandboxError {
            throw InputError(rewrite(e.message, path: path))
        }
    }

    /// An nft syntax file.
    static func parse(file path: String) throws -> Document {
        // libnftables reads the file itself, so its errors carry the line (from a buffer
        // 1.0.6 only shows the buffer's first line) and `include` resolves next to it.
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        do {
            return try Sandbox.loadAndList(file: absolute)
        } catch let e as SandboxError {
            throw InputError(rewrite(e.message.replacingOccurrences(of: absolute + ":", with: path + ":"), path: path))
        }
    }

    /// `<cmdline>:3:1-4: Error: ...` → `rules.nft:3:1-4: error: ...`
    static func rewrite(_ message: String, path: String) -> String {
        var out: [String] = []
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            var l = String(line)
            for name in ["<cmdline>", "/dev/stdin", "-"] where l.hasPrefix(name + ":") {
                l = path + l.dropFirst(name.count)
                break
            }
            l = l.replacingOccurrences(of: ": Error: ", with: ": error: ")
            out.append(l)
        }
        while out.last?.isEmpty == true { out.removeLast() }
        return out.joined(separator: "\n")
    }
}
