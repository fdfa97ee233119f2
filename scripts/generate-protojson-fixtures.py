#!/usr/bin/env python3
"""Golden fixtures for ProtoJSON: what protobuf's own json_format (Python) makes of varied messages.

Writes Tests/ProtoJSONTests/Fixtures/json_format.json, which the Swift tests (Tests/ProtoJSONTests) read:

* ``messages``: for every message type of Isid's protos (Protos/isid/) and of the test-only
  Tests/ProtoJSONTests/Protos/isid/protojson/v1/json_cases.proto, several instances filled by a seeded
  generator with edge values (int64 extremes, NaN and infinities, -0.0, empty and non-ASCII strings,
  control characters, bytes, unknown enum numbers, empty and full repeated fields, maps of every key
  kind, oneofs, proto3 optional, nesting, every well-known type): each as its deterministic binary and as
  ``MessageToDict`` with default options, with ``always_print_fields_with_no_presence`` and with
  ``preserving_proto_field_name``. The Swift tests encode the binary and compare the JSON semantically,
  then decode that JSON and compare again.
* ``parse_cases``: JSON that is not json_format's own output but that ``Parse`` accepts (proto field
  names, numbers as strings and strings as numbers, enum numbers, URL-safe base64, timestamp offsets,
  null...), each with the binary Python parses it to.
* ``parse_errors``: JSON that ``Parse`` rejects; the Swift decoder must reject it too.
* ``descriptors``: json_cases.proto's serialized FileDescriptorProto (the tests build their pool from it
  and from the generated modules' descriptors).

Output is deterministic (a fixed seed, sorted keys): the same protobuf version gives the same file.
Regenerate by hand after changing the generator, the protos, or the protobuf package, and commit the result:

    python3 scripts/generate-protojson-fixtures.py

scripts/check-generated-code.sh does not regenerate them: the file records what one protobuf release's
json_format does, and the tests should not change under CI's feet when a newer protobuf is installed. A
change of Isid's protos leaves the recorded messages valid (their bytes still decode the same); regenerate
to cover new fields and messages.

Needs python3 with `protobuf`, `grpcio-tools` and `googleapis-common-protos` (what .ci/run installs).
"""

from __future__ import annotations

import base64
import importlib
import json
import math
import random
import sys
import tempfile
from pathlib import Path

from google.protobuf import any_pb2, descriptor, duration_pb2, field_mask_pb2, json_format, struct_pb2, timestamp_pb2
from google.protobuf import descriptor_pb2, empty_pb2, wrappers_pb2

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "Protos"
TEST_PROTOS = ROOT / "Tests" / "ProtoJSONTests" / "Protos"
CASES_PROTO = "isid/protojson/v1/json_cases.proto"
OUTPUT = ROOT / "Tests" / "ProtoJSONTests" / "Fixtures" / "json_format.json"
SEED = 20_301_231
VARIANTS = 4  # instances per message type

INT32 = [0, 1, -1, 2**31 - 1, -(2**31), 7, 1000]
INT64 = [0, 1, -1, 2**63 - 1, -(2**63), 2**53 + 1, -(2**53) - 1, 9_007_199_254_740_993]
UINT32 = [0, 1, 2**32 - 1, 4000]
UINT64 = [0, 1, 2**64 - 1, 2**63, 2**53 + 1]
FLOATS = [0.0, -0.0, 1.5, 0.1, -2.75, 3.4028234663852886e38, 1e-45, 1e10, math.nan, math.inf, -math.inf]
DOUBLES = [0.0, -0.0, 0.1, 123.456, -1e-7, 1e21, 1e308, 5e-324, 2.5e-8, 19.98, math.nan, math.inf, -math.inf]
STRINGS = [
    "",
    "DEU",
    "NV_IND_MANF",
    "ünïcødé ✓ Bangladesh বাংলাদেশ",
    'quote " backslash \\ slash / newline \n tab \t cr \r',
    "\u0001\u001f control",
    "emoji 😀 beyond the BMP",
    "</script>",
    "\u2028 separators \u2029",
]
BYTES = [b"", b"\x00", b"\xff\xfe\xfd", b"hello", bytes(range(0, 256, 7)), b"\xfb\xff"]
TIMESTAMP_SECONDS = [0, -1, 1_700_000_000, -62_135_596_800, 253_402_300_799, 951_782_400, -2_208_988_800]
NANOS = [0, 1_000_000, 123_000_000, 123_456_000, 123_456_789, 999_999_999, 1]
DURATION_SECONDS = [0, 1, -1, 315_576_000_000, -315_576_000_000, 86_400]
MASK_PATHS = ["title", "dates.planned_end", "countries", "a_b_c.d_e", "funding.amount.minor_units"]


