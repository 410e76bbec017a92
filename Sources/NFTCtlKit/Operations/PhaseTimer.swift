import Foundation

/// `NFTCTL_TIMING=1` prints how long each phase of a command took, and the process's peak
/// memory so far (stderr): where the time and the memory of an apply go, measured instead
/// of guessed.
public struct PhaseTimer {
    public init() {}
    let enabled = Environment.value("NFTCTL_TIMING") != nil
    var last = Date()

    public mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        let peak = Self.peakMemory().map { " (peak \($0 >> 10) MiB)" } ?? ""
        FileHandle.standardError.write(Data("timing: \(phase): \(Int(now.timeIntervalSince(last) * 1000)) ms\(peak)\n".utf8))
        last = now
    }

    /// `VmHWM` of /proc/self/status, in KiB: the most resident memory so far.
    static func peakMemory() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}
