/// `api/openapi.yaml`, embedded so that the server serves it without reading any file.
/// Generated: `TAPEDECK_UPDATE_FIXTURES=1 swift test --filter OpenAPIDocumentTests` rewrites it
/// from the file, and that test fails when the two differ.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.0.3
    """
}
