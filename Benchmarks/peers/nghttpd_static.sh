#!/usr/bin/env bash
# nghttpd (Debian's nghttp2-server) serving static files over cleartext
# HTTP/2: the ceiling of the benchmark, NOT a gRPC server. It shows what
# nghttp2 itself costs per request, with no gRPC framing, protobuf or handler
# around it.
#
# The file at /helloworld.Greeter/SayHello holds the 18 bytes of a framed
# HelloReply{message: "Hello world"}, so h2load's GET moves the same response
# body as a gRPC SayHello call does. The one at
# /grpc.testing.TestService/StreamingOutputCall holds what that call returns in
# the streaming workload: ISID_BENCH_STREAM_MESSAGES (default 100) framed
# StreamingOutputCallResponses, each a payload of 1024 zero bytes.
#
# Follows Isid's server contract as far as a wrapper can: --host, --port (0
# picks a free port: one is chosen here, then nghttpd binds it), one line
# "listening on HOST:PORT" on stdout once it accepts connections. This script
# execs nghttpd, so its PID is nghttpd's and its CPU and memory are nghttpd's
# alone. nghttpd has no SIGTERM handler: SIGTERM ends it with status 143.
set -euo pipefail

HOST=${ISID_HOST:-127.0.0.1}
PORT=${ISID_PORT:-0}
while (($#)); do
    case $1 in
        --host) HOST=${2:?}; shift ;;
        --port) PORT=${2:?}; shift ;;
        *) echo "usage: $0 [--host HOST] [--port PORT]" >&2; exit 2 ;;
    esac
    shift
done
PYTHON=${PYTHON:-python3}
if [[ $PORT == 0 ]]; then
    PORT=$("$PYTHON" -c 'import socket, sys
s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$HOST")
fi
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/isid-nghttpd.XXXXXX")
mkdir -p "$ROOT/helloworld.Greeter"
printf '\x00\x00\x00\x00\x0d\x0a\x0bHello world' >"$ROOT/helloworld.Greeter/SayHello"
mkdir -p "$ROOT/grpc.testing.TestService"
"$PYTHON" - "$ROOT/grpc.testing.TestService/StreamingOutputCall" "${ISID_BENCH_STREAM_MESSAGES:-100}" <<'EOF'
import sys
payload = b"\x12\x80\x08" + bytes(1024)  # Payload.body (field 2): length 1024 as a varint, then the bytes
message = b"\x0a\x83\x08" + payload      # StreamingOutputCallResponse.payload (field 1): 1027 bytes
frame = b"\x00" + len(message).to_bytes(4, "big") + message  # uncompressed, 4-byte big-endian length
with open(sys.argv[1], "wb") as out:
    out.write(frame * int(sys.argv[2]))
EOF

# Announce once the port accepts connections (this child outlives the exec).
(
    for _ in $(seq 200); do
        if "$PYTHON" -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()' "$HOST" "$PORT" 2>/dev/null; then
            echo "listening on $HOST:$PORT"
            exit 0
        fi
        sleep 0.05
    done
    echo "nghttpd_static: nothing listening on $HOST:$PORT" >&2
) &
exec nghttpd --no-tls --address="$HOST" --htdocs="$ROOT" "$PORT"
