import Foundation

/// `NFTCTL_TIMING=1` prints how long each phase of a command took (stderr): where the time
/// of an apply goes, measured instead of guessed.
public struct PhaseTimer {
    public init() {}
    let enabled = ProcessInfo.processInfo.environment["NFTCTL_TIMING"] != nil
    var last = Date()

    public mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        FileHandle.standardError.write(Data("timing: \(phase): \(Int(now.timeIntervalSince(last) * 1000)) ms\n".utf8))
        last = now
    }
}
