"""docs/OPERATIONS.md is the configuration reference: every flag of every command of every executable ops run,
and every environment variable they read, is in it; and every variable its settings table lists is still read.
The executables describe themselves (ArgumentParser's help dump), so a new flag without its line fails here."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import helpers

OPERATIONS = (helpers.REPO_ROOT / "docs" / "OPERATIONS.md").read_text()
EXECUTABLES = ["indicator-service", "programme-service", "parity-service", "gateway", "greeter-server"]
ENVIRONMENT = re.compile(r"\b(ISID_[A-Z0-9_]+|LOG_LEVEL)\b")


def commands(executable: str):
    """(command path, options) for the executable and each of its subcommands; options as (long name, help)."""
    dump = subprocess.run([str(helpers.require_binary(executable)), "--experimental-dump-help"],
                          capture_output=True, text=True, timeout=30, check=True).stdout

    def walk(command, path):
        options = []
        for argument in command.get("arguments", []):
            names = [n["name"] for n in argument.get("names", []) if n["kind"] == "long"]
            if names and names[0] not in ("help", "version", "experimental-dump-help"):
                options.append((names[0], argument.get("abstract", "")))
        yield " ".join(path), options
        for sub in command.get("subcommands", []):
            if sub["commandName"] != "help":
                yield from walk(sub, [*path, sub["commandName"]])

    return list(walk(json.loads(dump)["command"], [executable]))


@pytest.fixture(scope="module")
def described(python_peer_mode):
    if python_peer_mode:
        pytest.skip("describes Isid's own executables")
    return {executable: commands(executable) for executable in EXECUTABLES}


def test_every_command_and_flag_is_in_the_reference(described):
    missing = []
    for executable, listed in described.items():
        for path, options in listed:
            if path != executable and path.split(" ", 1)[1] not in OPERATIONS:
                missing.append(path)
            missing += [f"{path} --{name}" for name, _ in options if f"`--{name}`" not in OPERATIONS
                        and f"--{name} " not in OPERATIONS and f"--{name}`" not in OPERATIONS]
    assert not missing, f"not in docs/OPERATIONS.md: {missing}"


def test_every_variable_the_executables_read_is_in_the_reference(described):
    read = {variable for listed in described.values() for _, options in listed for _, text in options
            for variable in ENVIRONMENT.findall(text)}
    assert read, "the help texts name no variables"
    assert not sorted(v for v in read if f"`{v}`" not in OPERATIONS), "variables missing from docs/OPERATIONS.md"


def test_every_server_setting_has_a_variable(described):
    """Containers are configured by environment: each flag of a serving command names its variable."""
    without = [f"{path} --{name}" for listed in described.values() for path, options in listed
               if path.endswith(" serve") or path == "greeter-server"
               for name, text in options if not ENVIRONMENT.search(text)]
    assert not without, f"server flags without an environment variable: {without}"


def test_every_variable_in_the_settings_table_is_still_read(described):
    read = {variable for listed in described.values() for _, options in listed for _, text in options
            for variable in ENVIRONMENT.findall(text)}
    table = set(re.findall(r"^\| `(ISID_[A-Z0-9_]+|LOG_LEVEL)`", OPERATIONS, re.MULTILINE))
    table |= set(re.findall(r"^\| `[A-Z_]+`, `(ISID_[A-Z0-9_]+)`", OPERATIONS, re.MULTILINE))
    assert table, "docs/OPERATIONS.md has no settings table"
    assert not sorted(table - read), "listed in docs/OPERATIONS.md but read by no executable"
