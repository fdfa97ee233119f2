#!/usr/bin/env bash
# Starts the whole Isid stack as it stands: builds once in release mode, then runs every service
# executable on its own port, each seeded with the shipped data on first start. Ctrl-C (or SIGTERM)
# drains and stops them all.
#
# Usage: scripts/start.sh            (ports below; override with e.g. INDICATOR_PORT=6000)
#        ISID_HOST=0.0.0.0 scripts/start.sh   to listen beyond this machine
set -euo pipefail

cd "$(dirname "$0")/.."
export ISID_HOST=${ISID_HOST:-127.0.0.1}
# Tokens for trying writes locally (demo-writer) and reading the parity example panels' placeholder names
# (demo-personal); set ISID_API_TOKENS yourself for anything else.
export ISID_API_TOKENS=${ISID_API_TOKENS:-demo-writer=indicators:write programmes:write parity:read parity:write,demo-personal=parity:read parity:personal}
STATE_DIR=${ISID_STATE_DIR:-.isid}
mkdir -p "$STATE_DIR"

# name | product | gRPC port | Prometheus /metrics port | extra arguments
SERVICES=(
    "indicator-service|indicator-service|${INDICATOR_PORT:-50051}|${INDICATOR_METRICS_PORT:-9464}|--database $STATE_DIR/indicators.sqlite"
    "programme-service|programme-service|${PROGRAMME_PORT:-50052}|${PROGRAMME_METRICS_PORT:-9466}|--database $STATE_DIR/programmes.sqlite --indicator-service $ISID_HOST:${INDICATOR_PORT:-50051}"
    "parity-service|parity-service|${PARITY_PORT:-50053}|${PARITY_METRICS_PORT:-9468}|--database $STATE_DIR/parity.sqlite --programme-service $ISID_HOST:${PROGRAMME_PORT:-50052}"
    "greeter-server|greeter-server|${GREETER_PORT:-50060}|${GREETER_METRICS_PORT:-9465}|"
    # The front door, last: it routes to the services above.
    "gateway|gateway|${GATEWAY_PORT:-8080}|${GATEWAY_METRICS_PORT:-9467}|--keys-file $STATE_DIR/gateway-keys.json --anonymous-reads indicators --route isid.indicators.v1.IndicatorService=$ISID_HOST:${INDICATOR_PORT:-50051} --route isid.programmes.v1.ProgrammeService=$ISID_HOST:${PROGRAMME_PORT:-50052} --route isid.parity.v1.ParityService=$ISID_HOST:${PARITY_PORT:-50053}"
)

products=$(swift package describe --type json 2>/dev/null | python3 -c '
import json, sys
print(" ".join(p["name"] for p in json.load(sys.stdin)["products"]))')

echo "==> scripts/install.sh (the C libraries Isid links, grpcio and curl for the examples; only what is missing)"
bash scripts/install.sh
echo "==> swift build -c release"
swift build -c release
BIN_DIR=$(swift build -c release --show-bin-path)

# The secret the gateway signs callers' identities with, shared with the services; made once per state folder.
if [[ ! -s "$STATE_DIR/identity-secret" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$STATE_DIR/identity-secret")
fi
ISID_IDENTITY_SECRET=$(cat "$STATE_DIR/identity-secret")
export ISID_IDENTITY_SECRET
# A demo API key for the gateway with every scope, made once; the keys file holds only its digest.
if [[ ! -s "$STATE_DIR/gateway-keys.json" ]]; then
    demo_key="isid-demo-$(head -c 18 /dev/urandom | base64 | tr -d '/+=\n')"
    (umask 077 && printf '%s\n' "$demo_key" >"$STATE_DIR/demo-key")
    digest=$(printf '%s\n' "$demo_key" | "$BIN_DIR/gateway" hash-key)
    printf '{"keys": [{"name": "demo", "sha256": "%s", "scopes": ["indicators:read", "indicators:write", "programmes:read", "programmes:write", "parity:read", "parity:write", "parity:personal"]}]}\n' \
        "$digest" >"$STATE_DIR/gateway-keys.json"
fi

pids=()
stop_all() {
    trap - INT TERM
    echo
    echo "==> stopping (SIGTERM, each drains its calls)"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait
    exit 0
}
trap stop_all INT TERM

for entry in "${SERVICES[@]}"; do
    IFS='|' read -r name product port metrics_port extra <<<"$entry"
    if [[ " $products " != *" $product "* ]]; then
        continue
    fi
    log="$STATE_DIR/$name.log"
    read -r -a args <<<"$extra"
    ISID_PORT=$port ISID_METRICS_PORT=$metrics_port "$BIN_DIR/$product" "${args[@]}" >"$STATE_DIR/$name.out" 2>"$log" &
    pids+=($!)
    for _ in $(seq 1 600); do
        if grep -q '^listening on ' "$STATE_DIR/$name.out" 2>/dev/null; then break; fi
        if ! kill -0 "${pids[-1]}" 2>/dev/null; then
            echo "$name failed to start; its log:" >&2
            tail -n 20 "$log" >&2
            stop_all
        fi
        sleep 0.1
    done
    printf '%-20s %s   metrics http://%s:%s/metrics   logs %s\n' \
        "$name" "$(cat "$STATE_DIR/$name.out")" "$ISID_HOST" "$metrics_port" "$log"
done

key=$(cat "$STATE_DIR/demo-key" 2>/dev/null)
gateway="$ISID_HOST:${GATEWAY_PORT:-8080}"
echo "==> demo API key for the gateway (every scope): $key"
echo "    send it as 'authorization: Bearer <key>'; indicator reads need none"
cat <<EXAMPLES
==> try (from $(pwd)):
  # gRPC with stock grpcio, through the gateway: Germany's and Bangladesh's latest manufacturing share of GDP
  python3 -c 'import sys; sys.path.insert(0, "Tests/Interop"); import grpc, helpers; P = helpers.load_protos()
  stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(grpc.insecure_channel("$gateway"))
  print(stub.GetLatestValues(P.indicator_service_pb2.GetLatestValuesRequest(series_code="NV_IND_MANF", area_codes=["DEU", "BGD"])))'
  # JSON through the gateway: Cambodia from every service at once
  curl -s -H 'authorization: Bearer $key' http://$gateway/v1/countries/KHM/profile
  # the indicator change stream as newline-delimited JSON (Ctrl-C ends it)
  curl -sN http://$gateway/v1/changes:watch
EXAMPLES
echo "==> running; Ctrl-C stops everything"
wait
