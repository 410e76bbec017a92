import Foundation
import Testing

/// The injection payloads through a `.swift` rules file: refused at the user's line, with
/// nothing raw reaching the terminal (the `.json` and `.nft` paths: InjectionKernelTests).
struct SwiftInjectionTests {
    @Test func hostileStringsInARulesFileAreRefusedAndEscaped() {
        let file = Shell.repositoryRoot.appendingPathComponent("Tests/NFTCtlKitTests/Fixtures/escape/evil.swift").path
        for command in ["check", "compile"] {
            let r = Shell.run([Shell.nftctl, command, file])
            #expect(r.status == 1, "\(command): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("evil.swift:4"), "\(command) names the chain's line: \(r.stderr)")
            #expect(r.stderr.contains("evil.swift:5"), "\(command) names the rule's line: \(r.stderr)")
            let out = r.stdout + r.stderr
            #expect(!out.unicodeScalars.contains("\u{1b}") && !out.contains("\r"), "\(command) printed a raw control character")
            #expect(!out.split(separator: "\n").contains { $0.hasPrefix("+ table ip injected") }, "\(command) printed a forged line")
        }
    }
}
