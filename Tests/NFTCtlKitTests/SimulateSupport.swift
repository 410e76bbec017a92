import Foundation
import NFTAnalysis

@testable import NFTCtlKit

/// Loads nft text the way `nftctl` does (libnftables in a throw-away namespace).
func simulateState(_ nft: String) throws -> RulesetState {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nftctl-sim-\(getpid())-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("rules.nft").path
    try nft.write(toFile: path, atomically: true, encoding: .utf8)
    return try InputLoader.loadNft(path).state
}

/// Traces one packet description.
func simulateTrace(_ state: RulesetState, _ packet: String) throws -> Trace {
    Simulator(state: state).trace(try PacketSpec.parse(packet))
}
