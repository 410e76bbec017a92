import DSLGenerator
import Foundation
import Testing

/// The generated DSL files are what the generator writes today: an edit to one of them, or
/// to the generator without `swift run generate-dsl`, fails here.
@Test(arguments: DSLGenerator.files.map(\.path))
func generatedDSLFileIsCurrent(_ path: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let checkedIn = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    let generated = try #require(DSLGenerator.files.first { $0.path == path }).text
    #expect(checkedIn == generated, "\(path) is not what Sources/DSLGenerator writes: run `swift run generate-dsl`")
}
