import ProtoJSON
import Testing

/// google.api.http: templates, the router over Isid's annotated protos, and requests built from path, query
/// and body.
@Suite struct HTTPRuleTests {
    static let transcoder: HTTPTranscoder = makeTranscoder()

    private static func makeTranscoder() -> HTTPTranscoder {
        do {
            return try HTTPTranscoder(pool: pool)
        } catch {
            fatalError("Isid's HTTP rules do not load: \(error)")
        }
    }

    // MARK: Templates

    @Test(
        "templates that parse",
        arguments: [
            "/v1/series", "/v1/series/{code}", "/v1/{name=projects/*}/x", "/v1/{name=projects/*/series/*}",
            "/v1/programmes/{id}:changeStatus", "/v1/programmes:watch", "/v1/*/x", "/v1/files/**", "/v1/{path=**}",
            "/v1/{programme.id}",
        ]
    )
    func parses(_ template: String) throws {
        #expect(try PathTemplate(template).description == template)
    }

    @Test(
        "templates that do not",
        arguments: ["v1/x", "/v1/", "/v1/{a", "/v1/{a={b}}", "/v1/**/x", "/v1/{a}/{a}", "/v1/x:", "/v1/{}"]
    )
    func refusesTemplate(_ template: String) {
        #expect(throws: ProtoJSONError.self) { try PathTemplate(template) }
    }

    // MARK: Routing

    struct Route: CustomTestStringConvertible, Sendable {
        var method: String
        var path: String
        var rpc: String
        var bindings: [String: String]
        var testDescription: String { "\(method) \(path)" }
    }

    static let routes: [Route] = [
        Route(
            method: "GET",
            path: "/v1/indicators/NV_IND_MANF/latest",
            rpc: "/isid.indicators.v1.IndicatorService/GetLatestValues",
            bindings: ["series_code": "NV_IND_MANF"]
        ),
        Route(method: "GET", path: "/v1/series", rpc: "/isid.indicators.v1.IndicatorService/ListSeries", bindings: [:]),
        Route(
            method: "GET",
            path: "/v1/series/EN_ATM_CO2MVA",
            rpc: "/isid.indicators.v1.IndicatorService/GetSeries",
            bindings: ["code": "EN_ATM_CO2MVA"]
        ),
        Route(
            method: "GET",
            path: "/v1/areas/150",
            rpc: "/isid.indicators.v1.IndicatorService/GetArea",
            bindings: ["code": "150"]
        ),
        Route(
            method: "GET",
            path: "/v1/sdg9-index/2022",
            rpc: "/isid.indicators.v1.IndicatorService/GetSdg9Index",
            bindings: ["year": "2022"]
        ),
        Route(
            method: "GET",
            path: "/v1/indicators/NV_IND_MANF/areas/DEU/progress",
            rpc: "/isid.indicators.v1.IndicatorService/GetProgress",
            bindings: ["series_code": "NV_IND_MANF", "area_code": "DEU"]
        ),
        Route(
            method: "POST",
            path: "/v1/observations:upsert",
            rpc: "/isid.indicators.v1.IndicatorService/UpsertObservations",
            bindings: [:]
        ),
        Route(
            method: "GET",
            path: "/v1/programmes/prg-1",
            rpc: "/isid.programmes.v1.ProgrammeService/GetProgramme",
            bindings: ["id": "prg-1"]
        ),
        Route(
            method: "POST",
            path: "/v1/programmes/prg-1:changeStatus",
            rpc: "/isid.programmes.v1.ProgrammeService/ChangeProgrammeStatus",
            bindings: ["id": "prg-1"]
        ),
        Route(
            method: "GET",
            path: "/v1/programmes:watch",
            rpc: "/isid.programmes.v1.ProgrammeService/WatchProgrammeChanges",
            bindings: [:]
        ),
        Route(
            method: "PATCH",
            path: "/v1/programmes/prg%2F1%20x",
            rpc: "/isid.programmes.v1.ProgrammeService/UpdateProgramme",
            bindings: ["programme.id": "prg/1 x"]
        ),
        Route(
            method: "GET",
            path: "/v1/portfolio/summary",
            rpc: "/isid.programmes.v1.ProgrammeService/GetPortfolioSummary",
            bindings: [:]
        ),
        Route(
            method: "GET",
            path: "/v1/reported-figures",
            rpc: "/isid.programmes.v1.ProgrammeService/ListReportedFigures",
            bindings: [:]
        ),
    ]

    @Test(arguments: routes)
    func matchesRoute(_ route: Route) throws {
        guard case .matched(let match) = Self.transcoder.route(method: route.method, path: route.path) else {
            Issue.record("no route")
            return
        }
        #expect(match.route.method.path == route.rpc)
        let bindings = Dictionary(
            uniqueKeysWithValues: match.pathBindings.map { ($0.fieldPath.joined(separator: "."), $0.value) }
        )
        #expect(bindings == route.bindings)
    }