def compile_protos(out: Path) -> None:
    """Python modules for Isid's protos and json_cases.proto (imports resolve from the installed packages)."""
    from grpc_tools import protoc

    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    isid = sorted(str(p.relative_to(PROTOS)) for p in (PROTOS / "isid").rglob("*.proto"))
    for args in (
        [f"-I{PROTOS}", f"-I{well_known}", f"--python_out={out}", *isid],
        [f"-I{TEST_PROTOS}", f"-I{PROTOS}", f"-I{well_known}", f"--python_out={out}", CASES_PROTO],
    ):
        if protoc.main(["grpc_tools.protoc", *args]) != 0:
            sys.exit(f"protoc failed: {args}")
    for directory in [p for p in out.rglob("*") if p.is_dir()]:
        (directory / "__init__.py").touch()


class Generator:
    """Fills messages with values drawn from the edge-value lists above, from one seeded random source."""

    def __init__(self, seed: int, pool_messages):
        self.random = random.Random(seed)
        self.pool_messages = pool_messages  # message classes an Any may carry

    def pick(self, values):
        return values[self.random.randrange(len(values))]

    def scalar(self, field):
        t = field.type
        FD = descriptor.FieldDescriptor
        if t in (FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32):
            return self.pick(INT32)
        if t in (FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64):
            return self.pick(INT64)
        if t in (FD.TYPE_UINT32, FD.TYPE_FIXED32):
            return self.pick(UINT32)
        if t in (FD.TYPE_UINT64, FD.TYPE_FIXED64):
            return self.pick(UINT64)
        if t == FD.TYPE_FLOAT:
            return self.pick(FLOATS)
        if t == FD.TYPE_DOUBLE:
            return self.pick(DOUBLES)
        if t == FD.TYPE_BOOL:
            return self.random.random() < 0.5
        if t == FD.TYPE_STRING:
            return self.pick(STRINGS)
        if t == FD.TYPE_BYTES:
            return self.pick(BYTES)
        if t == FD.TYPE_ENUM:
            if field.enum_type.full_name == "google.protobuf.NullValue":
                return 0
            numbers = [v.number for v in field.enum_type.values]
            return self.pick(numbers + [77])  # 77: a number the enum does not declare (open enum)
        raise ValueError(f"not a scalar: {field.full_name}")

    def json_value(self, depth):
        kinds = ["null", "number", "string", "bool"] + (["struct", "list"] if depth < 3 else [])
        kind = self.pick(kinds)
        if kind == "null":
            return None
        if kind == "number":
            return self.pick([0, 1.5, -3, 1e21, 0.1, 19.98, 2**53])
        if kind == "string":
            return self.pick(STRINGS)
        if kind == "bool":
            return self.random.random() < 0.5
        if kind == "struct":
            return {self.pick(STRINGS[:5]) + str(i): self.json_value(depth + 1) for i in range(self.random.randrange(3))}
        return [self.json_value(depth + 1) for _ in range(self.random.randrange(3))]

    def well_known(self, message, depth) -> bool:
        """Fills a well-known type; False if `message` is not one."""
        name = message.DESCRIPTOR.full_name
        if name == "google.protobuf.Timestamp":
            message.seconds = self.pick(TIMESTAMP_SECONDS)
            message.nanos = self.pick(NANOS)
        elif name == "google.protobuf.Duration":
            seconds = self.pick(DURATION_SECONDS)
            nanos = self.pick(NANOS)
            message.seconds = seconds
            message.nanos = -nanos if seconds < 0 or (seconds == 0 and self.random.random() < 0.5) else nanos
        elif name == "google.protobuf.FieldMask":
            message.paths.extend(self.pick(MASK_PATHS) for _ in range(self.random.randrange(4)))
        elif name == "google.protobuf.Struct":
            message.update({f"key{i}": self.json_value(depth + 1) for i in range(self.random.randrange(4))})
        elif name == "google.protobuf.Value":
            value = self.json_value(depth)
            struct = struct_pb2.Struct()
            struct.update({"v": value})
            message.CopyFrom(struct.fields["v"])
            if self.random.random() < 0.1:
                message.Clear()  # no kind: json_format writes null
        elif name == "google.protobuf.ListValue":
            message.extend(self.json_value(depth + 1) for _ in range(self.random.randrange(4)))
        elif name == "google.protobuf.Empty":
            pass
        elif name == "google.protobuf.Any":
            choice = self.random.randrange(5)
            if choice == 0:
                return True  # an empty Any
            if choice == 1:
                inner = timestamp_pb2.Timestamp()
            elif choice == 2:
                inner = self.pick([duration_pb2.Duration, struct_pb2.Value, wrappers_pb2.Int64Value,
                                   field_mask_pb2.FieldMask, empty_pb2.Empty, struct_pb2.Struct])()
            else:
                inner = self.pick(self.pool_messages)()
            self.fill(inner, depth + 1, 0.6)
            message.Pack(inner)
        elif name.startswith("google.protobuf.") and name.endswith("Value") and message.DESCRIPTOR.fields_by_name.get(
                "value") is not None and len(message.DESCRIPTOR.fields) == 1:
            if self.random.random() < 0.8:
                message.value = self.scalar(message.DESCRIPTOR.fields_by_name["value"])
        else:
            return False
        return True

    def fill(self, message, depth, density):
        if self.well_known(message, depth):
            return
        if depth > 3:
            return
        chosen_oneofs = {}
        for oneof in message.DESCRIPTOR.oneofs:
            if not oneof.fields[0].has_presence or len(oneof.fields) == 1 and oneof.name.startswith("_"):
                continue
            if self.random.random() < density:
                chosen_oneofs[oneof.name] = self.pick(oneof.fields).name
        for field in message.DESCRIPTOR.fields:
            oneof = field.containing_oneof
            if oneof is not None and oneof.name in chosen_oneofs and chosen_oneofs[oneof.name] != field.name:
                continue
            if oneof is not None and not (len(oneof.fields) == 1 and oneof.name.startswith("_")):
                if oneof.name not in chosen_oneofs:
                    continue
            elif self.random.random() >= density:
                continue
            self.set_field(message, field, depth)

    def set_field(self, message, field, depth):
        FD = descriptor.FieldDescriptor
        is_map = field.message_type is not None and field.message_type.GetOptions().map_entry
        if is_map:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            target = getattr(message, field.name)
            for _ in range(self.random.randrange(4)):
                key = self.scalar(key_field)
                if value_field.type == FD.TYPE_MESSAGE:
                    self.fill(target[key], depth + 1, 0.6)
                else:
                    target[key] = self.scalar(value_field)
            return
        if field.is_repeated:
            target = getattr(message, field.name)
            for _ in range(self.random.randrange(4)):
                if field.type == FD.TYPE_MESSAGE:
                    if depth < 3:
                        self.fill(target.add(), depth + 1, 0.5)
                else:
                    target.append(self.scalar(field))
            return
        if field.type == FD.TYPE_MESSAGE:
            if depth < 3:
                child = getattr(message, field.name)
                child.SetInParent()
                self.fill(child, depth + 1, 0.5)
            return
        setattr(message, field.name, self.scalar(field))


