"""Shared pieces of the ParityService tests: starting ``parity-service`` on a temporary database seeded from
``Data/parity/seed.json``, its stubs, tokens for each scope, and building events and panels."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import grpc

import helpers

P = helpers.load_protos()
pb = P.parity_service_pb2
types_pb = P.parity_pb2

SEED_FILE = helpers.REPO_ROOT / "Data" / "parity" / "seed.json"
WRITER_TOKEN = "parity-writer-token"
READER_TOKEN = "parity-reader-token"
PERSONAL_TOKEN = "parity-personal-token"
API_TOKENS = ",".join([
    f"{WRITER_TOKEN}=parity:write parity:read",
    f"{READER_TOKEN}=parity:read",
    f"{PERSONAL_TOKEN}=parity:read parity:personal",
])
WRITE = (("authorization", f"Bearer {WRITER_TOKEN}"),)
READ = (("authorization", f"Bearer {READER_TOKEN}"),)
PERSONAL = (("authorization", f"Bearer {PERSONAL_TOKEN}"),)
STARTUP_TIMEOUT = 60.0
TIMEOUT = helpers.RPC_TIMEOUT

REPORT_CITATION = ('UNIDO, "UNIDO and the 2030 Agenda", Report of the Director General, Industrial Development '
                   'Board, 48th session, Vienna, 23-25 November 2020')


def service_argv(executable, database: Path, *extra: str) -> list[str]:
    return [*executable("parity-service"), "--database", str(database), "--seed-parity", str(SEED_FILE), *extra]


@contextlib.contextmanager
def running_service(executable, *extra: str, database: Path | None = None, port: str = "0",
                    env: dict[str, str] | None = None):
    """parity-service on 127.0.0.1 with a fresh database (or ``database``); SIGTERM and exit 0 on the way out."""
    with contextlib.ExitStack() as stack:
        if database is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="isid-parity-")))
            database = directory / "parity.sqlite"
        process = helpers.ServerProcess(
            service_argv(executable, database, *extra), name="parity-service", port=port,
            env={"ISID_API_TOKENS": API_TOKENS, **(env or {})}, startup_timeout=STARTUP_TIMEOUT,
        )
        try:
            process.start()
            yield process
            process.stop()
        finally:
            process.ensure_dead()


def stub(channel):
    return P.parity_service_pb2_grpc.ParityServiceStub(channel)


def date(year: int, month: int = 0, day: int = 0):
    from google.type import date_pb2

    return date_pb2.Date(year=year, month=month, day=day)


def status_fields(error: grpc.RpcError) -> dict[str, str]:
    """field -> description of the google.rpc.BadRequest in the error's details, whose status code must be the
    call's."""
    from google.rpc import error_details_pb2, status_pb2

    details = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert details is not None, f"no grpc-status-details-bin in {error!r}"
    status = status_pb2.Status.FromString(details)
    assert status.code == error.code().value[0]
    fields = {}
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            fields.update({v.field: v.description for v in bad_request.field_violations})
    return fields


def refused(call) -> grpc.RpcError:
    import pytest

    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value


def create_event(client, *, title="Test forum", year=2021, month=6, day=15, themes=(), kind=None, organizer="UNIDO",
                 country="AUT", online=False, programme_id="", example=False, metadata=WRITE):
    event = types_pb.Event(
        title=title, kind=kind or types_pb.EVENT_KIND_FORUM, unido_role=types_pb.UNIDO_ROLE_ORGANIZED,
        organizer=organizer, themes=list(themes), start_date=date(year, month, day), online=online,
        country_code="" if online else country, programme_id=programme_id, example=example,
    )
    return client.CreateEvent(pb.CreateEventRequest(event=event), metadata=metadata, timeout=TIMEOUT)


ROLE = {
    "speaker": types_pb.PARTICIPANT_ROLE_SPEAKER, "panellist": types_pb.PARTICIPANT_ROLE_PANELLIST,
    "keynote": types_pb.PARTICIPANT_ROLE_KEYNOTE, "moderator": types_pb.PARTICIPANT_ROLE_MODERATOR,
    "chair": types_pb.PARTICIPANT_ROLE_CHAIR, "facilitator": types_pb.PARTICIPANT_ROLE_FACILITATOR,
}
GENDER = {
    "woman": types_pb.GENDER_WOMAN, "man": types_pb.GENDER_MAN, "non_binary": types_pb.GENDER_NON_BINARY,
    "undisclosed": types_pb.GENDER_UNDISCLOSED,
}


def create_panel(client, event, members, title="Panel", names=None):
    """A panel of ``event`` with ``members`` as (role, gender) pairs; placeholder names unless given."""
    panel = client.CreatePanel(pb.CreatePanelRequest(panel=types_pb.Panel(event_id=event.id, title=title)),
                               metadata=WRITE, timeout=TIMEOUT)
    for index, (role, gender) in enumerate(members):
        name = names[index] if names else f"Example participant {index + 1}"
        client.AddParticipant(pb.AddParticipantRequest(
            event_id=event.id, panel_id=panel.id,
            participant=types_pb.Participant(display_name=name, role=ROLE[role], gender=GENDER[gender]),
        ), metadata=WRITE, timeout=TIMEOUT)
    return client.GetPanel(pb.GetPanelRequest(id=panel.id), metadata=READ, timeout=TIMEOUT)


def skip_in_python_peer_mode(python_peer_mode: bool) -> None:
    import pytest

    if python_peer_mode:
        pytest.skip("parity-service has no Python stand-in; nothing to self-check")
