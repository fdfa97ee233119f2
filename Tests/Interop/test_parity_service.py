"""ParityService through a stock grpcio client on loopback: the seeded records, every rule of the panel parity
policy with its edge cases (a woman only as moderator; all-female speakers with and without the women's
empowerment theme; undisclosed and non-binary speakers under each setting; the smallest panel; a policy version
change between two events), bad input (INVALID_ARGUMENT / FAILED_PRECONDITION with google.rpc.BadRequest,
nothing stored), compliance reports on a year of events checked against figures computed here, the parity event
stream resumed after a disconnect, the personal-data rules (no name in any answer to a read-only key, in any log
line or in the metrics), erasure (gone from every database file, counts kept), and the programme link with
ProgrammeService up and down."""

from __future__ import annotations

import json
import random
import time
import urllib.request
from pathlib import Path

import grpc
import pytest

import helpers
from parity_fixtures import (
    PERSONAL,
    READ,
    REPORT_CITATION,
    SEED_FILE,
    TIMEOUT,
    WRITE,
    create_event,
    create_panel,
    date,
    pb,
    refused,
    running_service,
    skip_in_python_peer_mode,
    status_fields,
    stub,
    types_pb,
)

# Every participant name this module sends; none may appear in logs or metrics (checked last).
NAMES_USED: set[str] = set()


def placeholder(label: str) -> str:
    name = f"Placeholder {label} {random.randrange(10**8):08d}"
    NAMES_USED.add(name)
    return name


@pytest.fixture(scope="module")
def metrics_port() -> int:
    return helpers.free_port()


@pytest.fixture(scope="module")
def service(executable, python_peer_mode, metrics_port):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable, "--metrics-port", str(metrics_port), env={"LOG_LEVEL": "debug"}) as process:
        yield process


@pytest.fixture
def client(service):
    with helpers.connected_channel(service.address) as channel:
        yield stub(channel)


def evaluate(client, panel):
    return client.EvaluatePanel(pb.EvaluatePanelRequest(panel_id=panel.id), metadata=READ, timeout=TIMEOUT)


def violated(evaluation) -> set[int]:
    return {r.rule for r in evaluation.reasons if r.outcome == types_pb.RULE_OUTCOME_VIOLATED}


def all_events(client, **filters):
    events, token = [], ""
    while True:
        page = client.ListEvents(pb.ListEventsRequest(page_size=2, page_token=token, **filters), metadata=READ,
                                 timeout=TIMEOUT)
        events.extend(page.events)
        token = page.next_page_token
        if not token:
            return events


# -- the seeded records ---------------------------------------------------------------------------------------------

def test_the_reports_events_are_seeded_at_the_precision_the_report_gives(client):
    events = {e.title: e for e in all_events(client) if e.sources and e.sources[0].citation == REPORT_CITATION}
    assert len(events) == 3
    conference = events["Women in Industry and Innovation"]
    assert conference.kind == types_pb.EVENT_KIND_CONFERENCE and conference.online
    assert (conference.start_date.year, conference.start_date.month, conference.start_date.day) == (2020, 7, 0)
    assert conference.duration_days == 3
    assert types_pb.THEME_WOMENS_ECONOMIC_EMPOWERMENT in conference.themes
    forum = next(e for t, e in events.items() if t.startswith("Vienna Discussion Forum"))
    assert (forum.start_date.year, forum.start_date.month, forum.start_date.day) == (2019, 0, 0)
    assert set(forum.co_organizers) == {"UNODC", "Government of Finland", "Government of Norway",
                                        "Government of Sweden"}
    campaign = next(e for t, e in events.items() if t.startswith("International Women's Day 2020"))
    assert campaign.kind == types_pb.EVENT_KIND_CAMPAIGN and "We must do better" in campaign.title
    for event in events.values():
        assert event.sources[0].locator == "agenda item 7" and not event.example
        # The report gives no panel compositions, so none is recorded.
        assert not client.ListPanels(pb.ListPanelsRequest(event_id=event.id), metadata=READ, timeout=TIMEOUT).panels


def test_example_records_are_listed_only_on_request(client):
    assert not [e for e in all_events(client) if e.example]
    examples = [e for e in all_events(client, include_examples=True) if e.example]
    assert len(examples) == 1
    panels = client.ListPanels(pb.ListPanelsRequest(event_id=examples[0].id), metadata=READ, timeout=TIMEOUT).panels
    assert len(panels) == 2 and all(p.example for p in panels)


def test_the_first_policy_version_is_unidos_with_the_documented_defaults(client):
    policies = client.ListPolicies(pb.ListPoliciesRequest(), metadata=READ, timeout=TIMEOUT).policies
    first = policies[0]
    assert first.version == 1
    assert (first.effective_date.year, first.effective_date.month, first.effective_date.day) == (2020, 7, 10)
    assert first.settings == types_pb.PolicySettings(
        minimum_women_share_percent=0, smallest_panel_size=2,
        undisclosed_gender=types_pb.UNDISCLOSED_GENDER_EXCLUDED,
        non_binary_counts_toward_non_man_share=False, all_female_panels_allowed_everywhere=False)


def test_an_event_before_the_policy_is_exempt_and_says_why(client):
    event = create_event(client, year=2019, month=11, day=5)
    panel = create_panel(client, event, [("speaker", "man"), ("speaker", "man")])
    evaluation = evaluate(client, panel)
    assert evaluation.verdict == types_pb.VERDICT_EXEMPT and evaluation.policy_version == 0
    assert [(r.rule, r.outcome) for r in evaluation.reasons] == [
        (types_pb.RULE_POLICY_IN_FORCE, types_pb.RULE_OUTCOME_EXEMPTS)]