def all_message_classes(modules):
    classes = []

    def visit(containing, descriptors):
        for name, desc in descriptors.items():
            if desc.GetOptions().map_entry:
                continue
            cls = getattr(containing, name)
            classes.append(cls)
            visit(cls, desc.nested_types_by_name)

    for module in modules:
        visit(module, module.DESCRIPTOR.message_types_by_name)
    return classes


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def message_entry(name, message):
    binary = message.SerializeToString(deterministic=True)
    # The JSON of the message the binary holds, which is what the Swift side sees: a value the serializer
    # leaves out (upb drops -0.0 from proto3 fields without presence) must not be expected in the JSON.
    message = type(message).FromString(binary)
    return {
        "name": name,
        "type": message.DESCRIPTOR.full_name,
        "binary": b64(binary),
        # MessageToJson's own text (fields in field-number order), for decoding back byte for byte.
        "json_text": json_format.MessageToJson(message, indent=None),
        "json": json_format.MessageToDict(message),
        "json_with_defaults": json_format.MessageToDict(message, always_print_fields_with_no_presence=True),
        "json_proto_names": json_format.MessageToDict(message, preserving_proto_field_name=True),
    }


# JSON that json_format accepts though it never writes it: (name, type, JSON text). Keys come in field-number
# order, so that where no map or Struct is involved the Swift decoder's bytes must equal Python's.
PARSE_CASES = [
    ("proto field names", "isid.protojson.v1.AllKinds", '{"int32_value": 5, "string_value": "x", "renamed": "r"}'),
    ("json_name", "isid.protojson.v1.AllKinds", '{"int64Value": "12", "customName": "r"}'),
    ("int64 as number", "isid.protojson.v1.AllKinds", '{"int64Value": 9007199254740993, "uint64Value": 18446744073709551615}'),
    ("int32 as string", "isid.protojson.v1.AllKinds", '{"int32Value": "-2147483648", "uint32Value": "4294967295"}'),
    ("integers as number strings", "isid.protojson.v1.AllKinds", '{"int32Value": "1e2", "int64Value": "1.0"}'),
    ("int32 with exponent", "isid.protojson.v1.AllKinds", '{"int32Value": 1e2, "sint32Value": 5.0}'),
    ("enum by number", "isid.protojson.v1.AllKinds", '{"level": 2, "levelList": [1, "LEVEL_HIGH", 99]}'),
    ("enum negative", "isid.protojson.v1.AllKinds", '{"level": "LEVEL_NEGATIVE"}'),
    ("floats as strings", "isid.protojson.v1.AllKinds",
     '{"floatValue": "Infinity", "doubleValue": "-Infinity", "doubleList": ["NaN", 1, "2.5", -0.0]}'),
    ("url-safe base64", "isid.protojson.v1.AllKinds", '{"bytesValue": "-_-_", "bytesList": ["YQ", "YWI=", "+/+/", "YQ="]}'),
    ("null leaves fields unset", "isid.protojson.v1.AllKinds",
     '{"int32Value": null, "child": null, "int32List": null, "maybeInt32": null, "stringValue": null}'),
    ("defaults set explicitly", "isid.protojson.v1.AllKinds",
     '{"int32Value": 0, "stringValue": "", "boolValue": false, "maybeInt32": 0, "maybeString": "", "level": "LEVEL_UNSPECIFIED"}'),
    ("escapes", "isid.protojson.v1.AllKinds", r'{"stringValue": "a\u00e9\ud83d\ude00\n\"\/b"}'),
    ("timestamp with offset", "isid.protojson.v1.WellKnown",
     '{"time": "2024-02-29T23:59:59.5+01:30", "times": ["1970-01-01T00:00:00Z", "0001-01-01T00:00:00.000000001Z"]}'),
    ("duration forms", "isid.protojson.v1.WellKnown", '{"duration": "-0.000000001s"}'),
    ("field mask", "isid.protojson.v1.WellKnown", '{"mask": "dates.plannedEnd,title,aBC"}'),
    ("empty field mask", "isid.protojson.v1.WellKnown", '{"mask": ""}'),
    ("value null", "isid.protojson.v1.WellKnown", '{"value": null, "nullValue": null}'),
    ("struct nested", "isid.protojson.v1.WellKnown",
     '{"struct": {"a": [1, "two", null, {"b": false}], "c": {}}, "list": [[], {}], "value": {"x": 1.5}}'),
    ("wrappers", "isid.protojson.v1.WellKnown",
     '{"int64Value": "-5", "uint64Value": 7, "boolValue": false, "stringValue": "", "bytesValue": "AA==", "floatValue": "NaN"}'),
    ("any with fields", "isid.protojson.v1.WellKnown",
     '{"any": {"level": "LEVEL_LOW", "@type": "type.googleapis.com/isid.protojson.v1.AllKinds", "int64Value": "3"}}'),
    ("any with a well-known type", "isid.protojson.v1.WellKnown",
     '{"anys": [{"@type": "type.googleapis.com/google.protobuf.Duration", "value": "3s"}, {}, '
     '{"@type": "type.googleapis.com/google.protobuf.Struct", "value": {"k": [1]}}]}'),
    ("maps with every key kind", "isid.protojson.v1.Maps",
     '{"int32ToString": {"-5": "a"}, "int64ToLevel": {"9223372036854775807": "LEVEL_HIGH"}, '
     '"boolToString": {"true": "t", "false": "f"}, "sint32ToBool": {"-1": true}, "fixed64ToUint64": {"18446744073709551615": "1"}, '
     '"stringToValue": {"n": null}, "stringToTimestamp": {"t": "2000-01-01T00:00:00Z"}}'),
    ("oneof null then member", "isid.protojson.v1.Choice", '{"number": null, "text": "x"}'),
    ("oneof null value", "isid.protojson.v1.Choice", '{"null": null}'),
    ("oneof value null", "isid.protojson.v1.Choice", '{"value": null}'),
    ("whitespace", "isid.protojson.v1.Tree", ' \n\t{ "label" : "root" ,\r\n "children" : [ { } , {"label":"c"} ] } '),
    ("isid request", "isid.indicators.v1.GetLatestValuesRequest",
     '{"seriesCode": "NV_IND_MANF", "area_codes": ["DEU", "BGD"], "ifChangedSince": ""}'),
]

