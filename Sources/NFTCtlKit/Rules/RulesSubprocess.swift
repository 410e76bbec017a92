import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with posix_spawn: optionally capturing stdout+stderr together, optionally
/// giving it a pipe as file descriptor 3 (the rules program's output channel).
enum RulesSubprocess {
    struct Result {
        var status: Int32
        var output: [UInt8]
    }

    enum Capture { case combinedOutput, fd3 }

    static func run(_ argv: [String], environment: [String: String], capture: Capture) throws -> Result {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw RulesError("cannot create a pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch capture {
        case .combinedOutput:
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        case .fd3:
            // print() in a rules file goes to nftctl's stderr, never into the output.
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
            posix_spawn_file_actions_adddup2(&actions, writeEnd, 3)
        }
        if writeEnd > 3 { posix_spawn_file_actions_addclose(&actions, writeEnd) }

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
        close(writeEnd)
        guard rc == 0 else {
            close(readEnd)
            throw RulesError("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: buf[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output: out)
    }
}
