import Foundation
import NFTAnalysis

/// What a path holds, decided in this one place for every command that reads rules
/// (apply, check, diff, import, `--against`): a directory or `.swift` is a rules program,
/// `.nft` nft syntax, `.json` libnftables JSON; any other name is JSON when its first
/// non-blank byte is `{`, and nft syntax otherwise. Anything but a directory or a regular
/// file (a pipe such as `<(…)`, a device) is refused: a rules file is read more than once
/// (its kind from its first bytes, then whole), and a second read of a pipe gets what the
/// first left, which as nft syntax can be some of the tables and not the others.
public enum InputKind: String, Sendable {
    case json, nft, swift

    static let notAFile = "not a regular file (a pipe or a device, read more than once here): write the rules to a file first"

    /// A regular file or a directory: what `of` takes, by path, and `InputLoader.readBytes`
    /// again on its own descriptor (the path may have been swapped for a pipe since).
    static func isFileOrDirectory(_ mode: mode_t) -> Bool {
        mode & S_IFMT == S_IFREG || mode & S_IFMT == S_IFDIR
    }

    public static func of(_ path: String) throws -> InputKind {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw Problem(errno == ENOENT ? "no such file or directory" : "cannot be read: \(String(cString: strerror(errno)))", file: path)
        }
        guard isFileOrDirectory(st.st_mode) else { throw Problem(notAFile, file: path) }
        if st.st_mode & S_IFMT == S_IFDIR || path.hasSuffix(".swift") { return .swift }
        if path.hasSuffix(".nft") { return .nft }
        if path.hasSuffix(".json") { return .json }
        let head = FileHandle(forReadingAtPath: path).flatMap { h in
            defer { try? h.close() }; return try? h.read(upToCount: 4096)
        }
        if head?.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) == UInt8(ascii: "{") { return .json }
        return .nft
    }
}