# JSON that json_format rejects: (name, type, JSON text).
PARSE_ERRORS = [
    ("unknown field", "isid.protojson.v1.AllKinds", '{"nope": 1}'),
    ("int32 overflow", "isid.protojson.v1.AllKinds", '{"int32Value": 2147483648}'),
    ("uint32 negative", "isid.protojson.v1.AllKinds", '{"uint32Value": -1}'),
    ("int64 overflow", "isid.protojson.v1.AllKinds", '{"int64Value": "9223372036854775808"}'),
    ("uint64 overflow", "isid.protojson.v1.AllKinds", '{"uint64Value": "18446744073709551616"}'),
    ("fractional integer", "isid.protojson.v1.AllKinds", '{"int32Value": 1.5}'),
    ("integer as fractional string", "isid.protojson.v1.AllKinds", '{"int64Value": "1.5"}'),
    ("integer with spaces", "isid.protojson.v1.AllKinds", '{"int64Value": " 1"}'),
    ("bool as string", "isid.protojson.v1.AllKinds", '{"boolValue": "true"}'),
    ("bool as number", "isid.protojson.v1.AllKinds", '{"boolValue": 1}'),
    ("string as number", "isid.protojson.v1.AllKinds", '{"stringValue": 1}'),
    ("integer as bool", "isid.protojson.v1.AllKinds", '{"int32Value": true}'),
    ("unknown enum name", "isid.protojson.v1.AllKinds", '{"level": "LEVEL_MEDIUM"}'),
    ("float overflow", "isid.protojson.v1.AllKinds", '{"floatValue": 3.5e38}'),
    ("double overflow", "isid.protojson.v1.AllKinds", '{"doubleValue": 1e400}'),
    ("lowercase nan", "isid.protojson.v1.AllKinds", '{"doubleValue": "nan"}'),
    ("NaN literal", "isid.protojson.v1.AllKinds", '{"doubleValue": NaN}'),
    ("bad base64", "isid.protojson.v1.AllKinds", '{"bytesValue": "a"}'),
    ("message as string", "isid.protojson.v1.AllKinds", '{"child": "x"}'),
    ("repeated as scalar", "isid.protojson.v1.AllKinds", '{"int32List": 1}'),
    ("null in repeated", "isid.protojson.v1.AllKinds", '{"int32List": [1, null]}'),
    ("nested error", "isid.protojson.v1.AllKinds", '{"children": [{}, {"child": {"int32Value": "x"}}]}'),
    ("duplicate key", "isid.protojson.v1.AllKinds", '{"int32Value": 1, "int32Value": 2}'),
    ("two oneof members", "isid.protojson.v1.Choice", '{"number": "1", "text": "x"}'),
    ("timestamp without zone", "isid.protojson.v1.WellKnown", '{"time": "2024-01-01T00:00:00"}'),
    ("timestamp out of range", "isid.protojson.v1.WellKnown", '{"time": "10000-01-01T00:00:00Z"}'),
    ("timestamp bad day", "isid.protojson.v1.WellKnown", '{"time": "2023-02-29T00:00:00Z"}'),
    ("timestamp too many digits", "isid.protojson.v1.WellKnown", '{"time": "2024-01-01T00:00:00.0000000001Z"}'),
    ("duration without unit", "isid.protojson.v1.WellKnown", '{"duration": "1.5"}'),
    ("duration out of range", "isid.protojson.v1.WellKnown", '{"duration": "315576000001s"}'),
    ("field mask with underscore", "isid.protojson.v1.WellKnown", '{"mask": "planned_end"}'),
    ("any without type", "isid.protojson.v1.WellKnown", '{"any": {"value": "1s"}}'),
    ("any of unknown type", "isid.protojson.v1.WellKnown", '{"any": {"@type": "type.googleapis.com/x.Y"}}'),
    ("struct as array", "isid.protojson.v1.WellKnown", '{"struct": [1]}'),
    ("map key not integer", "isid.protojson.v1.Maps", '{"int32ToString": {"x": "a"}}'),
    ("map bool key", "isid.protojson.v1.Maps", '{"boolToString": {"1": "a"}}'),
    ("map null value", "isid.protojson.v1.Maps", '{"stringToInt32": {"a": null}}'),
    ("trailing comma", "isid.protojson.v1.Tree", '{"label": "x",}'),
    ("single quotes", "isid.protojson.v1.Tree", "{'label': 'x'}"),
    ("top-level array", "isid.protojson.v1.Tree", "[1]"),
    ("trailing text", "isid.protojson.v1.Tree", '{"label": "x"} x'),
    ("leading zero", "isid.protojson.v1.AllKinds", '{"int32Value": 01}'),
    ("unpaired surrogate", "isid.protojson.v1.Tree", r'{"label": "\ud800"}'),
    ("raw control character", "isid.protojson.v1.Tree", '{"label": "a\tb"}'),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        compile_protos(out)
        sys.path.insert(0, str(out))
        modules = [importlib.import_module(str(p.relative_to(out).with_suffix("")).replace("/", "."))
                   for p in sorted(out.rglob("*_pb2.py"))]
        cases_module = next(m for m in modules if m.DESCRIPTOR.name == CASES_PROTO)
        classes = all_message_classes(modules)
        isid_classes = [c for c in classes if c.DESCRIPTOR.full_name.startswith("isid.")
                        and not c.DESCRIPTOR.full_name.startswith("isid.protojson.")]
        generator = Generator(SEED, isid_classes + all_message_classes([cases_module]))

        messages = []
        for cls in sorted(classes, key=lambda c: c.DESCRIPTOR.full_name):
            empty = cls()
            messages.append(message_entry(f"{cls.DESCRIPTOR.full_name} empty", empty))
            for variant in range(VARIANTS):
                message = cls()
                generator.fill(message, 0, [0.4, 0.7, 1.0, 0.9][variant])
                messages.append(message_entry(f"{cls.DESCRIPTOR.full_name} #{variant}", message))
        for wkt in (timestamp_pb2.Timestamp, duration_pb2.Duration, field_mask_pb2.FieldMask, struct_pb2.Struct,
                    struct_pb2.Value, struct_pb2.ListValue, any_pb2.Any, wrappers_pb2.Int64Value, empty_pb2.Empty):
            for variant in range(VARIANTS):
                message = wkt()
                generator.fill(message, 0, 1.0)
                messages.append(message_entry(f"{wkt.DESCRIPTOR.full_name} #{variant}", message))

        from google.protobuf import symbol_database

        database = symbol_database.Default()
        parse_cases = []
        for name, type_name, text in PARSE_CASES:
            message = database.GetSymbol(type_name)()
            json_format.Parse(text, message)
            parse_cases.append({
                "name": name,
                "type": type_name,
                "input": text,
                "binary": b64(message.SerializeToString(deterministic=True)),
                "json": json_format.MessageToDict(message),
            })
        parse_errors = []
        for name, type_name, text in PARSE_ERRORS:
            message = database.GetSymbol(type_name)()
            try:
                json_format.Parse(text, message)
            except (json_format.ParseError, ValueError, TypeError) as error:
                parse_errors.append({"name": name, "type": type_name, "input": text, "python_error": str(error)})
            else:
                sys.exit(f"parse error case {name!r} parsed in Python: fix the case")

        file_proto = descriptor_pb2.FileDescriptorProto()
        cases_module.DESCRIPTOR.CopyToProto(file_proto)
        from google.protobuf import __version__ as protobuf_version

        fixture = {
            "generator": "scripts/generate-protojson-fixtures.py",
            "protobuf": protobuf_version,
            "descriptors": [b64(file_proto.SerializeToString(deterministic=True))],
            "messages": messages,
            "parse_cases": parse_cases,
            "parse_errors": parse_errors,
        }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(messages)} messages, {len(parse_cases)} parse cases, "
          f"{len(parse_errors)} parse errors")


if __name__ == "__main__":
    main()
