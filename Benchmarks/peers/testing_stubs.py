"""grpc.testing stubs (TestService and its messages) for the Python benchmark peers, generated on load.

As helloworld_stubs does for helloworld: the protos are read from
<repo>/Protos/grpc/testing/{empty,messages,test}.proto (override the Protos
directory with ISID_PROTOS_DIR) and compiled with grpcio-tools into a temporary
directory. They go in as top-level files, with test.proto's imports of the
other two rewritten to match, because generated modules under ``grpc.testing``
would clash with grpcio's own ``grpc`` package. The proto package, and so what
goes over the wire, stays ``grpc.testing``. Nothing is written into the
repository.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.resources
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS_DIR = Path(os.environ.get("ISID_PROTOS_DIR", REPO_ROOT / "Protos"))
TESTING_DIR = PROTOS_DIR / "grpc" / "testing"
FILES = ("empty.proto", "messages.proto", "test.proto")


def load():
    """Return (messages_pb2, test_pb2_grpc)."""
    if "test_pb2_grpc" in sys.modules:
        return sys.modules["messages_pb2"], sys.modules["test_pb2_grpc"]
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="isid-grpc-testing-")
    atexit.register(shutil.rmtree, out, True)
    for name in FILES:
        source = TESTING_DIR / name
        if not source.is_file():
            raise FileNotFoundError(f"{source} is missing (scripts/generate-protos.sh populates Protos/)")
        text = source.read_text(encoding="utf-8").replace('import "grpc/testing/', 'import "')
        (Path(out) / name).write_text(text, encoding="utf-8")
    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    args = ["protoc", f"-I{out}", f"-I{well_known}", f"--python_out={out}", f"--grpc_python_out={out}", *FILES]
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed on the grpc.testing protos")
    sys.path.insert(0, out)
    return importlib.import_module("messages_pb2"), importlib.import_module("test_pb2_grpc")
