#!/usr/bin/env python3
"""Rewrites a FileDescriptorSet so protoc-c 1.4.1 accepts proto3 `optional` fields.

protoc-c 1.4.1 predates proto3 `optional` and protoc refuses to run it on files that use it. On the
wire, and in protobuf-c's data model, such a field is exactly a member of a one-field oneof (protoc
already describes it that way, as a "synthetic" oneof named `_<field>`): only the `proto3_optional`
flag tells them apart. Clearing that flag gives protoc-c a descriptor it understands and C code with
the same wire behaviour (a `_<field>_case` member records presence).

Only the C generator sees the rewritten set; the Swift plugin and the reflection data use the
original descriptors, so `optional` still reads as `optional` there.

It also removes the imports of the files named after OUT.pb (descriptor-only files such as
google/api/annotations.proto, for which no C is generated), so protoc-c includes no header of theirs;
the options those files declare stay in the descriptors as unknown fields, which protoc-c ignores.

Usage: proto3-optional-as-oneof.py IN.pb OUT.pb [DROPPED_IMPORT...]
"""

import sys

from google.protobuf import descriptor_pb2


def clear_proto3_optional(messages):
    """Clears the flag on every field of `messages` and of their nested messages."""
    for message in messages:
        for field in message.field:
            field.ClearField("proto3_optional")
        clear_proto3_optional(message.nested_type)


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: proto3-optional-as-oneof.py IN.pb OUT.pb [DROPPED_IMPORT...]")
    dropped = set(argv[3:])
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    with open(argv[1], "rb") as source:
        descriptor_set.ParseFromString(source.read())
    for file in descriptor_set.file:
        clear_proto3_optional(file.message_type)
        if file.name not in dropped and dropped.intersection(file.dependency):
            kept = [dependency for dependency in file.dependency if dependency not in dropped]
            # public_dependency and weak_dependency index into `dependency`; Isid's protos use neither.
            if file.public_dependency or file.weak_dependency:
                sys.exit(f"{file.name}: cannot drop imports of a file with public or weak imports")
            del file.dependency[:]
            file.dependency.extend(kept)
    with open(argv[2], "wb") as target:
        target.write(descriptor_set.SerializeToString(deterministic=True))


if __name__ == "__main__":
    main(sys.argv)