def test_health_reflection_and_the_subcommands(service, executable, tmp_path):
    import subprocess

    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    with helpers.connected_channel(service.address) as channel:
        health = helpers.load_protos().health_pb2
        check = helpers.load_protos().health_pb2_grpc.HealthStub(channel).Check(
            health.HealthCheckRequest(service="isid.parity.v1.ParityService"), timeout=TIMEOUT)
        assert check.status == health.HealthCheckResponse.SERVING
        database = ProtoReflectionDescriptorDatabase(channel)
        assert "isid.parity.v1.ParityService" in set(database.get_services())
        method = DescriptorPool(database).FindServiceByName("isid.parity.v1.ParityService").FindMethodByName(
            "GetComplianceReport")
        assert method.input_type.full_name == "isid.parity.v1.GetComplianceReportRequest"
    probe = subprocess.run([*executable("parity-service"), "health-check", "--port", str(service.port)],
                           capture_output=True, text=True, timeout=30)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    migrate = subprocess.run([*executable("parity-service"), "migrate", "--database", str(tmp_path / "m.sqlite")],
                             capture_output=True, text=True, timeout=30)
    assert migrate.returncode == 0 and migrate.stdout.startswith("v1:"), migrate.stdout + migrate.stderr


# -- the policy's rules under the default settings ---------------------------------------------------------------

def test_a_woman_only_as_moderator_does_not_make_a_panel_comply(client):
    event = create_event(client)
    panel = create_panel(client, event, [("speaker", "man"), ("panellist", "man"), ("moderator", "woman")])
    evaluation = evaluate(client, panel)
    assert evaluation.verdict == types_pb.VERDICT_NON_COMPLIANT
    assert violated(evaluation) == {types_pb.RULE_NO_ALL_MALE_PANEL, types_pb.RULE_NO_GENDER_ONLY_MODERATING}
    assert evaluation.policy_version == 1 and evaluation.settings.smallest_panel_size == 2
    assert evaluation.counts.moderators.women == 1 and evaluation.counts.speakers.men == 2


def test_an_all_female_list_complies_only_at_a_womens_empowerment_event(client):
    women = [("speaker", "woman"), ("keynote", "woman")]
    plain = evaluate(client, create_panel(client, create_event(client, themes=[types_pb.THEME_INDUSTRY]), women))
    assert plain.verdict == types_pb.VERDICT_NON_COMPLIANT
    assert violated(plain) == {types_pb.RULE_NO_ALL_FEMALE_PANEL}
    event = create_event(client, themes=[types_pb.THEME_WOMENS_ECONOMIC_EMPOWERMENT])
    themed = evaluate(client, create_panel(client, event, women))
    assert themed.verdict == types_pb.VERDICT_COMPLIANT
    assert any(r.rule == types_pb.RULE_NO_ALL_FEMALE_PANEL and r.outcome == types_pb.RULE_OUTCOME_EXCEPTION_APPLIED
               for r in themed.reasons)


def test_a_mixed_panel_complies_and_every_rule_is_reported(client):
    evaluation = evaluate(client, create_panel(client, create_event(client), [("speaker", "woman"),
                                                                              ("speaker", "man")]))
    assert evaluation.verdict == types_pb.VERDICT_COMPLIANT
    assert [r.rule for r in evaluation.reasons] == [
        types_pb.RULE_POLICY_IN_FORCE, types_pb.RULE_SMALLEST_PANEL, types_pb.RULE_NO_ALL_MALE_PANEL,
        types_pb.RULE_NO_ALL_FEMALE_PANEL, types_pb.RULE_NO_GENDER_ONLY_MODERATING, types_pb.RULE_MINIMUM_WOMEN_SHARE]


def test_a_lone_speaker_is_exempt_under_the_default_smallest_panel(client):
    evaluation = evaluate(client, create_panel(client, create_event(client), [("keynote", "man")]))
    assert evaluation.verdict == types_pb.VERDICT_EXEMPT
    assert (types_pb.RULE_SMALLEST_PANEL, types_pb.RULE_OUTCOME_EXEMPTS) in [(r.rule, r.outcome)
                                                                           for r in evaluation.reasons]


def test_an_event_evaluation_combines_its_panels(client):
    event = create_event(client)
    create_panel(client, event, [("speaker", "woman"), ("speaker", "man")])
    create_panel(client, event, [("speaker", "man"), ("speaker", "man")])
    evaluation = client.EvaluateEvent(pb.EvaluateEventRequest(event_id=event.id), metadata=READ, timeout=TIMEOUT)
    assert evaluation.verdict == types_pb.VERDICT_NON_COMPLIANT
    assert [p.verdict for p in evaluation.panels] == [types_pb.VERDICT_COMPLIANT, types_pb.VERDICT_NON_COMPLIANT]
    assert evaluation.policy_version == 1


# -- each setting, and a version change between two events (a server of their own) -------------------------------

