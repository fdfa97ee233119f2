#!/usr/bin/env bash
# Proves the committed generated code fresh: regenerates everything with scripts/generate-protos.sh and
# scripts/generate-currencies.py (the ISO 4217 table), and fails,
# listing the files, if that changed a tracked file or created an untracked one in a generated directory.
# CI runs this; locally, run it before committing changes to .proto files, the plugin or the generate script.
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

scripts/generate-protos.sh
python3 scripts/generate-currencies.py

# Everything generate-protos.sh writes (Protos/ holds the copied standard protos; Isid's own .proto files
# there are hand-written, but the generator never touches them, so a diff there is still worth failing on).
# API modules are Sources/<Name>API and Sources/C<Name>API (generate-protos.sh insists on the suffix),
# globbed after generating, so a newly added API's directories count.
shopt -s nullglob
GENERATED_PATHS=(
    Protos
    Sources/CStandardProtos Sources/StandardProtos
    Sources/*API
    Sources/CProtobufTestMessages Tests/ProtobufRuntimeTests/Generated
    Sources/ProgrammeServiceKit/Domain/Currency+ISO4217.swift
)
shopt -u nullglob

status=0
if ! changed="$(git diff --name-only --exit-code -- "${GENERATED_PATHS[@]}")"; then
    printf 'check-generated-code: generated files differ from the committed ones:\n%s\n' "$changed" >&2
    git --no-pager diff --stat -- "${GENERATED_PATHS[@]}" >&2
    status=1
fi
untracked="$(git ls-files --others --exclude-standard -- "${GENERATED_PATHS[@]}")"
if [[ -n "$untracked" ]]; then
    printf 'check-generated-code: generated files not committed:\n%s\n' "$untracked" >&2
    status=1
fi
if [[ $status -ne 0 ]]; then
    printf 'check-generated-code: run scripts/generate-protos.sh and scripts/generate-currencies.py, and commit the result.\n' >&2
else
    printf 'check-generated-code: generated code is up to date.\n' >&2
fi
exit $status
