#!/usr/bin/env bash
# Build the benchmark peers that scripts/bench.sh runs beside Isid, each from
# Debian's packages, PyPI or the Swift packages the project uses; nothing
# built here is committed. A peer whose output is up to date is left alone.
# Missing Debian packages are installed with apt-get (root needed).
#
# Usage: Benchmarks/build-peers.sh PEER...   (PEER: grpc-go grpc-cpp
#        grpc-swift grpcio-python nghttpd)
#
# Outputs (ISID_BENCH_BUILD_DIR, default Benchmarks/.build-peers):
#   grpc-go        $ISID_BENCH_BUILD_DIR/go-greeter   (golang-go, golang-google-grpc-dev,
#                  protoc-gen-go-1-3; helloworld and grpc.testing generated here)
#   grpc-cpp       $ISID_BENCH_BUILD_DIR/cpp-greeter  (libgrpc++-dev, protobuf-compiler-grpc)
#   grpc-swift     Benchmarks/.build/release/grpc-swift-greeter
#                  (grpc-swift-2, grpc-swift-nio-transport, grpc-swift-protobuf)
#   grpcio-python  nothing to build: grpcio from Tests/Interop/requirements.txt
#   nghttpd        nothing to build: Debian's nghttp2-server
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${ISID_BENCH_BUILD_DIR:-$HERE/.build-peers}
PROTOS_DIR=${ISID_PROTOS_DIR:-$(cd "$HERE/.." && pwd)/Protos}
PYTHON=${PYTHON:-python3}

note() { echo "build-peers: $*" >&2; }
die() { echo "build-peers: $*" >&2; exit 1; }

need_debian_packages() {  # PACKAGE... : install the ones that are missing
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    note "installing missing Debian packages: ${missing[*]} (apt-get install -y --no-install-recommends)"
    ((EUID == 0)) || die "not root: run 'apt-get install ${missing[*]}' as root, then run this again"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null ||
        { apt-get update -q </dev/null && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; }
}

up_to_date() {  # OUTPUT SOURCE... : true if OUTPUT exists and is newer than every SOURCE
    local output=$1 source
    shift
    [[ -x $output ]] || return 1
    for source in "$@"; do
        [[ $source -nt $output ]] && return 1
    done
    return 0
}

timed() {  # LABEL COMMAND... : run, and say how long it took
    local label=$1 start=$SECONDS
    shift
    "$@"
    note "$label built in $((SECONDS - start)) s"
}

build_grpc_go() {
    need_debian_packages golang-go golang-google-grpc-dev protoc-gen-go-1-3 protobuf-compiler
    local out=$BUILD_DIR/go-greeter source=$HERE/peers/go-greeter/main.go
    local proto=$PROTOS_DIR/grpc/examples/helloworld.proto
    local testing_protos=(grpc/testing/empty.proto grpc/testing/messages.proto grpc/testing/test.proto)
    up_to_date "$out" "$source" "$proto" "${testing_protos[@]/#/$PROTOS_DIR/}" &&
        { note "grpc-go: up to date"; return; }
    # GOPATH mode against Debian's Go source tree (/usr/share/gocode), which
    # has grpc-go 1.33 on golang/protobuf 1.3: the helloworld and grpc_testing
    # packages are generated with that generation's protoc-gen-go
    # (plugins=grpc) into a GOPATH of our own, in front of Debian's.
    local gopath=$BUILD_DIR/gopath
    local pkg=$gopath/src/isid-bench/helloworld testing_pkg=$gopath/src/isid-bench/grpc_testing
    rm -rf "$gopath" && mkdir -p "$pkg" "$testing_pkg" "$gopath/src/isid-bench/go-greeter"
    cp "$proto" "$pkg/helloworld.proto"
    protoc -I "$pkg" --plugin=protoc-gen-go=/usr/bin/protoc-gen-go \
        --go_out=plugins=grpc,paths=source_relative:"$pkg" "$pkg/helloworld.proto"
    # The three grpc.testing files form one Go package; M options point their
    # imports of each other at it (the protos name no go_package).
    local mapping="" file
    for file in "${testing_protos[@]}"; do mapping+=",M$file=isid-bench/grpc_testing"; done
    protoc -I "$PROTOS_DIR" --plugin=protoc-gen-go=/usr/bin/protoc-gen-go \
        --go_out=plugins=grpc,paths=source_relative"$mapping":"$testing_pkg" "${testing_protos[@]}"
    mv "$testing_pkg"/grpc/testing/*.pb.go "$testing_pkg/" && rm -r "$testing_pkg/grpc"
    cp "$source" "$gopath/src/isid-bench/go-greeter/main.go"
    timed grpc-go env GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$BUILD_DIR/gocache" \
        GOFLAGS= go build -o "$out" isid-bench/go-greeter
}

build_grpc_cpp() {
    need_debian_packages g++ pkg-config libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
    local out=$BUILD_DIR/cpp-greeter dir=$HERE/peers/cpp-greeter
    up_to_date "$out" "$dir/greeter_server.cc" "$dir/build.sh" "$PROTOS_DIR"/grpc/testing/{empty,messages,test}.proto &&
        { note "grpc-cpp: up to date"; return; }
    timed grpc-cpp "$dir/build.sh" "$BUILD_DIR"
}

build_grpc_swift() {
    command -v swift >/dev/null || die "grpc-swift: swift not found"
    local start=$SECONDS
    note "grpc-swift: swift build -c release --package-path Benchmarks --product grpc-swift-greeter" \
        "(the first build takes minutes)"
    swift build -c release --package-path "$HERE" --product grpc-swift-greeter
    note "grpc-swift: swift build finished in $((SECONDS - start)) s"
}

check_grpcio_python() {
    "$PYTHON" -c 'import grpc, grpc_tools' 2>/dev/null ||
        die "grpcio-python: grpcio/grpcio-tools missing: $PYTHON -m pip install -r Tests/Interop/requirements.txt"
}

mkdir -p "$BUILD_DIR"
for peer in "$@"; do
    case $peer in
        grpc-go) build_grpc_go ;;
        grpc-cpp) build_grpc_cpp ;;
        grpc-swift) build_grpc_swift ;;
        grpcio-python) check_grpcio_python ;;
        nghttpd) need_debian_packages nghttp2-server ;;
        *) die "unknown peer: $peer (known: grpc-go grpc-cpp grpc-swift grpcio-python nghttpd)" ;;
    esac
done
