#!/usr/bin/env bash
# Regenerate the committed swift-protobuf / grpc-swift-2 code of the
# grpc-swift-greeter peer (Sources/GRPCSwiftGreeter/Generated) from
# <repo>/Protos/grpc/examples/helloworld.proto and
# <repo>/Protos/grpc/testing/{empty,messages,test}.proto (TestService, for the
# streaming workload).
#
# The protoc plugins are built here from the same package versions the peer
# depends on (swift-protobuf's protoc-gen-swift, grpc-swift-protobuf's
# protoc-gen-grpc-swift-2), so this takes minutes the first time; protoc is
# Debian's (protobuf-compiler). The output is committed so that building the
# peer never needs the plugins.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=$(cd "$HERE/.." && pwd)
PROTOS_DIR=${ISID_PROTOS_DIR:-$REPO_ROOT/Protos}
OUT=$HERE/Sources/GRPCSwiftGreeter/Generated

command -v protoc >/dev/null || { echo "generate.sh: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
swift build -c release --package-path "$HERE" --product protoc-gen-swift
swift build -c release --package-path "$HERE" --product protoc-gen-grpc-swift-2
BIN=$(swift build -c release --package-path "$HERE" --show-bin-path)

mkdir -p "$OUT"
rm -f "$OUT"/*.swift
protoc -I "$PROTOS_DIR" \
    --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
    --swift_out="$OUT" --swift_opt=Visibility=Internal,FileNaming=DropPath \
    --plugin=protoc-gen-grpc-swift="$BIN/protoc-gen-grpc-swift-2" \
    --grpc-swift_out="$OUT" --grpc-swift_opt=Visibility=Internal,Server=true,Client=false,FileNaming=DropPath \
    grpc/examples/helloworld.proto grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto
ls "$OUT"