    @Test("a path no rule matches is not found")
    func notFound() {
        guard case .notFound = Self.transcoder.route(method: "GET", path: "/v1/nothing") else {
            Issue.record("routed")
            return
        }
    }

    @Test("a path with routes for other methods only is method-not-allowed, listing them")
    func methodNotAllowed() {
        guard case .methodNotAllowed(let allowed) = Self.transcoder.route(method: "DELETE", path: "/v1/programmes")
        else {
            Issue.record("not 405")
            return
        }
        #expect(Set(allowed) == ["GET", "POST"])
    }

    @Test("a one-segment variable does not match a slash")
    func singleSegment() {
        guard case .notFound = Self.transcoder.route(method: "GET", path: "/v1/series/a/b") else {
            Issue.record("routed")
            return
        }
    }

    // MARK: Requests

    struct Request: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var method: String
        var path: String
        var query: String = ""
        var body: String = ""
        /// The request message, as its JSON.
        var json: String
        var testDescription: String { behaviour }
    }

    static let requests: [Request] = [
        Request(
            behaviour: "path variable and repeated query parameter",
            method: "GET",
            path: "/v1/indicators/NV_IND_MANF/latest",
            query: "area_codes=DEU&area_codes=BGD",
            json: #"{"seriesCode":"NV_IND_MANF","areaCodes":["DEU","BGD"]}"#
        ),
        Request(
            behaviour: "query parameters by JSON name, percent- and plus-decoded",
            method: "GET",
            path: "/v1/indicators/NV_IND_MANF/latest",
            query: "areaCodes=D%C3%89U&ifChangedSince=a+b",
            json: #"{"seriesCode":"NV_IND_MANF","areaCodes":["DÉU"],"ifChangedSince":"a b"}"#
        ),
        Request(
            behaviour: "enums by name, bools and numbers from text",
            method: "GET",
            path: "/v1/areas",
            query: "kind=AREA_KIND_ECONOMY&ldc_only=true&region_m49=150",
            json: #"{"kind":"AREA_KIND_ECONOMY","regionM49":"150","ldcOnly":true}"#
        ),
        Request(
            behaviour: "an int32 path variable",
            method: "GET",
            path: "/v1/sdg9-index/2022",
            json: #"{"year":2022}"#
        ),
        Request(
            behaviour: "nested query parameters",
            method: "GET",
            path: "/v1/portfolio/summary",
            query: "filter.kind=PROGRAMME_KIND_PCP&filter.country_code=ETH&convert_to=EUR",
            json: #"{"filter":{"countryCode":"ETH","kind":"PROGRAMME_KIND_PCP"},"convertTo":"EUR"}"#
        ),
        Request(
            behaviour: "body * with a path variable",
            method: "POST",
            path: "/v1/programmes/prg-1:changeStatus",
            body: #"{"status": "PROGRAMME_STATUS_ONGOING", "reason": "approved"}"#,
            json: #"{"id":"prg-1","status":"PROGRAMME_STATUS_ONGOING","reason":"approved"}"#
        ),
        Request(
            behaviour: "a body field, the path's nested variable merged into it and winning",
            method: "PATCH",
            path: "/v1/programmes/prg-2",
            query: "update_mask=title&etag=e1",
            body: #"{"id": "prg-other", "title": "New"}"#,
            json: #"{"programme":{"id":"prg-2","title":"New"},"updateMask":"title","etag":"e1"}"#
        ),
        Request(
            behaviour: "an empty body for body * is an empty request",
            method: "POST",
            path: "/v1/observations:upsert",
            json: "{}"
        ),
    ]

    @Test(arguments: requests)
    func buildsRequest(_ request: Request) throws {
        guard case .matched(let match) = Self.transcoder.route(method: request.method, path: request.path) else {
            Issue.record("no route")
            return
        }
        let message = try Self.transcoder.requestMessage(for: match, query: request.query, body: utf8(request.body))
        let json = try jsonText(message, match.route.method.inputType)
        #expect(try JSONValue(parsing: json) == JSONValue(parsing: request.json), "\(json)")
    }

    struct BadRequest: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var method: String = "GET"
        var path: String
        var query: String = ""
        var body: String = ""
        var errorPath: String
        var testDescription: String { behaviour }
    }

    static let badRequests: [BadRequest] = [
        BadRequest(behaviour: "an unknown query parameter", path: "/v1/series", query: "nope=1", errorPath: "nope"),
        BadRequest(
            behaviour: "a query value of the wrong type, named",
            path: "/v1/areas",
            query: "ldc_only=yes",
            errorPath: "ldc_only"
        ),
        BadRequest(
            behaviour: "an enum name the enum lacks",
            path: "/v1/areas",
            query: "kind=AREA_KIND_PLANET",
            errorPath: "kind"
        ),
        BadRequest(behaviour: "a path value of the wrong type", path: "/v1/sdg9-index/last", errorPath: "year"),
        BadRequest(
            behaviour: "a singular field twice",
            path: "/v1/areas",
            query: "region_m49=1&region_m49=2",
            errorPath: "region_m49"
        ),
        BadRequest(
            behaviour: "a query parameter naming a message",
            path: "/v1/portfolio/summary",
            query: "filter=x",
            errorPath: "filter"
        ),
        BadRequest(behaviour: "a body on a route without one", path: "/v1/series", body: "{}", errorPath: ""),
        BadRequest(
            behaviour: "a query parameter where the body takes every field",
            method: "POST",
            path: "/v1/observations:upsert",
            query: "observations=1",
            errorPath: "observations"
        ),
        BadRequest(
            behaviour: "a body value of the wrong type, named from the request",
            method: "POST",
            path: "/v1/programmes",
            body: #"{"sdgGoals": ["nine"]}"#,
            errorPath: "programme.sdg_goals[0]"
        ),
        BadRequest(
            behaviour: "a body field's body that is more than one JSON value",
            method: "POST",
            path: "/v1/programmes",
            body: #"{}, "requestId": "x""#,
            errorPath: ""
        ),
        BadRequest(behaviour: "a query field bound by the path", path: "/v1/series/X", query: "code=Y", errorPath: ""),
    ]

    @Test(arguments: badRequests)
    func refusesRequest(_ request: BadRequest) {
        guard case .matched(let match) = Self.transcoder.route(method: request.method, path: request.path) else {
            Issue.record("no route")
            return
        }
        #expect {
            try Self.transcoder.requestMessage(for: match, query: request.query, body: utf8(request.body))
        } throws: { error in
            (error as? ProtoJSONError)?.path == request.errorPath
        }
    }

    @Test("ignoreUnknownFields drops unknown query parameters")
    func ignoresUnknownParameters() throws {
        var transcoder = Self.transcoder
        transcoder.decodingOptions.ignoreUnknownFields = true
        guard case .matched(let match) = transcoder.route(method: "GET", path: "/v1/series/X") else {
            Issue.record("no route")
            return
        }
        let message = try transcoder.requestMessage(for: match, query: "_=123", body: [])
        #expect(try jsonText(message, "isid.indicators.v1.GetSeriesRequest") == #"{"code":"X"}"#)
    }

    // MARK: The rest of google.api.http (json_cases.proto's Cases service)

    @Test("a custom method's kind is its HTTP method")
    func customMethod() throws {
        guard case .matched(let match) = Self.transcoder.route(method: "HEAD", path: "/v1/trees/oak") else {
            Issue.record("no route")
            return
        }
        #expect(match.route.method.path == "/isid.protojson.v1.Cases/GetTree")
        #expect(match.pathBindings == [PathBinding(fieldPath: ["label"], value: "oak")])
    }

    @Test("an additional binding: a nested multi-segment variable keeps %2F, a verb, a repeated body field")
    func additionalBinding() throws {
        guard case .matched(let match) = Self.transcoder.route(method: "POST", path: "/v1/forests/f1/trees/t%2F2:find")
        else {
            Issue.record("no route")
            return
        }
        #expect(match.pathBindings == [PathBinding(fieldPath: ["left", "label"], value: "forests/f1/trees/t%2F2")])
        let message = try Self.transcoder.requestMessage(for: match, query: "label=x", body: utf8(#"[{"label": "c"}]"#))
        let json = try jsonText(message, "isid.protojson.v1.Tree")
        #expect(
            try JSONValue(parsing: json)
                == JSONValue(
                    parsing: #"{"label":"x","left":{"label":"forests/f1/trees/t%2F2"},"children":[{"label":"c"}]}"#
                )
        )
    }

    @Test(
        "** takes the rest of the path, slashes included, or nothing",
        arguments: [
            ("/v1/files/a/b%20c/d.txt", "a/b c/d.txt"), ("/v1/files", ""),
        ]
    )
    func multiWildcard(_ path: String, _ label: String) throws {
        guard case .matched(let match) = Self.transcoder.route(method: "GET", path: path) else {
            Issue.record("no route")
            return
        }
        #expect(match.route.method.name == "GetFile")
        #expect(match.pathBindings == [PathBinding(fieldPath: ["label"], value: label)])
    }

    @Test("response_body answers with one field of the response, its default when unset")
    func responseBody() throws {
        let route = try #require(
            Self.transcoder.router.routes.first { $0.httpMethod == "GET" && $0.responseBody == "children" }
        )
        let response = Wire.string(1, "root") + Wire.bytes(3, Wire.string(1, "x"))
        #expect(text(try Self.transcoder.responseJSON(for: route, response: response)) == #"[{"label":"x"}]"#)
        #expect(text(try Self.transcoder.responseJSON(for: route, response: [])) == "[]")
    }

    @Test("without response_body the answer is the whole response")
    func wholeResponse() throws {
        let route = try #require(Self.transcoder.router.routes.first { $0.method.name == "GetSeries" })
        let response = Wire.string(1, "NV_IND_MANF")
        #expect(text(try Self.transcoder.responseJSON(for: route, response: response)) == #"{"code":"NV_IND_MANF"}"#)
    }
}
