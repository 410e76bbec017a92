import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Limits on `.nft` input, checked before libnftables reads a byte of it.
///
/// libnftables' scanner (flex) rescans a token from its start each time it refills its
/// buffer, so one long token (a `#` comment, a quoted string, a word) costs time quadratic
/// in its length: a 4 MiB comment line takes ~10 s in `nft -f` itself. No nft token needs
/// more than a few hundred bytes (names and comments are capped at 256 by the kernel), so a
/// token over `maxTokenBytes` is refused. `maxBytes` bounds the file and everything it
/// includes together (`NFTCTL_MAX_NFT_BYTES` overrides it).
public struct NftLimits: Sendable {
    public var maxBytes: Int
    public var maxTokenBytes: Int

    public static let defaultMaxBytes = 64 << 20
    public static let defaultMaxTokenBytes = 16 << 10
    /// libnftables' own include depth limit (MAX_INCLUDE_DEPTH).
    static let maxIncludeDepth = 16

    public init(maxBytes: Int = NftLimits.defaultMaxBytes, maxTokenBytes: Int = NftLimits.defaultMaxTokenBytes) {
        self.maxBytes = maxBytes; self.maxTokenBytes = maxTokenBytes
    }

    /// The defaults, with `NFTCTL_MAX_NFT_BYTES` (a byte count) when set.
    public static var current: NftLimits {
        var l = NftLimits()
        if let s = Environment.value("NFTCTL_MAX_NFT_BYTES"), let n = Int(s), n > 0 { l.maxBytes = n }
        return l
    }
}

/// Reads an `.nft` file and every file it includes (resolved as libnftables 1.0.6 resolves
/// them), refusing what libnftables should never be given: input over the size limit, an
/// over-long token, an include that is not a regular file (a FIFO or `/dev/zero` would
/// hang it), that this user cannot read, or that includes itself.
/// Errors name the file and line, never the content of an included file.
enum NftPrecheck {
    /// The main file's bytes (for the source map); `display` is how the user spelled its path.
    static func check(file path: String, display: String, limits: NftLimits = .current) throws(Problem) -> [UInt8] {
        var walker = Walker(limits: limits)
        let bytes = try walker.read(path, display: display, includedAt: nil)
        try walker.scan(bytes, path: path, display: display, depth: 0)
        return bytes
    }

    /// What a lexical pass found: `include "NAME"` statements with their lines, and the
    /// line of a `flags` list naming `owner` (only a table takes that flag).
    struct Scan {
        var includes: [(name: String, line: Int)] = []
        var ownerFlag: Int?
    }

