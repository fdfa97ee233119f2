"""helloworld.Greeter stubs for the Python benchmark peers, generated on load.

The proto is read from <repo>/Protos/grpc/examples/helloworld.proto (override
the Protos directory with ISID_PROTOS_DIR) and compiled with grpcio-tools into
a temporary directory, as a top-level module: its package ``helloworld`` is
what goes over the wire, and a flat module name avoids clashing with grpcio's
own ``grpc`` package. Nothing is written into the repository.
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
HELLOWORLD_PROTO = PROTOS_DIR / "grpc" / "examples" / "helloworld.proto"


def load():
    """Return (helloworld_pb2, helloworld_pb2_grpc)."""
    if "helloworld_pb2_grpc" in sys.modules:
        return sys.modules["helloworld_pb2"], sys.modules["helloworld_pb2_grpc"]
    if not HELLOWORLD_PROTO.is_file():
        raise FileNotFoundError(f"{HELLOWORLD_PROTO} is missing (scripts/generate-protos.sh populates Protos/)")
    from grpc_tools import protoc

    out = tempfile.mkdtemp(prefix="isid-helloworld-")
    atexit.register(shutil.rmtree, out, True)
    shutil.copy(HELLOWORLD_PROTO, Path(out) / "helloworld.proto")
    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    args = ["protoc", f"-I{out}", f"-I{well_known}", f"--python_out={out}", f"--grpc_python_out={out}", "helloworld.proto"]
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed on helloworld.proto")
    sys.path.insert(0, out)
    return importlib.import_module("helloworld_pb2"), importlib.import_module("helloworld_pb2_grpc")