SETTINGS_CASES = [
    # (id, settings, speakers, expected verdict, violated rules)
    ("undisclosed excluded: man + undisclosed shows no woman", {},
     ["man", "undisclosed"], "NON_COMPLIANT", {"NO_ALL_MALE_PANEL"}),
    ("undisclosed counted with women: man + undisclosed complies",
     {"undisclosed_gender": types_pb.UNDISCLOSED_GENDER_COUNTS_WITH_WOMEN},
     ["man", "undisclosed"], "COMPLIANT", set()),
    ("undisclosed counted with men: man + undisclosed does not comply",
     {"undisclosed_gender": types_pb.UNDISCLOSED_GENDER_COUNTS_WITH_MEN},
     ["man", "undisclosed"], "NON_COMPLIANT", {"NO_ALL_MALE_PANEL"}),
    ("undisclosed excluded: woman + undisclosed is all-female", {},
     ["woman", "undisclosed"], "NON_COMPLIANT", {"NO_ALL_FEMALE_PANEL"}),
    ("undisclosed counted with men: woman + undisclosed complies",
     {"undisclosed_gender": types_pb.UNDISCLOSED_GENDER_COUNTS_WITH_MEN},
     ["woman", "undisclosed"], "COMPLIANT", set()),
    ("non-binary not counted: man + non-binary does not comply", {},
     ["man", "non_binary"], "NON_COMPLIANT", {"NO_ALL_MALE_PANEL"}),
    ("non-binary counted toward the non-man share: man + non-binary complies",
     {"non_binary_counts_toward_non_man_share": True},
     ["man", "non_binary"], "COMPLIANT", set()),
    ("non-binary counted: woman + non-binary is still not all-female",
     {"non_binary_counts_toward_non_man_share": True},
     ["woman", "non_binary"], "COMPLIANT", set()),
    ("smallest panel 3: two men are exempt", {"smallest_panel_size": 3},
     ["man", "man"], "EXEMPT", set()),
    ("smallest panel 3: three men are not", {"smallest_panel_size": 3},
     ["man", "man", "man"], "NON_COMPLIANT", {"NO_ALL_MALE_PANEL"}),
    ("minimum share 40%: one woman of three is below it", {"minimum_women_share_percent": 40},
     ["woman", "man", "man"], "NON_COMPLIANT", {"MINIMUM_WOMEN_SHARE"}),
    ("all-female lists allowed everywhere", {"all_female_panels_allowed_everywhere": True},
     ["woman", "woman"], "COMPLIANT", set()),
]


@pytest.fixture(scope="module")
def policy_client(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable) as process, helpers.connected_channel(process.address) as channel:
        yield stub(channel)


def publish(client, year, title="test version", **settings):
    return client.PublishPolicy(pb.PublishPolicyRequest(policy=types_pb.PolicyVersion(
        effective_date=date(year, 1, 1), title=title, settings=types_pb.PolicySettings(**settings))),
        metadata=WRITE, timeout=TIMEOUT)


@pytest.mark.parametrize("index", range(len(SETTINGS_CASES)), ids=[case[0] for case in SETTINGS_CASES])
def test_each_setting(policy_client, index):
    _, settings, speakers, verdict, rules = SETTINGS_CASES[index]
    year = 2040 + index  # each case its own version, in force for its own year
    version = publish(policy_client, year, **settings)
    panel = create_panel(policy_client, create_event(policy_client, year=year),
                         [("speaker", gender) for gender in speakers])
    evaluation = evaluate(policy_client, panel)
    assert evaluation.policy_version == version.version
    assert evaluation.settings == version.settings
    assert evaluation.verdict == getattr(types_pb, f"VERDICT_{verdict}")
    assert violated(evaluation) == {getattr(types_pb, f"RULE_{rule}") for rule in rules}


def test_a_policy_version_change_between_two_events(policy_client):
    members = [("speaker", "woman"), ("speaker", "man"), ("speaker", "man")]
    before = create_panel(policy_client, create_event(policy_client, year=2070, month=12, day=31), members)
    version = publish(policy_client, 2071, title="stricter", minimum_women_share_percent=50)
    after = create_panel(policy_client, create_event(policy_client, year=2071, month=1, day=1), members)
    first, second = evaluate(policy_client, before), evaluate(policy_client, after)
    assert first.verdict == types_pb.VERDICT_COMPLIANT and first.policy_version == version.version - 1
    assert second.verdict == types_pb.VERDICT_NON_COMPLIANT and second.policy_version == version.version
    assert second.settings.minimum_women_share_percent == 50 and first.settings.minimum_women_share_percent == 0


def test_contradictory_settings_are_refused_with_their_fields_and_nothing_is_published(policy_client):
    before = policy_client.ListPolicies(pb.ListPoliciesRequest(), metadata=READ, timeout=TIMEOUT).policies
    error = refused(lambda: publish(policy_client, 2200, minimum_women_share_percent=100))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(status_fields(error)) == {"policy.settings.minimum_women_share_percent",
                                         "policy.settings.all_female_panels_allowed_everywhere"}
    error = refused(lambda: publish(policy_client, 2200, smallest_panel_size=1))
    assert "policy.settings.smallest_panel_size" in status_fields(error)
    error = refused(lambda: publish(policy_client, 2200, minimum_women_share_percent=101))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = refused(lambda: publish(policy_client, 2000))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "policy.effective_date" in status_fields(error)
    assert policy_client.ListPolicies(pb.ListPoliciesRequest(), metadata=READ, timeout=TIMEOUT).policies == before


# -- bad input: refused with field violations, nothing stored --------------------------------------------------------

def participant_ids(client, panel_id):
    return list(client.GetPanel(pb.GetPanelRequest(id=panel_id), metadata=READ, timeout=TIMEOUT).participant_ids)


def test_unknown_gender_and_role_values_are_refused(client):
    event = create_event(client)
    panel = create_panel(client, event, [])
    for participant, field in [
        (types_pb.Participant(display_name=placeholder("A"), role=types_pb.PARTICIPANT_ROLE_SPEAKER, gender=99),
         "participant.gender"),
        (types_pb.Participant(display_name=placeholder("B"), role=42, gender=types_pb.GENDER_WOMAN),
         "participant.role"),
        (types_pb.Participant(display_name=placeholder("C"), role=types_pb.PARTICIPANT_ROLE_SPEAKER),
         "participant.gender"),
    ]:
        error = refused(lambda: client.AddParticipant(pb.AddParticipantRequest(
            event_id=event.id, panel_id=panel.id, participant=participant), metadata=WRITE, timeout=TIMEOUT))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in status_fields(error)
    assert participant_ids(client, panel.id) == []


