extension HTTPServer {
    /// The API: every route, its method, and whether it needs a token.
    func registerRoutes(into router: inout Router) {
        router.add("GET", "/healthz", authenticated: false) { [unowned self] exchange, _ in try health(exchange) }
        router.add("GET", "/openapi.yaml", authenticated: false) { exchange, _ in
            try exchange.respond(.ok, contentType: "application/yaml", body: Array((OpenAPIDocument.yaml + "\n").utf8))
        }
        router.add("GET", "/metrics") { [unowned self] exchange, _ in try prometheusMetrics(exchange) }
        router.add("GET", "/v1/stats") { [unowned self] exchange, _ in try statistics(exchange) }
        router.add("POST", "/query") { [unowned self] exchange, _ in try stenographerQuery(exchange) }
        router.add("GET", "/v1/pcap") { [unowned self] exchange, _ in try pcap(exchange) }
        router.add("POST", "/v1/alerts") { [unowned self] exchange, _ in try alerts(exchange) }
        router.add("GET", "/v1/evidence") { [unowned self] exchange, _ in try evidenceList(exchange) }
        router.add("GET", "/v1/evidence/{id}") { [unowned self] exchange, parameters in
            try evidenceFile(exchange, id: parameters["id"] ?? "")
        }
    }

    /// `GET /healthz`: the server answers; whether the store can be opened.
    func health(_ exchange: HTTPExchange) throws {
        try checkNoParameters(exchange.request)
        try exchange.respond(json: .object([("status", .string("ok"))]))
    }

    /// Rejects query parameters on routes that take none.
    func checkNoParameters(_ request: HTTPRequest) throws(HTTPError) {
        if let first = request.queryItems.first {
            throw HTTPError.invalidParameter(first.name, "\(request.path) takes no parameters")
        }
    }
}
