import ProtobufRuntime
import StandardProtos
import Testing

/// One message built in Swift together with the bytes `protoc --encode` produced for the same message.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    let name: String
    let golden: [UInt8]
    let message: any ProtobufMessage
    /// Decodes bytes as the message's own type.
    let decode: @Sendable ([UInt8]) throws -> any ProtobufMessage

    init<Message: ProtobufMessage>(_ name: String, _ golden: [UInt8], _ message: Message) {
        self.name = name
        self.golden = golden
        self.message = message
        self.decode = { try Message(serializedBytes: $0) }
    }

    var testDescription: String { name }

    /// Whether `other` is the same message (same type, equal fields).
    func matches(_ other: any ProtobufMessage) -> Bool {
        AnyHashable(message) == AnyHashable(other)
    }
}

extension GoldenCase {
    /// Every field kind: scalars (negative, extreme), UTF-8 strings, bytes, nested and repeated messages,
    /// packed and unpacked repeated fields, enums (negative and unrecognized), oneofs, maps, proto3 `optional`,
    /// well-known types across modules, recursion, keyword field names, empty messages.
    static let all: [GoldenCase] = standardProtos + testMessages

    static let standardProtos: [GoldenCase] = [
        GoldenCase(
            "helloRequestUnicode",
            Goldens.helloRequestUnicode,
            Helloworld_HelloRequest.with { $0.name = "Ada Lovelace — ünïcødé 🚀" }
        ),
        GoldenCase(
            "simpleRequestNested",
            Goldens.simpleRequestNested,
            Grpc_Testing_SimpleRequest.with {
                $0.responseType = .compressable
                $0.responseSize = -1
                $0.payload = .with { $0.body = [0, 1, 255] }
                $0.fillUsername = true
                $0.responseCompressed = .with { $0.value = true }
                $0.responseStatus = .with {
                    $0.code = -5
                    $0.message = "boom"
                }
                $0.fillGrpclbRouteType = true
                $0.orcaPerQueryReport = .with {
                    $0.cpuUtilization = 0.5
                    $0.memoryUtilization = -1.25
                }
            }
        ),
        GoldenCase(
            "reconnectInfoPackedInt32",
            Goldens.reconnectInfoPackedInt32,
            Grpc_Testing_ReconnectInfo.with {
                $0.passed = true
                $0.backoffMs = [1, 300, -2]
            }
        ),
        GoldenCase(
            "clientConfigureRepeatedEnumsAndMessages",
            Goldens.clientConfigureRepeatedEnumsAndMessages,
            Grpc_Testing_ClientConfigureRequest.with {
                $0.types = [.emptyCall, .unaryCall, .unaryCall]
                $0.metadata = [
                    .with {
                        $0.type = .unaryCall
                        $0.key = "k"
                        $0.value = "v"
                    },
                    .with { $0.value = "w" },
                ]
                $0.timeoutSec = 7
            }
        ),
        GoldenCase(
            "loadBalancerStatsMaps",
            Goldens.loadBalancerStatsMaps,
            Grpc_Testing_LoadBalancerStatsResponse.with {
                $0.rpcsByPeer = ["b": 2, "a": 1]
                $0.numFailures = 3
                $0.rpcsByMethod = ["m": .with { $0.rpcsByPeer = ["p": 9] }, "e": .init()]
            }
        ),
        GoldenCase(
            "accumulatedStatsIntMap",
            Goldens.accumulatedStatsIntMap,
            Grpc_Testing_LoadBalancerAccumulatedStatsResponse.with {
                $0.statsPerMethod = [
                    "UNARY_CALL": .with {
                        $0.rpcsStarted = 4
                        $0.result = [2: 3, 14: 1, -1: 5]
                    }
                ]
            }
        ),
        GoldenCase(
            "reflectionOneofString",
            Goldens.reflectionOneofString,
            Grpc_Reflection_V1_ServerReflectionRequest.with {
                $0.host = "h"
                $0.fileContainingSymbol = "grpc.health.v1.Health"
            }
        ),
        GoldenCase(
            "reflectionOneofMessage",
            Goldens.reflectionOneofMessage,
            Grpc_Reflection_V1_ServerReflectionRequest.with {
                $0.messageRequest = .fileContainingExtension(
                    .with {
                        $0.containingType = "T"
                        $0.extensionNumber = 5
                    }
                )
            }
        ),
        GoldenCase(
            "reflectionOneofEmptyString",
            Goldens.reflectionOneofEmptyString,
            Grpc_Reflection_V1_ServerReflectionRequest.with { $0.messageRequest = .listServices("") }
        ),
        GoldenCase(
            "statusWithAnyDetails",
            Goldens.statusWithAnyDetails,
            Google_Rpc_Status.with {
                $0.code = 3
                $0.message = "bad request"
                $0.details = [
                    .with {
                        $0.typeUrl = "type.googleapis.com/google.rpc.BadRequest"
                        $0.value = [0x0a, 0x02, 0x0a, 0x00]
                    },
                    .init(),
                ]
            }
        ),
        GoldenCase(
            "quotaViolationOptionalZero",
            Goldens.quotaViolationOptionalZero,
            Google_Rpc_QuotaFailure.Violation.with {
                $0.subject = "s"
                $0.quotaDimensions = ["region": "eu"]
                $0.quotaValue = 10
                $0.futureQuotaValue = 0
            }
        ),
        GoldenCase(
            "uint64ValueMax",
            Goldens.uint64ValueMax,
            Google_Protobuf_UInt64Value.with { $0.value = .max }
        ),
        GoldenCase("floatValue", Goldens.floatValue, Google_Protobuf_FloatValue.with { $0.value = -1.5 }),
        GoldenCase(
            "structValue",
            Goldens.structValue,
            Google_Protobuf_Value.with {
                $0.structValue = .with {
                    $0.fields = [
                        "list": .with {
                            $0.listValue = .with {
                                $0.values = [
                                    .with { $0.numberValue = 1 },
                                    .with { $0.stringValue = "two" },
                                    .with { $0.boolValue = true },
                                    .with { $0.nullValue = .nullValue },
                                ]
                            }
                        },
                        "nested": .with { $0.structValue = .init() },
                    ]
                }
            }
        ),
        GoldenCase(
            "timestamp",
            Goldens.timestamp,
            Google_Protobuf_Timestamp.with {
                $0.seconds = -62_135_596_800
                $0.nanos = 999_999_999
            }
        ),
        GoldenCase("emptyMessage", Goldens.emptyMessage, Grpc_Testing_Empty()),
        GoldenCase(
            "healthServingStatus",
            Goldens.healthServingStatus,
            Grpc_Health_V1_HealthCheckResponse.with { $0.status = .notServing }
        ),
        GoldenCase(
            "healthUnrecognizedStatus",
            Goldens.healthUnrecognizedStatus,
            Grpc_Health_V1_HealthCheckResponse.with { $0.status = .unrecognized(42) }
        ),
    ]
}