def test_a_participant_added_to_a_panel_of_another_event_is_refused(client):
    first, second = create_event(client), create_event(client)
    panel = create_panel(client, first, [("speaker", "woman")])
    error = refused(lambda: client.AddParticipant(pb.AddParticipantRequest(
        event_id=second.id, panel_id=panel.id, participant=types_pb.Participant(
            display_name=placeholder("D"), role=types_pb.PARTICIPANT_ROLE_SPEAKER, gender=types_pb.GENDER_MAN)),
        metadata=WRITE, timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "panel_id" in status_fields(error)
    assert participant_ids(client, panel.id) == list(panel.participant_ids)


def test_a_panel_without_speakers_cannot_be_evaluated(client):
    event = create_event(client)
    panel = create_panel(client, event, [("moderator", "woman")])
    error = refused(lambda: evaluate(client, panel))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "panel_id" in status_fields(error)
    error = refused(lambda: client.EvaluateEvent(pb.EvaluateEventRequest(event_id=event.id), metadata=READ,
                                                 timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and "event_id" in status_fields(error)


def test_dates_in_the_wrong_order_are_refused_and_nothing_is_stored(client):
    count = len(all_events(client, include_examples=True))
    event = types_pb.Event(title="Backwards", kind=types_pb.EVENT_KIND_WORKSHOP,
                           unido_role=types_pb.UNIDO_ROLE_HOSTED, organizer="UNIDO",
                           start_date=date(2021, 5, 10), end_date=date(2021, 5, 9))
    error = refused(lambda: client.CreateEvent(pb.CreateEventRequest(event=event), metadata=WRITE, timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "event.end_date" in status_fields(error)
    event.end_date.CopyFrom(date(2021, 5, 12))
    event.kind = 77
    event.themes.append(0)
    error = refused(lambda: client.CreateEvent(pb.CreateEventRequest(event=event), metadata=WRITE, timeout=TIMEOUT))
    assert {"event.kind", "event.themes[0]"} <= set(status_fields(error))
    assert len(all_events(client, include_examples=True)) == count


def test_an_update_with_a_stale_etag_is_aborted(client):
    event = create_event(client)
    mask = {"paths": ["title"]}
    renamed = client.UpdateEvent(pb.UpdateEventRequest(event=types_pb.Event(id=event.id, title="Renamed",
                                                                            etag=event.etag), update_mask=mask),
                                 metadata=WRITE, timeout=TIMEOUT)
    assert renamed.title == "Renamed" and renamed.etag != event.etag
    error = refused(lambda: client.UpdateEvent(pb.UpdateEventRequest(
        event=types_pb.Event(id=event.id, title="Again", etag=event.etag), update_mask=mask),
        metadata=WRITE, timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.ABORTED


def test_panels_update_by_mask_and_participants_come_and_go_under_the_panels_etag(client):
    event = create_event(client)
    panel = create_panel(client, event, [("speaker", "man"), ("speaker", "woman")])
    renamed = client.UpdatePanel(pb.UpdatePanelRequest(
        panel=types_pb.Panel(id=panel.id, title="Renamed", format=types_pb.PANEL_FORMAT_ROUNDTABLE, etag=panel.etag),
        update_mask={"paths": ["title"]}), metadata=WRITE, timeout=TIMEOUT)
    assert renamed.title == "Renamed" and renamed.format == types_pb.PANEL_FORMAT_PANEL_DISCUSSION
    assert renamed.etag != panel.etag and list(renamed.participant_ids) == list(panel.participant_ids)
    # The old etag no longer adds or removes anyone.
    error = refused(lambda: client.RemoveParticipant(pb.RemoveParticipantRequest(
        panel_id=panel.id, participant_id=panel.participant_ids[1], etag=panel.etag), metadata=WRITE,
        timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.ABORTED
    assert evaluate(client, panel).verdict == types_pb.VERDICT_COMPLIANT
    after = client.RemoveParticipant(pb.RemoveParticipantRequest(
        panel_id=panel.id, participant_id=panel.participant_ids[1], etag=renamed.etag), metadata=WRITE,
        timeout=TIMEOUT)
    assert list(after.participant_ids) == [panel.participant_ids[0]]
    assert after.counts.speakers.women == 0 and after.counts.speakers.total == 1
    assert evaluate(client, panel).verdict == types_pb.VERDICT_EXEMPT
    error = refused(lambda: client.RemoveParticipant(pb.RemoveParticipantRequest(
        panel_id=panel.id, participant_id=panel.participant_ids[1]), metadata=WRITE, timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_writes_need_parity_write(client):
    error = refused(lambda: create_event(client, metadata=READ))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    error = refused(lambda: client.ListEvents(pb.ListEventsRequest(), timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


# -- the parity event stream ------------------------------------------------------------------------------------------

def read_until(stream, stop) -> tuple[list, str]:
    """Reads messages until ``stop(events)`` holds; returns the events and the last message's token."""
    events, token = [], ""
    for message in stream:
        events.extend(message.events)
        token = message.revision_token
        if stop(events):
            break
    return events, token


def test_the_stream_resumes_after_a_disconnect_with_nothing_missed_or_repeated(client):
    start = client.WatchParityEvents(pb.WatchParityEventsRequest(), metadata=READ, timeout=TIMEOUT)
    origin = next(start).revision_token
    start.cancel()

    first = create_event(client, title="Watched one")
    panel = create_panel(client, first, [("speaker", "man"), ("speaker", "man")])
    stream = client.WatchParityEvents(pb.WatchParityEventsRequest(after_revision_token=origin), metadata=READ,
                                      timeout=TIMEOUT)
    seen, token = read_until(stream, lambda events: sum(
        e.kind == pb.PARITY_EVENT_KIND_COMPLIANCE_CHANGED and e.panel_id == panel.id for e in events) == 2)
    stream.cancel()

    # While disconnected: another event, a panel change that changes compliance, a new policy version.
    second = create_event(client, title="Watched two")
    client.AddParticipant(pb.AddParticipantRequest(event_id=first.id, panel_id=panel.id, participant=types_pb.Participant(
        display_name=placeholder("E"), role=types_pb.PARTICIPANT_ROLE_PANELLIST, gender=types_pb.GENDER_WOMAN)),
        metadata=WRITE, timeout=TIMEOUT)
    client.PublishPolicy(pb.PublishPolicyRequest(policy=types_pb.PolicyVersion(
        effective_date=date(2090, 1, 1), title="far-future test version")), metadata=WRITE, timeout=TIMEOUT)

    def finished(events):
        return any(e.kind == pb.PARITY_EVENT_KIND_POLICY_PUBLISHED for e in events)

    resumed = client.WatchParityEvents(pb.WatchParityEventsRequest(after_revision_token=token), metadata=READ,
                                       timeout=TIMEOUT)
    rest, _ = read_until(resumed, finished)
    resumed.cancel()
    reference = client.WatchParityEvents(pb.WatchParityEventsRequest(after_revision_token=origin), metadata=READ,
                                         timeout=TIMEOUT)
    everything, _ = read_until(reference, finished)
    reference.cancel()

    assert seen + rest == everything
    revisions = [int(e.revision_token.removeprefix("r")) for e in everything]
    assert revisions == sorted(set(revisions))  # increasing: none repeated
    kinds = [(e.kind, e.event_id) for e in rest]
    assert (pb.PARITY_EVENT_KIND_EVENT_REGISTERED, second.id) in kinds
    compliance = [e for e in rest if e.kind == pb.PARITY_EVENT_KIND_COMPLIANCE_CHANGED]
    assert [(e.previous_verdict, e.verdict) for e in compliance] == [
        (types_pb.VERDICT_NON_COMPLIANT, types_pb.VERDICT_COMPLIANT)]


def test_a_stream_filtered_by_event_still_gets_policy_publications(client):
    watched, other = create_event(client, title="Filtered"), create_event(client, title="Not watched")
    start = client.WatchParityEvents(pb.WatchParityEventsRequest(event_ids=[watched.id]), metadata=READ,
                                     timeout=TIMEOUT)
    next(start)
    create_panel(client, other, [("speaker", "woman"), ("speaker", "man")])
    create_panel(client, watched, [("speaker", "woman"), ("speaker", "man")])
    events, _ = read_until(start, lambda events: any(e.kind == pb.PARITY_EVENT_KIND_COMPLIANCE_CHANGED
                                                     for e in events))
    start.cancel()
    assert {e.event_id for e in events} == {watched.id}


# -- personal data --------------------------------------------------------------------------------------------------

def test_a_read_only_key_sees_no_name_in_any_answer(client):
    event = create_event(client, title="Personal data check")
    names = [placeholder("F"), placeholder("G"), placeholder("H")]
    panel = create_panel(client, event, [("speaker", "woman"), ("speaker", "man"), ("moderator", "non_binary")],
                         names=names)
    answers = [
        client.GetEvent(pb.GetEventRequest(id=event.id), metadata=READ, timeout=TIMEOUT),
        client.ListEvents(pb.ListEventsRequest(page_size=500), metadata=READ, timeout=TIMEOUT),
        client.GetPanel(pb.GetPanelRequest(id=panel.id), metadata=READ, timeout=TIMEOUT),
        client.ListPanels(pb.ListPanelsRequest(event_id=event.id), metadata=READ, timeout=TIMEOUT),
        evaluate(client, panel),
        client.EvaluateEvent(pb.EvaluateEventRequest(event_id=event.id), metadata=READ, timeout=TIMEOUT),
        client.GetComplianceReport(pb.GetComplianceReportRequest(include_examples=True), metadata=READ,
                                   timeout=TIMEOUT),
    ]
    stream = client.WatchParityEvents(pb.WatchParityEventsRequest(after_revision_token=""), metadata=READ,
                                      timeout=TIMEOUT)
    answers.append(next(stream))
    stream.cancel()
    for answer in answers:
        data = answer.SerializeToString()
        for name in names:
            assert name.encode() not in data, type(answer).__name__
    error = refused(lambda: client.ListParticipants(pb.ListParticipantsRequest(panel_id=panel.id), metadata=READ,
                                                    timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    error = refused(lambda: client.ListParticipants(pb.ListParticipantsRequest(panel_id=panel.id), metadata=WRITE,
                                                    timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    listed = client.ListParticipants(pb.ListParticipantsRequest(panel_id=panel.id), metadata=PERSONAL,
                                     timeout=TIMEOUT)
    assert [p.display_name for p in listed.participants] == names


def test_the_whole_stream_from_the_start_names_no_one(client):
    start = client.WatchParityEvents(pb.WatchParityEventsRequest(), metadata=READ, timeout=TIMEOUT)
    head = next(start).revision_token
    start.cancel()
    # Tokens are "r" and a revision; "r0" is before the first change.
    stream = client.WatchParityEvents(pb.WatchParityEventsRequest(after_revision_token="r0"), metadata=READ,
                                      timeout=TIMEOUT)
    data, events = b"", 0
    for message in stream:
        data += message.SerializeToString()
        events += len(message.events)
        if message.revision_token == head:
            break
    stream.cancel()
    assert events > 0 and NAMES_USED
    for name in NAMES_USED:
        assert name.encode() not in data


# -- reports ----------------------------------------------------------------------------------------------------------

def expected_verdict(speakers: list[str], moderators: list[str], themes: set[str]) -> str:
    """The default settings' rules, written out here independently of the service."""
    if len(speakers) < 2:
        return "exempt"
    women, men, non_binary = (speakers.count(g) for g in ("woman", "man", "non_binary"))
    empowerment = bool(themes & {"womens_empowerment", "womens_economic_empowerment"})
    broken = women == 0
    if women > 0 and men == 0 and non_binary == 0 and not empowerment:
        broken = True
    if "woman" in moderators and women == 0:
        broken = True
    if "man" in moderators and men == 0 and not empowerment:
        broken = True
    return "non_compliant" if broken else "compliant"


def empty_figures():
    return {"events": 0, "panels": 0, "compliant": 0, "non_compliant": 0, "exempt": 0, "speakers": 0,
            "women_speakers": 0, "moderators": 0, "women_moderators": 0}


def add(figures, panel):
    figures["panels"] += 1
    figures[panel["verdict"]] += 1
    figures["speakers"] += len(panel["speakers"])
    figures["women_speakers"] += panel["speakers"].count("woman")
    figures["moderators"] += len(panel["moderators"])
    figures["women_moderators"] += panel["moderators"].count("woman")


def expected_report(events):
    total, groups = empty_figures(), {"quarter": {}, "kind": {}, "organizer": {}, "country": {}}
    for event in events:
        keys = {"quarter": f"{event['year']}-Q{(event['month'] - 1) // 3 + 1}",
                "kind": "EVENT_KIND_" + event["kind"].upper(), "organizer": event["organizer"],
                "country": event["country"]}
        total["events"] += 1
        for dimension, key in keys.items():
            groups[dimension].setdefault(key, empty_figures())["events"] += 1
        for panel in event["panels"]:
            add(total, panel)
            for dimension, key in keys.items():
                add(groups[dimension][key], panel)
    return total, groups


def figures_of(message):
    return {"events": message.events, "panels": message.panels, "compliant": message.compliant_panels,
            "non_compliant": message.non_compliant_panels, "exempt": message.exempt_panels,
            "speakers": message.speakers, "women_speakers": message.women_speakers,
            "moderators": message.moderators, "women_moderators": message.women_moderators}


def check_shares(message):
    decided = message.compliant_panels + message.non_compliant_panels
    if decided:
        assert message.compliant_share_percent == pytest.approx(100 * message.compliant_panels / decided)
    if message.speakers:
        assert message.women_speaker_share_percent == pytest.approx(100 * message.women_speakers / message.speakers)
    if message.moderators:
        assert message.women_moderator_share_percent == pytest.approx(
            100 * message.women_moderators / message.moderators)


def seeded_examples(year: int):
    """The example events of the seed file in ``year``, read from the file itself."""
    seed = json.loads(Path(SEED_FILE).read_text())
    examples = []
    for event in seed["events"]:
        if not event.get("example") or not event["start_date"].startswith(str(year)):
            continue
        month = int(event["start_date"].split("-")[1])
        panels = []
        for panel in event.get("panels", []):
            speakers = [p["gender"] for p in panel["participants"] if p["role"] in ("speaker", "keynote", "panellist")]
            moderators = [p["gender"] for p in panel["participants"] if p["role"] not in ("speaker", "keynote",
                                                                                          "panellist")]
            panels.append({"speakers": speakers, "moderators": moderators,
                           "verdict": expected_verdict(speakers, moderators, set(event.get("themes", [])))})
        examples.append({"year": year, "month": month, "kind": event["kind"], "organizer": event["organizer"],
                         "country": event.get("country_code", ""), "panels": panels})
    return examples


KINDS = {"forum": types_pb.EVENT_KIND_FORUM, "workshop": types_pb.EVENT_KIND_WORKSHOP,
         "webinar": types_pb.EVENT_KIND_WEBINAR, "side_event": types_pb.EVENT_KIND_SIDE_EVENT}
THEMES = {"womens_economic_empowerment": types_pb.THEME_WOMENS_ECONOMIC_EMPOWERMENT,
          "industry": types_pb.THEME_INDUSTRY}


@pytest.fixture(scope="module")
def report_client(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable) as process, helpers.connected_channel(process.address) as channel:
        yield stub(channel)


def test_a_years_report_matches_figures_computed_here(report_client):
    rng = random.Random(2021)
    planned = []
    for index in range(18):
        online = rng.random() < 0.25
        event = {"year": 2021, "month": rng.randint(1, 12), "kind": rng.choice(sorted(KINDS)),
                 "organizer": rng.choice(["UNIDO", "UNODC", "UN Women"]),
                 "country": "" if online else rng.choice(["AUT", "ETH", "VNM"]),
                 "themes": {"womens_economic_empowerment"} if rng.random() < 0.25 else {"industry"},
                 "online": online, "panels": []}
        for _ in range(rng.randint(0, 3)):
            speakers = [rng.choice(["woman", "man", "man", "undisclosed"]) for _ in range(rng.randint(1, 5))]
            moderators = [rng.choice(["woman", "man"]) for _ in range(rng.randint(0, 1))]
            event["panels"].append({"speakers": speakers, "moderators": moderators,
                                    "verdict": expected_verdict(speakers, moderators, event["themes"])})
        planned.append(event)
    # Every rule's edge at least once, whatever the generator drew.
    fixed = [
        ({"industry"}, ["man", "man"], ["woman"]),                          # a woman only moderating
        ({"industry"}, ["woman", "woman"], []),                             # all-female, no theme
        ({"womens_economic_empowerment"}, ["woman", "woman"], ["man"]),    # all-female, the exception
        ({"industry"}, ["woman", "undisclosed"], []),                       # undisclosed excluded: all-female
        ({"industry"}, ["man"], ["woman"]),                                 # a lone speaker: exempt
    ]
    for month, (themes, speakers, moderators) in enumerate(fixed, start=2):
        planned.append({"year": 2021, "month": month, "kind": "forum", "organizer": "UNIDO", "country": "AUT",
                        "themes": themes, "online": False,
                        "panels": [{"speakers": speakers, "moderators": moderators,
                                    "verdict": expected_verdict(speakers, moderators, themes)}]})
    for event in planned:
        created = create_event(report_client, title="Report event", year=2021, month=event["month"], day=1,
                               kind=KINDS[event["kind"]], organizer=event["organizer"], country=event["country"],
                               online=event["online"], themes=[THEMES[t] for t in event["themes"]])
        for panel in event["panels"]:
            create_panel(report_client, created, [("speaker", g) for g in panel["speakers"]]
                         + [("moderator", g) for g in panel["moderators"]])
    # Outside the year: must not count.
    outside = create_event(report_client, year=2022, month=1, day=1)
    create_panel(report_client, outside, [("speaker", "man"), ("speaker", "man")])

    for include_examples, events in [(False, planned), (True, planned + seeded_examples(2021))]:
        report = report_client.GetComplianceReport(pb.GetComplianceReportRequest(
            start_date=date(2021, 1, 1), end_date=date(2021, 12, 31), include_examples=include_examples),
            metadata=READ, timeout=TIMEOUT)
        total, groups = expected_report(events)
        assert figures_of(report.total) == total
        check_shares(report.total)
        for dimension, field in [("quarter", "by_quarter"), ("kind", "by_kind"), ("organizer", "by_organizer"),
                                 ("country", "by_country")]:
            served = {group.key: figures_of(group.figures) for group in getattr(report, field)}
            assert served == groups[dimension], dimension
            for group in getattr(report, field):
                check_shares(group.figures)
        assert list(report.policy_versions) == ([1] if total["panels"] else [])
    assert seeded_examples(2021), "the seed file's example event is expected in 2021"


def test_report_dates_in_the_wrong_order_are_refused(report_client):
    error = refused(lambda: report_client.GetComplianceReport(pb.GetComplianceReportRequest(
        start_date=date(2021, 6, 1), end_date=date(2021, 5, 1)), metadata=READ, timeout=TIMEOUT))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "end_date" in status_fields(error)


# -- erasure -----------------------------------------------------------------------------------------------------------

def database_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file())


def test_erasure_removes_name_and_organisation_everywhere_and_keeps_the_counts(executable, python_peer_mode,
                                                                                 tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    database = tmp_path / "parity.sqlite"
    name, organisation = placeholder("Erased"), f"Placeholder Organisation {random.randrange(10**8):08d}"
    with running_service(executable, database=database) as process, \
            helpers.connected_channel(process.address) as channel:
        client = stub(channel)
        event = create_event(client)
        panel = create_panel(client, event, [("speaker", "man")])
        added = client.AddParticipant(pb.AddParticipantRequest(
            event_id=event.id, panel_id=panel.id, participant=types_pb.Participant(
                display_name=name, role=types_pb.PARTICIPANT_ROLE_SPEAKER, gender=types_pb.GENDER_WOMAN,
                organisation=organisation)), metadata=WRITE, timeout=TIMEOUT)
        assert name.encode() in database_bytes(tmp_path)
        before = evaluate(client, added.panel)
        erased = client.EraseParticipant(pb.EraseParticipantRequest(participant_id=added.participant_id),
                                         metadata=WRITE, timeout=TIMEOUT)
        assert erased.gender == types_pb.GENDER_WOMAN and erased.role == types_pb.PARTICIPANT_ROLE_SPEAKER
        listed = client.ListParticipants(pb.ListParticipantsRequest(panel_id=panel.id), metadata=PERSONAL,
                                         timeout=TIMEOUT).participants
        gone = next(p for p in listed if p.id == added.participant_id)
        assert gone.erased and gone.display_name == "" and gone.organisation == ""
        after = evaluate(client, added.panel)
        assert (after.verdict, after.counts) == (before.verdict, before.counts)
        assert after.counts.speakers.women == 1
        report = client.GetComplianceReport(pb.GetComplianceReportRequest(), metadata=READ, timeout=TIMEOUT)
        assert report.total.women_speakers >= 1
        live = database_bytes(tmp_path)
        assert name.encode() not in live and organisation.encode() not in live
    stopped = database_bytes(tmp_path)
    assert name.encode() not in stopped and organisation.encode() not in stopped


# -- the programme link ----------------------------------------------------------------------------------------------

def test_programme_links_with_programme_service_up_and_down(executable, python_peer_mode, tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    from programme_fixtures import pb as programme_pb
    from programme_fixtures import running_service as running_programmes
    from programme_fixtures import stub as programme_stub

    with running_programmes(executable) as programmes:
        with helpers.connected_channel(programmes.address) as channel:
            listed = programme_stub(channel).ListProgrammes(programme_pb.ListProgrammesRequest(page_size=1),
                                                            timeout=TIMEOUT)
            programme_id = listed.programmes[0].id
        with running_service(executable, "--programme-service", programmes.address) as parity, \
                helpers.connected_channel(parity.address) as channel:
            client = stub(channel)
            linked = create_event(client, programme_id=programme_id)
            assert linked.programme_link_status == types_pb.PROGRAMME_LINK_STATUS_VERIFIED
            create_panel(client, linked, [("speaker", "woman"), ("speaker", "man")])
            unlinked = create_event(client)
            create_panel(client, unlinked, [("speaker", "man"), ("speaker", "man")])
            error = refused(lambda: create_event(client, programme_id="prg-does-not-exist"))
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "event.programme_id" in status_fields(error)
            report = client.GetComplianceReport(pb.GetComplianceReportRequest(programme_id=programme_id),
                                                metadata=READ, timeout=TIMEOUT)
            assert (report.total.events, report.total.panels, report.total.compliant_panels) == (1, 1, 1)
            listed_events = all_events(client, programme_id=programme_id)
            assert [e.id for e in listed_events] == [linked.id]

            count = len(all_events(client, include_examples=True))
            programmes.stop()
            error = refused(lambda: create_event(client, programme_id=programme_id))
            assert error.code() == grpc.StatusCode.UNAVAILABLE
            mask = {"paths": ["programme_id"]}
            error = refused(lambda: client.UpdateEvent(pb.UpdateEventRequest(
                event=types_pb.Event(id=unlinked.id, programme_id=programme_id), update_mask=mask),
                metadata=WRITE, timeout=TIMEOUT))
            assert error.code() == grpc.StatusCode.UNAVAILABLE
            assert len(all_events(client, include_examples=True)) == count
            assert client.GetEvent(pb.GetEventRequest(id=unlinked.id), metadata=READ,
                                   timeout=TIMEOUT).programme_id == ""


def test_unverified_links_are_stored_when_so_configured_and_checked_again_later(executable, python_peer_mode,
                                                                                  tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    from programme_fixtures import API_TOKENS as PROGRAMME_TOKENS
    from programme_fixtures import pb as programme_pb
    from programme_fixtures import service_argv as programme_argv
    from programme_fixtures import stub as programme_stub

    port = helpers.free_port()
    programme_database = tmp_path / "programmes.sqlite"

    def programme_service():
        return helpers.ServerProcess(programme_argv(executable, programme_database), name="programme-service",
                                     port=str(port), env={"ISID_API_TOKENS": PROGRAMME_TOKENS},
                                     startup_timeout=60.0)

    with programme_service() as programmes, helpers.connected_channel(programmes.address) as channel:
        programme_id = programme_stub(channel).ListProgrammes(programme_pb.ListProgrammesRequest(page_size=1),
                                                              timeout=TIMEOUT).programmes[0].id
    with running_service(executable, "--programme-service", f"127.0.0.1:{port}", "--unverified-programme-links",
                         "store", "--programme-recheck-seconds", "1") as parity, \
            helpers.connected_channel(parity.address) as channel:
        client = stub(channel)
        known = create_event(client, programme_id=programme_id)
        unknown = create_event(client, programme_id="prg-does-not-exist")
        assert known.programme_link_status == types_pb.PROGRAMME_LINK_STATUS_UNVERIFIED
        assert unknown.programme_link_status == types_pb.PROGRAMME_LINK_STATUS_UNVERIFIED
        with programme_service():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                statuses = [client.GetEvent(pb.GetEventRequest(id=e.id), metadata=READ,
                                            timeout=TIMEOUT).programme_link_status for e in (known, unknown)]
                if types_pb.PROGRAMME_LINK_STATUS_UNVERIFIED not in statuses:
                    break
                time.sleep(0.3)
        assert statuses == [types_pb.PROGRAMME_LINK_STATUS_VERIFIED, types_pb.PROGRAMME_LINK_STATUS_NOT_FOUND]


def test_the_programme_check_carries_the_callers_deadline(executable, python_peer_mode):
    """A ProgrammeService that stalls: the check must give up when the caller's deadline passes (1 s), not
    after parity-service's own 30 s, and the stalled server must see that deadline."""
    skip_in_python_peer_mode(python_peer_mode)
    from concurrent import futures

    from programme_fixtures import P as programme_protos

    remaining: list[float] = []

    class Stalled(programme_protos.programme_service_pb2_grpc.ProgrammeServiceServicer):
        def GetProgramme(self, request, context):
            remaining.append(context.time_remaining())
            time.sleep(3)
            return programme_protos.programmes_pb2.Programme(id=request.id)

    stalled = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    programme_protos.programme_service_pb2_grpc.add_ProgrammeServiceServicer_to_server(Stalled(), stalled)
    port = stalled.add_insecure_port("127.0.0.1:0")
    stalled.start()
    try:
        with running_service(executable, "--programme-service", f"127.0.0.1:{port}",
                             "--programme-timeout-seconds", "30") as parity, \
                helpers.connected_channel(parity.address) as channel:
            client = stub(channel)
            count = len(all_events(client, include_examples=True))
            started = time.monotonic()
            event = types_pb.Event(title="Deadline", kind=types_pb.EVENT_KIND_FORUM,
                                   unido_role=types_pb.UNIDO_ROLE_ORGANIZED, organizer="UNIDO",
                                   start_date=date(2021, 1, 1), programme_id="prg-stalled")
            error = refused(lambda: client.CreateEvent(pb.CreateEventRequest(event=event), metadata=WRITE,
                                                       timeout=1.0))
            assert error.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            assert time.monotonic() - started < 3
            # The caller's 1 s (grpc-timeout rounds up a little), not the 30 s of --programme-timeout-seconds.
            assert remaining and remaining[0] < 2
            time.sleep(3)  # the stalled answer arrives too late to store anything
            assert len(all_events(client, include_examples=True)) == count
    finally:
        stalled.stop(grace=None)


# -- last: nothing this module sent as a name reached the logs or the metrics ----------------------------------------

def test_no_log_line_and_no_metric_holds_a_name(service, client, metrics_port):
    assert NAMES_USED
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=TIMEOUT) as response:
        metrics = response.read().decode()
    assert "grpc_server_handled_total" in metrics
    logs = service.stderr_text()
    assert logs.strip(), "the server logged nothing at debug level"
    for name in NAMES_USED:
        assert name not in logs
        assert name not in metrics
