import ProtobufRuntime
import StandardProtos

/// Golden cases over the test-only messages of `Protos/isid/testing/v1/kinds.proto`.
extension GoldenCase {
    static let testMessages: [GoldenCase] = [
        GoldenCase(
            "scalarsAllKinds",
            Goldens.scalarsAllKinds,
            Isid_Testing_V1_Scalars.with {
                $0.int32Value = .min
                $0.int64Value = .min
                $0.uint32Value = .max
                $0.uint64Value = .max
                $0.sint32Value = -3
                $0.sint64Value = .min
                $0.fixed32Value = .max
                $0.fixed64Value = 1
                $0.sfixed32Value = -1
                $0.sfixed64Value = -2
                $0.floatValue = 3.25
                $0.doubleValue = -0.1
                $0.boolValue = true
                $0.stringValue = "日本語"
                $0.bytesValue = [0, 255]
                $0.color = .infrared
            }
        ),
        GoldenCase(
            "scalarsUnrecognizedEnum",
            Goldens.scalarsUnrecognizedEnum,
            Isid_Testing_V1_Scalars.with { $0.color = .unrecognized(7) }
        ),
        GoldenCase(
            "repeatedPackedAndUnpacked",
            Goldens.repeatedPackedAndUnpacked,
            Isid_Testing_V1_Repeated.with {
                $0.packedInt32 = [0, -1, 150]
                $0.packedSint64 = [-1, 1, .min]
                $0.packedDouble = [1.5, -2]
                $0.unpackedInt32 = [3, -4]
                $0.unpackedFixed32 = [5, .max]
                $0.bools = [true, false, true]
                $0.colors = [.red, .infrared, .unrecognized(9)]
                $0.strings = ["a", "", "ü"]
                $0.blobs = [[1], []]
                $0.messages = [.with { $0.int32Value = 1 }, .init()]
            }
        ),
        GoldenCase(
            "optionalsSetToDefaults",
            Goldens.optionalsSetToDefaults,
            Isid_Testing_V1_Optionals.with {
                $0.maybeInt32 = 0
                $0.maybeString = ""
                $0.maybeColor = .unspecified
                $0.maybeMessage = .init()
                $0.maybeBool = false
            }
        ),
        GoldenCase("optionalsUnset", Goldens.optionalsUnset, Isid_Testing_V1_Optionals()),
        GoldenCase(
            "mapsAllKeyKinds",
            Goldens.mapsAllKeyKinds,
            Isid_Testing_V1_Maps.with {
                $0.stringToInt32 = ["z": 1, "a": 2, "é": -1]
                $0.int64ToString = [-5: "minus", 7: "seven"]
                $0.boolToBytes = [true: [1]]
                $0.uint32ToMessage = [2: .with { $0.sint32Value = -1 }, 1: .init()]
                $0.stringToColor = ["x": .green]
            }
        ),
        GoldenCase(
            "choiceNumber",
            Goldens.choiceNumber,
            Isid_Testing_V1_Choice.with {
                $0.number = 0
                $0.trailer = "t"
            }
        ),
        GoldenCase(
            "choiceMessage",
            Goldens.choiceMessage,
            Isid_Testing_V1_Choice.with { $0.value = .message(.with { $0.stringValue = "m" }) }
        ),
        GoldenCase("choiceColor", Goldens.choiceColor, Isid_Testing_V1_Choice.with { $0.color = .infrared }),
        GoldenCase("choiceEmptyBlob", Goldens.choiceEmptyBlob, Isid_Testing_V1_Choice.with { $0.blob = [] }),
        GoldenCase(
            "wrappedStandardTypes",
            Goldens.wrappedStandardTypes,
            Isid_Testing_V1_Wrapped.with {
                $0.count = .with { $0.value = -7 }
                $0.timeout = .with {
                    $0.seconds = 1
                    $0.nanos = 500
                }
                $0.names = [.with { $0.value = "a" }, .init()]
            }
        ),
        GoldenCase(
            "recursiveTree",
            Goldens.recursiveTree,
            Isid_Testing_V1_Tree.with {
                $0.label = "root"
                $0.left = .with {
                    $0.label = "l"
                    $0.left = .with { $0.label = "ll" }
                }
                $0.right = .init()
                $0.next = .with {
                    $0.label = "n"
                    $0.next = .with { $0.label = "nn" }
                }
                $0.children = [
                    .with {
                        $0.label = "c"
                        $0.children = [.init()]
                    }
                ]
            }
        ),
        GoldenCase(
            "keywordFieldNames",
            Goldens.keywordFieldNames,
            Isid_Testing_V1_HTTPHeaderValue.with {
                $0.protocol = "h2"
                $0.default = -1
                $0.`self` = true
                $0.type = "t"
                $0.serializedSize_p = 3
            }
        ),
    ]
}
