// swift-tools-version: 6.1
//
// Benchmark peers built with Swift packages, kept out of the root package so
// the main build stays lean. Built by Benchmarks/build-peers.sh (through
// scripts/bench.sh) only when the grpc-swift peer is asked for:
//
//     swift build -c release --package-path Benchmarks --product grpc-swift-greeter
//
// grpc-swift-greeter: helloworld.Greeter/SayHello and
// grpc.testing.TestService/StreamingOutputCall on grpc-swift-2 with the
// grpc-swift-nio-transport HTTP/2 server and grpc-swift-protobuf. Its
// generated code in Sources/GRPCSwiftGreeter/Generated is committed;
// Benchmarks/generate.sh regenerates it.
import PackageDescription

let package = Package(
    name: "isid-benchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-swift-greeter", targets: ["GRPCSwiftGreeter"])
    ],
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "GRPCSwiftGreeter",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
