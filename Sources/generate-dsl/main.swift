import DSLGenerator
import Foundation

// Rewrites the generated DSL files in this checkout (`swift run generate-dsl`).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
for file in DSLGenerator.files {
    let url = root.appendingPathComponent(file.path)
    if (try? String(contentsOf: url, encoding: .utf8)) == file.text {
        print("\(file.path): current")
        continue
    }
    try file.text.write(to: url, atomically: true, encoding: .utf8)
    print("\(file.path): written")
}
