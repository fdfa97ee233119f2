#!/usr/bin/env bash
# Build cpp-greeter (gRPC C++ callback API: helloworld.Greeter and
# grpc.testing.TestService/StreamingOutputCall) from Debian's packages:
# libgrpc++-dev, libprotobuf-dev, protobuf-compiler, protobuf-compiler-grpc.
#
# Usage: build.sh OUTPUT_DIR   -> OUTPUT_DIR/cpp-greeter
# Environment: ISID_PROTOS_DIR (default <repo>/Protos), CXX (default g++).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=$(cd "$HERE/../../.." && pwd)
OUT=${1:?usage: build.sh OUTPUT_DIR}
PROTOS_DIR=${ISID_PROTOS_DIR:-$REPO_ROOT/Protos}
CXX=${CXX:-g++}
mkdir -p "$OUT/gen"
OUT=$(cd "$OUT" && pwd)

cp "$PROTOS_DIR/grpc/examples/helloworld.proto" "$OUT/gen/helloworld.proto"
protoc -I "$OUT/gen" --cpp_out="$OUT/gen" --grpc_out="$OUT/gen" \
    --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "$OUT/gen/helloworld.proto"
# grpc.testing (TestService/StreamingOutputCall): generated under gen/grpc/testing
# with the paths the protos import each other by.
TESTING=(grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto)
protoc -I "$PROTOS_DIR" --cpp_out="$OUT/gen" --grpc_out="$OUT/gen" \
    --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "${TESTING[@]}"
SOURCES=("$HERE/greeter_server.cc" "$OUT/gen/helloworld.pb.cc" "$OUT/gen/helloworld.grpc.pb.cc")
for proto in "${TESTING[@]}"; do
    SOURCES+=("$OUT/gen/${proto%.proto}.pb.cc" "$OUT/gen/${proto%.proto}.grpc.pb.cc")
done
# shellcheck disable=SC2046  # pkg-config output is a list of flags
"$CXX" -std=c++17 -O2 -DNDEBUG -I "$OUT/gen" -o "$OUT/cpp-greeter" "${SOURCES[@]}" \
    $(pkg-config --cflags --libs grpc++ protobuf) -pthread
