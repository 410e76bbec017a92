import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Runs one program with `posix_spawn` and waits for it with `poll`/`waitpid` under a
/// deadline. Foundation's `Process` was seen to wait forever for a child that had already
/// exited (in a namespace whose loopback is down); nothing here depends on a run loop.
///
/// The child gets its own process group, so a deadline kills everything it started; its
/// stdin is `/dev/null` or the bytes given, never the caller's terminal; its outputs come
/// back through pipes, each bounded.
public struct ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// What the child wrote on descriptor 3 (when `fd3` was asked for).
        public var fd3: [UInt8]
    }

    /// What the user calls this child in messages ("the rules program", "swiftc").
    public var name: String
    public var argv: [String]
    public var environment: [String: String]
    public var stdin: [UInt8]? = nil
    /// Give the child a pipe as descriptor 3 (the rules program's output channel).
    public var fd3 = false
    /// Send stderr into the stdout capture (one interleaved text, as a compiler prints it).
    public var mergeStderr = false
    /// Seconds until the child's process group is killed.
    public var deadline: Double
    /// Bytes kept per output; a child that writes more is killed.
    public var outputLimit = 256 << 20
    /// Environment variable that names the deadline, for the message ("set X to wait longer").
    public var deadlineVariable: String? = nil

    public init(name: String, argv: [String], environment: [String: String], deadline: Double) {
        self.name = name
        self.argv = argv
        self.environment = environment
        self.deadline = deadline
    }

    public func run() throws(Problem) -> Result {
        guard let path = argv.first else { throw Problem("\(name): nothing to run") }
        var pipes: [(read: Int32, write: Int32)] = []
        defer { for p in pipes { close(p.read); close(p.write) } }
        func makePipe() throws(Problem) -> Int {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw Problem("cannot create a pipe for \(name): \(Self.errnoText())") }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // dup2 into the child clears it
            pipes.append((fds[0], fds[1]))
            return pipes.count - 1
        }
        let outPipe = try makePipe()
        let errPipe = mergeStderr ? outPipe : try makePipe()
        let fd3Pipe = fd3 ? try makePipe() : nil
        let inPipe = stdin != nil ? try makePipe() : nil

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inPipe {
            posix_spawn_file_actions_adddup2(&actions, pipes[inPipe].read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipes[outPipe].write, 1)
        posix_spawn_file_actions_adddup2(&actions, pipes[errPipe].write, 2)
        if let fd3Pipe { posix_spawn_file_actions_adddup2(&actions, pipes[fd3Pipe].write, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so that a deadline can kill the whole group; default signal
        // handling, so an ignored SIGPIPE or SIGINT in nftctl does not leak into the child.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, cArgs, cEnv)
        // The parent keeps only its own ends.
        for (i, p) in pipes.enumerated() {
            if i == inPipe { close(p.read); pipes[i].read = -1 } else { close(p.write); pipes[i].write = -1 }
        }
        guard rc == 0 else { throw Problem("cannot run \(name) (\(path)): \(String(cString: strerror(rc)))") }

        // A child that dies before reading all its input must not take nftctl with it.
        signal(SIGPIPE, SIG_IGN)
        let started = Self.now()
        var streams: [Int32: [UInt8]] = [:]
        var open: [Int32] = [pipes[outPipe].read]
        if errPipe != outPipe { open.append(pipes[errPipe].read) }
        if let fd3Pipe { open.append(pipes[fd3Pipe].read) }
        for fd in open { streams[fd] = []; _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var input = stdin.map { ArraySlice($0) }
        var inputFD: Int32 = inPipe.map { pipes[$0].write } ?? -1
        if inputFD >= 0 { _ = fcntl(inputFD, F_SETFL, fcntl(inputFD, F_GETFL) | O_NONBLOCK) }

        func killGroup() {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var failure: Problem?
        // Read until every output is closed (or the deadline); then wait for the exit.
        while !open.isEmpty || inputFD >= 0 {
            let remaining = deadline - (Self.now() - started)
            if remaining <= 0 { failure = timeoutError(); break }
            var pfds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inputFD >= 0 { pfds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            let n = poll(&pfds, nfds_t(pfds.count), Int32(min(remaining, 1) * 1000) + 1)
            if n < 0 { if errno == EINTR { continue }; failure = Problem("waiting for \(name): \(Self.errnoText())"); break }
            for p in pfds where p.revents != 0 {
                if p.fd == inputFD {
                    if p.revents & Int16(POLLOUT) != 0, var rest = input, !rest.isEmpty {
                        let w = rest.withUnsafeBytes { write(inputFD, $0.baseAddress, min($0.count, 1 << 16)) }
                        if w > 0 { rest = rest.dropFirst(w); input = rest }
                        if w < 0 && errno != EAGAIN && errno != EINTR { input = [] }
                    }
                    if input?.isEmpty ?? true || p.revents & Int16(POLLERR | POLLHUP) != 0 {
                        close(inputFD)
                        if let inPipe { pipes[inPipe].write = -1 }
                        inputFD = -1
                    }
                    continue
                }
                let r = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if r > 0 {
                    streams[p.fd]!.append(contentsOf: buffer[0..<r])
                    if streams[p.fd]!.count > outputLimit {
                        failure = Problem("\(name) wrote more than \(outputLimit) bytes of output; it was stopped")
                    }
                } else if r == 0 || (errno != EAGAIN && errno != EINTR) {
                    open.removeAll { $0 == p.fd }
                }
            }
            if failure != nil { break }
            if inputFD >= 0, input?.isEmpty ?? true {
                close(inputFD)
                if let inPipe { pipes[inPipe].write = -1 }
                inputFD = -1
            }
        }
        var status: Int32 = 0
        if failure == nil {
            // Outputs closed: the child has exited or is about to (or closed them and lingers).
            while true {
                let w = waitpid(pid, &status, WNOHANG)
                if w == pid { break }
                if w < 0 && errno != EINTR { failure = Problem("waiting for \(name): \(Self.errnoText())"); break }
                if Self.now() - started >= deadline { failure = timeoutError(); break }
                usleep(2_000)
            }
        }
        // Whatever the child left behind in its group goes with it.
        killGroup()
        if let failure {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            throw failure
        }
        let signal = status & 0x7f
        if signal != 0 {
            throw Problem("\(name) was killed by signal \(signal) (\(Self.signalName(signal)))")
        }
        return Result(
            status: (status >> 8) & 0xff, stdout: streams[pipes[outPipe].read] ?? [],
            stderr: errPipe == outPipe ? [] : streams[pipes[errPipe].read] ?? [],
            fd3: fd3Pipe.map { streams[pipes[$0].read] ?? [] } ?? [])
    }

    private func timeoutError() -> Problem {
        var m = "\(name) did not finish within its deadline of \(Self.seconds(deadline)); it was stopped"
        if let v = deadlineVariable { m += " (set \(v) to allow longer)" }
        return Problem(m)
    }

    /// A deadline in seconds from an environment variable, or the default; a bad value is
    /// an error rather than silently the default.
    public static func deadline(_ variable: String, default value: Double) throws(Problem) -> Double {
        guard let text = Environment.value(variable), !text.isEmpty else { return value }
        guard let v = Double(text), v > 0, v.isFinite else {
            throw Problem("\(variable)=\(text.debugDescription) is not a number of seconds")
        }
        return v
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : "\(s) s" }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [
            SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGABRT: "SIGABRT", SIGTERM: "SIGTERM",
            SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGHUP: "SIGHUP",
            SIGINT: "SIGINT", SIGPIPE: "SIGPIPE", SIGTRAP: "SIGTRAP", SIGXCPU: "SIGXCPU"
        ]
        return names[s] ?? "signal \(s)"
    }
}
