import Foundation
import Testing
@testable import TapedeckHTTP

/// The document the server serves is `api/openapi.yaml`, byte for byte.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func embeddedDocumentMatchesTheFile() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("api/openapi.yaml"), encoding: .utf8)
        if ProcessInfo.processInfo.environment["TAPEDECK_UPDATE_FIXTURES"] == "1" {
            let body = file.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n")
            let swift = """
                /// `api/openapi.yaml`, embedded so that the server serves it without reading any file.
                /// Generated: `TAPEDECK_UPDATE_FIXTURES=1 swift test --filter OpenAPIDocumentTests` rewrites it
                /// from the file, and that test fails when the two differ.
                enum OpenAPIDocument {
                    static let yaml = #\"\"\"
                \(body)
                    \"\"\"#
                }

                """
            try swift.write(to: Self.root.appendingPathComponent("Sources/TapedeckHTTP/OpenAPIDocument.swift"), atomically: true, encoding: .utf8)
            return
        }
        #expect(OpenAPIDocument.yaml + "\n" == file,
                "Sources/TapedeckHTTP/OpenAPIDocument.swift is stale: run TAPEDECK_UPDATE_FIXTURES=1 swift test --filter OpenAPIDocumentTests")
    }
}
