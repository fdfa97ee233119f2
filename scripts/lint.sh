#!/usr/bin/env bash
# Style and layering checks:
#   - swift format lint with the repository's .swift-format;
#   - every import in Sources/ states its access level (public/package/internal), as
#     InternalImportsByDefault expects, except in executables' and test support's own files;
#   - no Foundation in the core, transport, protobuf runtime, JSON codec, or the benchmark/interop executables;
#   - no Synchronization.Mutex outside IsidSync: ThreadSanitizer cannot see a contended Mutex change hands, so
#     code locks with IsidSync's Lock, which tells it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Generated code too: the plugin writes it the way swift-format would.
mapfile -t files < <(git ls-files 'Sources/*.swift' 'Tests/*.swift')
echo "==> swift format lint (${#files[@]} files)"
swift format lint --strict --parallel "${files[@]}"

echo "==> no Foundation where the layering forbids it"
if git grep -nE '^\s*(public |package |internal )?import (Foundation|FoundationEssentials)\b' -- \
    Sources/RPCCore Sources/RPCHTTP2 Sources/ProtobufRuntime Sources/ProtoJSON Sources/GreeterServer \
    Sources/InteropServer Sources/InteropClient; then
    echo "lint: Foundation imported above" >&2
    exit 1
fi
echo "==> no Mutex outside IsidSync (use its Lock)"
if git grep -nE '\bMutex *[<(]' -- 'Sources/*.swift' 'Tests/*.swift' ':!Sources/IsidSync'; then
    echo "lint: Synchronization.Mutex used above; use IsidSync's Lock (ThreadSanitizer sees its handoffs)" >&2
    exit 1
fi
echo "lint: ok"