    /// One linear pass over nft syntax: token lengths and include statements. Tokens are
    /// `#` comments (to the end of the line), quoted strings, and runs of anything but
    /// blanks and the punctuation that separates nft tokens.
    static func lex(_ b: [UInt8], maxToken: Int) -> (Scan, overlong: Int?) {
        var scan = Scan()
        var i = 0, line = 1, afterInclude = false, inFlags = false
        let n = b.count
        func separates(_ c: UInt8) -> Bool {
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D, 0x7B, 0x7D, 0x28, 0x29, 0x2C, 0x3B, 0x3D, 0x23, 0x22: return true  // blanks { } ( ) , ; = # "
            default: return false
            }
        }
        while i < n {
            let c = b[i]
            switch c {
            case 0x0A: line += 1; i += 1; inFlags = false
            case 0x20, 0x09, 0x0D: i += 1
            case 0x23:  // # comment
                let start = i
                while i < n && b[i] != 0x0A { i += 1 }
                if i - start > maxToken { return (scan, line) }
                afterInclude = false
            case 0x22:  // quoted string (may span lines)
                let start = i, startLine = line
                i += 1
                while i < n && b[i] != 0x22 { if b[i] == 0x0A { line += 1 }; i += 1 }
                if i - start > maxToken { return (scan, startLine) }
                if afterInclude { scan.includes.append((String(decoding: b[(start + 1)..<i], as: UTF8.self), startLine)) }
                i += 1
                afterInclude = false
            case 0x7B, 0x7D, 0x28, 0x29, 0x2C, 0x3B, 0x3D:
                if c != 0x2C { inFlags = false }  // a comma goes on with the flags
                i += 1
                afterInclude = false
            default:
                let start = i
                while i < n && !separates(b[i]) { i += 1 }
                if i - start > maxToken { return (scan, line) }
                let word = b[start..<i]
                afterInclude = word.elementsEqual("include".utf8)
                if inFlags, word.elementsEqual("owner".utf8), scan.ownerFlag == nil { scan.ownerFlag = line }
                inFlags = inFlags || word.elementsEqual("flags".utf8)
            }
        }
        return (scan, nil)
    }

    /// Every message here names files from include statements, which the untrusted file
    /// writes (a quoted name may hold a line break): printed on one line (`keepsLayout: false`).
    struct Walker {
        let limits: NftLimits
        var total = 0
        var done: Set<String> = []
        var open: [String] = []

        /// At most the bytes the limit leaves (a file that grows while read is cut off there
        /// and refused), through `FileBytes` as every reader: a failed read is said, with its
        /// errno, not taken for an empty file.
        mutating func read(_ path: String, display: String, includedAt: String?) throws(Problem) -> [UInt8] {
            let left = limits.maxBytes - total
            func unreadable(_ errno: Int32) -> Problem {
                let reason = String(cString: strerror(errno))
                return Problem(
                    includedAt.map { "\($0): cannot read \(display): \(reason)" } ?? "\(display): cannot be read: \(reason)",
                    keepsLayout: false)
            }
            let opened: (fd: Int32, stat: stat)
            do { opened = try FileBytes.open(path) } catch { throw unreadable(error.errno) }
            defer { close(opened.fd) }
            // Checked before by path; here on what was opened (it may have been swapped since).
            guard (opened.stat.st_mode & S_IFMT) == S_IFREG else {
                throw Problem(
                    includedAt.map { "\($0): include of \(display), which is not a regular file" } ?? "\(display): \(InputKind.notAFile)",
                    keepsLayout: false)
            }
            let bytes: [UInt8]
            do { bytes = try FileBytes.read(opened.fd, size: Int(opened.stat.st_size), upTo: min(left, .max - 1) + 1) } catch {
                throw unreadable(error.errno)
            }
            if bytes.count > left {
                let what = includedAt == nil ? "\(display)" : "\(display) (included at \(includedAt!))"
                throw Problem(
                    "\(what): nft input is larger than \(limits.maxBytes) bytes (with what it includes); "
                        + "raise NFTCTL_MAX_NFT_BYTES if it is meant to be", keepsLayout: false)
            }
            total += bytes.count
            return bytes
        }

        mutating func scan(_ bytes: [UInt8], path: String, display: String, depth: Int) throws(Problem) {
            let (scan, overlong) = lex(bytes, maxToken: limits.maxTokenBytes)
            if let line = overlong {
                throw Problem(
                    "a token (word, string or # comment) longer than \(limits.maxTokenBytes) bytes; nft syntax has none this long",
                    file: display, line: line, keepsLayout: false)
            }
            if let line = scan.ownerFlag {
                // libnftables would load it, and its listing would not have it any more: the
                // kernel deletes an owner table when the socket that made it closes.
                throw Problem(
                    "table flag owner: the kernel deletes such a table when the process that made it exits, so it would be "
                        + "gone when nftctl exits; declare the table without it", file: display, line: line, keepsLayout: false)
            }
            let key = canonical(path)
            done.insert(key)
            open.append(key)
            defer { open.removeLast() }
            guard depth < NftLimits.maxIncludeDepth else { return }  // libnftables reports the nesting itself
            for inc in scan.includes {
                let at = "\(display):\(inc.line)"
                for target in NftPrecheck.resolve(inc.name) {
                    let real = canonical(target)
                    if open.contains(real) {
                        throw Problem("include of \(target) includes itself (a cycle)", file: display, line: inc.line, keepsLayout: false)
                    }
                    if done.contains(real) { continue }
                    var st = stat()
                    guard stat(target, &st) == 0 else { continue }  // missing: libnftables says so
                    if (st.st_mode & S_IFMT) == S_IFDIR { continue }
                    guard (st.st_mode & S_IFMT) == S_IFREG else {
                        throw Problem(
                            "include of \(target), which is not a regular file", file: display, line: inc.line, keepsLayout: false)
                    }
                    guard access(target, R_OK) == 0 else {
                        throw Problem(
                            "include of \(target), which this user cannot read", file: display, line: inc.line, keepsLayout: false)
                    }
                    let data = try read(target, display: target, includedAt: at)
                    try self.scan(data, path: target, display: target, depth: depth + 1)
                }
            }
        }

        func canonical(_ path: String) -> String {
            guard let r = realpath(path, nil) else { return path }
            defer { free(r) }
            return String(cString: r)
        }
    }

    /// The files an `include "NAME"` names, as libnftables 1.0.6 finds them: `/…` as is,
    /// `./…` and `../…` from the current directory (the sandbox child shares ours), anything
    /// else in the default include path `/etc`; wildcards expand (no match is no error).
    static func resolve(_ name: String) -> [String] {
        let path: String
        if name.hasPrefix("/") {
            path = name
        } else if name.hasPrefix("./") || name.hasPrefix("../") {
            path = FileManager.default.currentDirectoryPath + "/" + name
        } else {
            path = "/etc/" + name
        }
        guard path.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) else { return [path] }
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(path, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }
    }
}
