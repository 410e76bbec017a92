import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// What a sysadmin migrating a Docker host met: import reads like hand-written Swift, takes
/// only the tables asked for, warns about other programs' tables, and declares no more than
/// the original did.
@Suite(.serialized) struct ImportReadabilityTests {
    static let fixture = ImportTests.fixtures + "/docker-host.nft"

    @Test(.needsRoot) func importReadsLikeHandWrittenSwiftAndRoundTrips() throws {
        let state = try ImportSource.load(Self.fixture)
        let dir = try ImportRoundTrip.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let o = try ImportRoundTrip.run(state, name: "docker_host", in: dir)
        #expect(o.differences.isEmpty, "\(o.differences)\n\(o.source)")
        #expect(o.source.contains("rule(jump(dockerUser))") && o.source.contains("rule(jump(dockerIsolationStage1))"), "\(o.source)")
        #expect(o.source.contains("let dockerIsolationStage1 = chain(\"DOCKER-ISOLATION-STAGE-1\")"), "\(o.source)")
        #expect(o.source.contains("jump(ssh)"), "\(o.source)")
        #expect(o.source.contains("This table looks like Docker's"), "\(o.source)")
        // The kernel lists `burst 5 packets` for every packet limit; the file never said so.
        #expect(o.source.contains("rule(limit(rate: 10), accept)") && !o.source.contains("burst"), "\(o.source)")
        let docker = o.source.components(separatedBy: "looks like Docker's").count - 1
        #expect(docker == 1, "only the ip filter table is Docker's")
    }

    @Test(.needsRoot) func tableAndExcludeChooseTables() throws {
        let only = Shell.run([Shell.nftctl, "import", Self.fixture, "--table", "inet", "filter"])
        #expect(only.status == 0, "\(only.stderr)")
        #expect(only.stdout.contains("family: .inet") && !only.stdout.contains("family: .ip)"), "\(only.stdout)")
        #expect(only.stdout.contains("let forward = chain(\"forward\""), "no other table takes the name: \(only.stdout)")
        let except = Shell.run([Shell.nftctl, "import", Self.fixture, "--exclude", "inet", "filter"])
        #expect(
            except.status == 0 && except.stdout.contains("family: .ip)") && !except.stdout.contains("family: .inet"), "\(except.stdout)")
        let missing = Shell.run([Shell.nftctl, "import", Self.fixture, "--table", "inet", "nope"])
        #expect(missing.status == 1 && missing.stderr.contains("no table inet nope"), "\(missing.stderr)")
        let odd = Shell.run([Shell.nftctl, "import", Self.fixture, "--table", "inet"])
        #expect(odd.status == 2)
    }
}
