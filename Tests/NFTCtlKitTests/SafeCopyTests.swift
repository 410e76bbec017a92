import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// What leaves a rules sandbox is copied, never chowned in place: links are not followed,
/// set-id bits are not kept, and a directory someone else could write is not a cache.
@Suite struct SafeCopyTests {
    func scratch() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nftctl-copy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func linksAreNeverFollowedAndSetIDBitsNeverKept() throws {
        let d = try scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let work = d + "/work"
        try FileManager.default.createDirectory(atPath: work + "/mc/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: d + "/secret", contents: Data("secret".utf8))
        // The product is a link to a file the sandbox must not be able to export.
        try FileManager.default.createSymbolicLink(atPath: work + "/libNFTables.so", withDestinationPath: d + "/secret")
        #expect(throws: Problem.self) { try SafeCopy.copy(["libNFTables.so"], from: work, to: d + "/out1") }
        // A set-uid program and links inside a copied tree.
        _ = FileManager.default.createFile(atPath: work + "/rules", contents: Data("#!/bin/sh\n".utf8))
        chmod(work + "/rules", 0o4755)
        _ = FileManager.default.createFile(atPath: work + "/mc/sub/a.pcm", contents: Data("pcm".utf8))
        try FileManager.default.createSymbolicLink(atPath: work + "/mc/link", withDestinationPath: d + "/secret")
        try SafeCopy.copy(["rules", "mc"], from: work, to: d + "/out2")
        var st = stat()
        #expect(lstat(d + "/out2/rules", &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o755, "mode \(String(st.st_mode & 0o7777, radix: 8))")
        #expect(FileManager.default.contents(atPath: d + "/out2/mc/sub/a.pcm") == Data("pcm".utf8))
        #expect(lstat(d + "/out2/mc/link", &st) != 0, "a link was copied")
    }

    @Test func privateDirectoriesRefuseLinksAndOthersWrites() throws {
        let d = try scratch()
        defer { try? FileManager.default.removeItem(atPath: d) }
        try FileManager.default.createDirectory(atPath: d + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: d + "/link", withDestinationPath: d + "/real")
        #expect(throws: Problem.self) { try PrivatePath.directory(d + "/link", purpose: "a test cache") }
        try FileManager.default.createDirectory(atPath: d + "/open", withIntermediateDirectories: true)
        chmod(d + "/open", 0o777)
        #expect(throws: Problem.self) { try PrivatePath.directory(d + "/open/cache", purpose: "a test cache") }
        try PrivatePath.directory(d + "/fresh", purpose: "a test cache")
        var st = stat()
        #expect(lstat(d + "/fresh", &st) == 0 && st.st_mode & 0o777 == 0o700)
        // A file someone else can write is not read.
        _ = FileManager.default.createFile(atPath: d + "/fresh/f", contents: Data("x".utf8))
        chmod(d + "/fresh/f", 0o666)
        #expect(PrivatePath.read(d + "/fresh/f") == nil)
        chmod(d + "/fresh/f", 0o644)
        #expect(PrivatePath.read(d + "/fresh/f") == Array("x".utf8))
    }
}
