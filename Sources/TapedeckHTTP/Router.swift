/// Maps a method and path to a handler. Paths are literal segments or `{name}` placeholders
/// (`/v1/evidence/{id}`), whose values reach the handler. A path without a route is `404`; a
/// path with routes for other methods is `405` with `Allow`. `HEAD` is served by the `GET`
/// handler wherever there is one.
struct Router {
    /// Answers one exchange; `parameters` holds the values of the path's placeholders.
    typealias Handler = (HTTPExchange, _ parameters: [String: String]) throws -> Void

    /// A registered route.
    struct Route {
        var method: String
        var segments: [Substring]
        /// Whether the route needs a bearer token when the server has tokens.
        var authenticated: Bool
        var handler: Handler
    }

    private(set) var routes: [Route] = []

    /// Adds a route for `method` and `pattern` (e.g. `/v1/pcap`).
    mutating func add(_ method: String, _ pattern: String, authenticated: Bool = true, _ handler: @escaping Handler) {
        routes.append(Route(method: method, segments: pattern.split(separator: "/", omittingEmptySubsequences: false),
                            authenticated: authenticated, handler: handler))
    }

    /// What a lookup found.
    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    /// The route for `method` and `path`.
    func match(method: String, path: String) -> Match {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        var allowed: [String] = []
        var found: (Route, [String: String])?
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: segments) else { continue }
            allowed.append(route.method)
            if route.method == "GET" { allowed.append("HEAD") }
            if found == nil, route.method == method || (method == "HEAD" && route.method == "GET") {
                found = (route, parameters)
            }
        }
        if let found { return .found(found.0, found.1) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ pattern: [Substring], to segments: [Substring]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix("{"), expected.hasSuffix("}") {
                guard !actual.isEmpty else { return nil }
                parameters[String(expected.dropFirst().dropLast())] = String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
