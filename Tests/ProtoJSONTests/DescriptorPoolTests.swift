import IndicatorsAPI
import ProgrammesAPI
import ProtoJSON
import Testing

/// The pool read from the generated modules' serialized descriptors.
@Suite struct DescriptorPoolTests {
    @Test("fields carry number, json_name, presence and the type they refer to across files")
    func fields() throws {
        let request = try #require(pool.message(named: "isid.programmes.v1.UpdateProgrammeRequest"))
        let mask = try #require(request.field(named: "updateMask"))
        #expect(mask.name == "update_mask")
        #expect(mask.number == 2)
        #expect(mask.type == .message)
        #expect(mask.typeName == "google.protobuf.FieldMask")
        #expect(mask.hasPresence)
        let progress = try #require(pool.message(named: ".isid.indicators.v1.ProgressAssessment"))
        #expect(progress.field(named: "baseline_value")?.hasPresence == true)  // proto3 optional
        #expect(progress.field(named: "area_code")?.hasPresence == false)
        #expect(progress.oneofNames.isEmpty)  // optional's synthetic oneofs are not oneofs
    }

    @Test("map fields are recognised by their entry type")
    func maps() throws {
        let request = try #require(pool.message(named: "isid.indicators.v1.GetSdg9IndexRequest"))
        let weights = try #require(request.field(named: "weights"))
        #expect(weights.isMap && weights.isRepeated)
    }

    @Test("services list methods with streaming, idempotency and HTTP rules")
    func methods() throws {
        let latest = try #require(pool.method(path: "/isid.indicators.v1.IndicatorService/GetLatestValues"))
        #expect(latest.idempotencyLevel == .noSideEffects)
        #expect(latest.httpRule == HTTPRule(method: "GET", pattern: "/v1/indicators/{series_code}/latest"))
        #expect(latest.inputType == "isid.indicators.v1.GetLatestValuesRequest")
        let watch = try #require(pool.method(path: "/isid.indicators.v1.IndicatorService/WatchChanges"))
        #expect(watch.serverStreaming && !watch.clientStreaming)
        let upsert = try #require(pool.method(path: "/isid.indicators.v1.IndicatorService/UpsertObservations"))
        #expect(upsert.idempotencyLevel == .unknown)
        #expect(upsert.httpRule == HTTPRule(method: "POST", pattern: "/v1/observations:upsert", body: "*"))
    }

    @Test("every read RPC of Isid's services has a GET route")
    func readsHaveRoutes() {
        let isid = pool.services.filter {
            $0.fullName.hasPrefix("isid.indicators.") || $0.fullName.hasPrefix("isid.programmes.")
        }
        #expect(isid.count == 2)
        for method in isid.flatMap(\.methods) where method.idempotencyLevel == .noSideEffects {
            #expect(method.httpRule?.method == "GET", "\(method.path)")
        }
    }

    @Test("an HTTP rule's custom method, response_body and additional bindings")
    func httpRuleParts() throws {
        let method = try #require(pool.method(path: "/isid.protojson.v1.Cases/GetTree"))
        #expect(
            method.httpRule
                == HTTPRule(
                    method: "GET",
                    pattern: "/v1/trees/{label}",
                    responseBody: "children",
                    additionalBindings: [
                        HTTPRule(method: "HEAD", pattern: "/v1/trees/{label}"),
                        HTTPRule(method: "POST", pattern: "/v1/{left.label=forests/*/trees/*}:find", body: "children"),
                    ]
                )
        )
    }

    @Test("the APIs' filesWithImports, which repeat the standard files, make a pool (each file once)")
    func filesWithImports() throws {
        let apis = try DescriptorPool(
            files: IndicatorsAPIDescriptors.filesWithImports + ProgrammesAPIDescriptors.filesWithImports
        )
        let names = apis.services.map(\.fullName)
        #expect(Set(names).count == names.count)
        #expect(names.contains("isid.indicators.v1.IndicatorService"))
        #expect(names.contains("isid.programmes.v1.ProgrammeService"))
        #expect(apis.message(named: "google.protobuf.Timestamp") != nil)
        #expect(apis.message(named: "isid.protojson.v1.Tree") == nil)
    }

    @Test("a type name no file defines is an error naming it")
    func danglingType() {
        // FileDescriptorProto { name: "x.proto", message_type { name: "M", field { name: "f", number: 1,
        // label: LABEL_OPTIONAL, type: TYPE_MESSAGE, type_name: ".nowhere.N" } } }
        let field =
            Wire.string(1, "f") + Wire.int(3, 1) + Wire.int(4, 1) + Wire.int(5, 11) + Wire.string(6, ".nowhere.N")
        let file = Wire.string(1, "x.proto") + Wire.bytes(4, Wire.string(1, "M") + Wire.bytes(2, field))
        #expect {
            try DescriptorPool(serializedFiles: [file])
        } throws: { error in
            (error as? ProtoJSONError)?.reason.contains("nowhere.N") == true
        }
    }
}
