import Foundation
import NFTModel
import Testing

@testable import NFTCtlKit

/// `FileBytes` reads a whole file into one array sized by `fstat`: what it returns must not
/// depend on that size being right (a file that grows or shrinks while it is read, a pipe).
@Suite struct FileBytesTests {
    static func file(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "nftctl-filebytes-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [0, 1, 4095, 65536, 65537, 300_001])
    func readsTheWholeFileWhateverSizeItWasSaidToHave(count: Int) throws {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let path = try Self.file(bytes)
        defer { unlink(path) }
        for hint in [count, 0, count / 2, count + 10, 1] {
            let fd = open(path, O_RDONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            #expect(try FileBytes.read(fd, size: hint) == bytes, "size \(count), said \(hint)")
        }
        #expect(try InputLoader.readBytes(path) == bytes)
    }

    @Test func stopsAtTheLimit() throws {
        let bytes = [UInt8](repeating: 0x61, count: 100_000)
        let path = try Self.file(bytes)
        defer { unlink(path) }
        for (hint, limit) in [(100_000, 10), (0, 70_000), (100_000, 100_000), (5, 100_001)] {
            let fd = open(path, O_RDONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            #expect(try FileBytes.read(fd, size: hint, upTo: limit).count == min(limit, bytes.count), "said \(hint), limit \(limit)")
        }
    }

    /// A directory opens but does not read: the error says why, with its name. (From the
    /// command line a directory is a rules program: `InputKind`.)
    @Test func aDirectoryIsAnErrorNamingIt() throws {
        let dir = NSTemporaryDirectory()
        let error = #expect(throws: Problem.self) { try InputLoader.readBytes(dir) }
        #expect(error?.description.contains(dir) == true, "\(String(describing: error))")
        #expect(error?.description.contains("Is a directory") == true, "\(String(describing: error))")
    }

    /// A file whose size `fstat` gives as 0 (a pipe here, /proc elsewhere) is read to its end.
    @Test func readsAPipeToItsEnd() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (reader, writer) = (fds[0], fds[1])
        let bytes = [UInt8](repeating: 0x7b, count: 50_000)
        Thread {
            bytes.withUnsafeBytes {
                var off = 0; while off < bytes.count { off += max(0, write(writer, $0.baseAddress! + off, bytes.count - off)) }
            }
            close(writer)
        }.start()
        defer { close(reader) }
        #expect(try FileBytes.read(reader, size: 0) == bytes)
    }

    /// `nftctl apply <(…)`: a pipe is refused by name, not read twice (its kind from its first
    /// bytes, then whole), which would leave the second read what the first did not take.
    @Test func aPipeOrADeviceIsNotARulesFile() throws {
        let fifo = NSTemporaryDirectory() + "nftctl-fifo-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).nft"
        try #require(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        for path in [fifo, "/dev/null"] {
            let error = #expect(throws: Problem.self) { try InputLoader.load(path) }
            #expect(error?.description.contains("\(path): not a regular file") == true, "\(String(describing: error))")
        }
        // Put in a file's place after its kind was decided: refused by the read itself, at
        // once (opened without blocking, where a FIFO with no writer would wait for one). A
        // reader that does wait is let go by a writer that comes and goes, and then fails
        // the expectations (it reads an empty file) instead of hanging the suite.
        let (stop, stopped) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        Thread {
            while stop.wait(timeout: .now() + 0.05) == .timedOut {
                let w = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if w >= 0 { close(w) }
            }
            stopped.signal()
        }.start()
        defer {
            stop.signal()
            stopped.wait()
        }
        let swapped = #expect(throws: Problem.self) { try InputLoader.readBytes(fifo) }
        #expect(swapped?.description.contains("\(fifo): not a regular file") == true, "\(String(describing: swapped))")
        var limits = NftLimits()
        limits.maxBytes = 1 << 20
        var walker = NftPrecheck.Walker(limits: limits)
        let device = #expect(throws: Problem.self) { try InputLoader.readBytes("/dev/null") }
        #expect(device?.description.contains("/dev/null: not a regular file") == true, "\(String(describing: device))")
        let included = #expect(throws: Problem.self) { try walker.read(fifo, display: fifo, includedAt: "a.nft:3") }
        #expect(
            included?.description.contains("a.nft:3: include of \(fifo), which is not a regular file") == true,
            "\(String(describing: included))")
        let missing = #expect(throws: Problem.self) { try InputKind.of(fifo + ".missing") }
        #expect(missing?.description.hasSuffix("no such file or directory") == true, "\(String(describing: missing))")
    }
}
