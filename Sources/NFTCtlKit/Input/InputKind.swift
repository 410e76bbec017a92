import Foundation
import NFTAnalysis

/// What a path holds, decided in this one place for every command that reads rules
/// (apply, check, diff, import, `--against`): a directory or `.swift` is a rules program,
/// `.nft` nft syntax, `.json` libnftables JSON; any other name is JSON when its first
/// non-blank byte is `{`, and nft syntax otherwise.
public enum InputKind: String, Sendable {
    case json, nft, swift

    public static func of(_ path: String) throws -> InputKind {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw Problem("no such file or directory", file: path)
        }
        if isDir.boolValue || path.hasSuffix(".swift") { return .swift }
        if path.hasSuffix(".nft") { return .nft }
        if path.hasSuffix(".json") { return .json }
        let head = FileHandle(forReadingAtPath: path).flatMap { h in
            defer { try? h.close() }; return try? h.read(upToCount: 4096)
        }
        if head?.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x09 && $0 != 0x0D }) == UInt8(ascii: "{") { return .json }
        return .nft
    }
}
