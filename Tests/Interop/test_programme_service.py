"""ProgrammeService through a stock grpcio client on loopback: every RPC, its errors (NOT_FOUND,
INVALID_ARGUMENT with google.rpc.BadRequest, ABORTED, FAILED_PRECONDITION, PERMISSION_DENIED), exact money,
the lifecycle, concurrent updates, the IATI import of the shipped UNIDO file and of the standard's example
(counts and totals computed here, independently, with ElementTree and Decimal), a rejected file leaving the
database unchanged, the export validated against the official IATI 2.03 schema, and programme results with
IndicatorService running, stopped and stalled past the deadline."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import grpc
import pytest

import helpers
from indicator_fixtures import bad_request_fields
from programme_fixtures import (
    EXAMPLE_FILE,
    READER_TOKEN,
    SCHEMA,
    UNIDO_FILE,
    WRITE,
    date,
    money,
    pb,
    running_indicator_service,
    running_service,
    service_argv,
    skip_in_python_peer_mode,
    stub,
    types_pb,
)

TIMEOUT = helpers.RPC_TIMEOUT


@pytest.fixture(scope="module")
def service(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable) as process:
        yield process


@pytest.fixture
def client(service):
    with helpers.connected_channel(service.address) as channel:
        yield stub(channel)


def new_programme(title="PCP Ethiopia: agro-industrial parks", country="ETH", **extra):
    return types_pb.Programme(
        title=title, kind=types_pb.PROGRAMME_KIND_PCP,
        countries=[types_pb.Country(iso_alpha3=country)],
        dates=types_pb.ProgrammeDates(planned_start=date(2015, 1, 1), planned_end=date(2025, 12, 31)),
        sdg_goals=[9], sdg_targets=["9.2"], **extra,
    )


def create(client, programme=None, request_id=""):
    return client.CreateProgramme(pb.CreateProgrammeRequest(programme=programme or new_programme(),
                                                            request_id=request_id),
                                  metadata=WRITE, timeout=TIMEOUT)


def code_of(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code()


# -- independent reading of the shipped file --------------------------------------------------------------------

def raw_activities(path: Path) -> list[dict]:
    """Each activity's identifier, transaction totals by type and budget total, read with ElementTree and
    Decimal: not the importer's code."""
    activities = []
    for activity in ET.parse(path).getroot().iter("iati-activity"):
        default = activity.get("default-currency")
        totals: dict[int, Decimal] = {}
        for transaction in activity.iter("transaction"):
            value = transaction.find("value")
            assert (value.get("currency") or default) == "USD"
            code = int(transaction.find("transaction-type").get("code"))
            totals[code] = totals.get(code, Decimal(0)) + Decimal(value.text.strip())
        budget = sum((Decimal(b.find("value").text.strip()) for b in activity.iter("budget")), Decimal(0))
        activities.append({
            "id": activity.findtext("iati-identifier").strip(),
            "transactions": totals,
            "transaction_count": len(activity.findall("transaction")),
            "budget": budget,
        })
    return activities


def all_programmes(client, **filters) -> list:
    programmes, token = [], ""
    while True:
        page = client.ListProgrammes(pb.ListProgrammesRequest(page_size=7, page_token=token, **filters),
                                     timeout=TIMEOUT)
        programmes.extend(page.programmes)
        token = page.next_page_token
        if not token:
            return programmes


def test_seeded_with_unidos_activities_exactly(client):
    raw = {activity["id"]: activity for activity in raw_activities(UNIDO_FILE)}
    programmes = all_programmes(client, title_contains="")
    seeded = {p.iati_identifier: p for p in programmes if p.iati_identifier}
    assert len(raw) == 33 and set(seeded) == set(raw)
    for identifier, activity in raw.items():
        programme = seeded[identifier]
        assert len(programme.transactions) == activity["transaction_count"]
        by_type: dict[int, Decimal] = {}
        for transaction in programme.transactions:
            assert transaction.value.currency_code == "USD" and transaction.value.exponent == 2
            by_type[transaction.type] = by_type.get(transaction.type, Decimal(0)) + \
                Decimal(transaction.value.minor_units) / 100
        assert by_type == activity["transactions"], identifier
        assert sum(Decimal(b.value.minor_units) / 100 for b in programme.budgets) == activity["budget"]
        assert programme.provenance.kind == types_pb.PROVENANCE_KIND_IATI


def test_portfolio_totals_equal_the_files(client):
    raw = raw_activities(UNIDO_FILE)
    spent = sum(a["transactions"].get(3, Decimal(0)) + a["transactions"].get(4, Decimal(0)) for a in raw)
    budget = sum(a["budget"] for a in raw)
    summary = client.GetPortfolioSummary(pb.GetPortfolioSummaryRequest(
        filter=pb.ListProgrammesRequest(title_contains="")), timeout=TIMEOUT)
    seeded = [p for p in all_programmes(client) if p.iati_identifier]
    assert summary.total.programme_count >= len(seeded)
    usd = {a.currency_code: a for a in summary.total.spent.amounts}["USD"]
    # The seeded activities are the only ones with spending in this module's database.
    assert Decimal(usd.minor_units) / 100 == spent
    usd_budget = {a.currency_code: a for a in summary.total.budget.amounts}["USD"]
    assert Decimal(usd_budget.minor_units) / 100 == budget


# -- the report's programmes and figures -------------------------------------------------------------------------

# What the report states (UNIDO and the 2030 Agenda, IDB.48, 2020), written out here from the report's words,
# not read from the shipped data file.
PCP_COUNTRIES = {"KHM", "CIV", "EGY", "ETH", "KGZ", "MAR", "PER", "RWA", "SEN", "ZMB"}
REPORTED = {  # id: (currency or None for a count, value in minor units or count, qualifier)
    "pcp-countries": (None, 10, types_pb.FIGURE_QUALIFIER_EXACT),
    "pcp-ethiopia-resources": ("USD", 1_200_000_000_00, types_pb.FIGURE_QUALIFIER_MORE_THAN),
    "pcp-ethiopia-partners": (None, 20, types_pb.FIGURE_QUALIFIER_EXACT),
    "country-programmes": (None, 45, types_pb.FIGURE_QUALIFIER_UP_TO),
    "portfolio-to-be-implemented": ("USD", 586_600_000_00, types_pb.FIGURE_QUALIFIER_EXACT),
    "agreements-2019": (None, 130, types_pb.FIGURE_QUALIFIER_MORE_THAN),
    "eu-secured-ongoing": ("EUR", 179_000_000_00, types_pb.FIGURE_QUALIFIER_EXACT),
    "eu-pipeline": ("EUR", 69_800_000_00, types_pb.FIGURE_QUALIFIER_ABOUT),
}


def reported_pcps(client) -> list:
    return [p for p in all_programmes(client, kind=types_pb.PROGRAMME_KIND_PCP)
            if p.provenance.kind == types_pb.PROVENANCE_KIND_REPORTED_FIGURES]


def test_seeded_with_the_reports_ten_pcps_each_citing_the_report(client):
    pcps = reported_pcps(client)
    assert {c.iso_alpha3 for p in pcps for c in p.countries} == PCP_COUNTRIES and len(pcps) == 10
    for programme in pcps:
        assert "Industrial Development Board, forty-eighth session" in programme.provenance.citation
        assert "para" in programme.provenance.citation
        # Reported figures only: no invented dates, funding, budgets or transactions.
        assert programme.dates == types_pb.ProgrammeDates() and not programme.funding and not programme.budgets
        assert not programme.transactions
    ethiopia = next(p for p in pcps if p.countries[0].iso_alpha3 == "ETH")
    [resources] = ethiopia.resources_mobilised
    assert resources.origin == types_pb.RESOURCE_ORIGIN_PUBLIC_AND_PRIVATE
    assert (resources.amount.currency_code, resources.amount.minor_units) == ("USD", 1_200_000_000_00)


def test_reported_figures_are_listed_as_the_report_states_them(client):
    figures = client.ListReportedFigures(pb.ListReportedFiguresRequest(), timeout=TIMEOUT).figures
    assert [f.id for f in figures] == sorted(REPORTED)
    for figure in figures:
        currency, value, qualifier = REPORTED[figure.id]
        if currency is None:
            assert figure.WhichOneof("value") == "count" and figure.count == value
        else:
            assert (figure.amount.currency_code, figure.amount.minor_units) == (currency, value)
        assert figure.qualifier == qualifier
        assert figure.provenance.kind == types_pb.PROVENANCE_KIND_REPORTED_FIGURES
    assert {f.partner.type for f in figures if f.id.startswith("eu-")} == {types_pb.PARTNER_TYPE_EU}
    ethiopia = next(p for p in reported_pcps(client) if p.countries[0].iso_alpha3 == "ETH")
    mine = client.ListReportedFigures(pb.ListReportedFiguresRequest(programme_id=ethiopia.id), timeout=TIMEOUT)
    assert {f.id for f in mine.figures} == {"pcp-ethiopia-resources", "pcp-ethiopia-partners"}
    assert code_of(lambda: client.ListReportedFigures(pb.ListReportedFiguresRequest(programme_id="prg-none"),
                                                      timeout=TIMEOUT)) == grpc.StatusCode.NOT_FOUND


def test_the_report_is_seeded_once_even_into_a_database_in_use(executable, python_peer_mode, tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    database = tmp_path / "programmes.sqlite"
    with running_service(executable, "--seed-report", "", database=database) as service:
        with helpers.connected_channel(service.address) as channel:
            assert reported_pcps(stub(channel)) == []
    for _ in range(2):
        with running_service(executable, database=database) as service:
            with helpers.connected_channel(service.address) as channel:
                client = stub(channel)
                assert len(reported_pcps(client)) == 10
                assert len([p for p in all_programmes(client) if p.iati_identifier]) == 33


# -- create, get, list ------------------------------------------------------------------------------------------

def test_create_assigns_an_id_and_the_same_request_id_creates_nothing_more(client):
    first = create(client, request_id="interop-create-1")
    again = create(client, request_id="interop-create-1")
    assert first.id.startswith("prg-") and again.id == first.id and again.etag == first.etag
    assert first.status == types_pb.PROGRAMME_STATUS_PIPELINE
    assert first.countries[0].iso_alpha2 == "ET" and first.countries[0].m49 == "231"
    fetched = client.GetProgramme(pb.GetProgrammeRequest(id=first.id), timeout=TIMEOUT)
    assert fetched == first


def test_bad_input_names_every_field_and_stores_nothing(client):
    before = len(all_programmes(client))
    programme = new_programme(title=" ", country="XXX")
    programme.dates.planned_end.CopyFrom(date(2014, 1, 1))
    programme.sdg_targets.append("9.z")
    programme.funding.append(types_pb.FundingLine(
        partner=types_pb.Partner(name="EU", type=types_pb.PARTNER_TYPE_EU), amount=money("EUR", -5)))
    programme.funding.append(types_pb.FundingLine(
        partner=types_pb.Partner(name="X", type=types_pb.PARTNER_TYPE_OTHER), amount=money("XYZ", 5)))
    with pytest.raises(grpc.RpcError) as caught:
        create(client, programme)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = bad_request_fields(caught.value)
    assert set(fields) == {
        "programme.title", "programme.countries[0].iso_alpha3", "programme.dates.planned_end",
        "programme.sdg_targets[1]", "programme.funding[0].amount.minor_units",
        "programme.funding[1].amount.currency_code",
    }
    assert len(all_programmes(client)) == before


def test_unknown_programme_is_not_found(client):
    assert code_of(lambda: client.GetProgramme(pb.GetProgrammeRequest(id="prg-nothing"), timeout=TIMEOUT)) == \
        grpc.StatusCode.NOT_FOUND


def test_list_filters(client):
    peru = create(client, new_programme(title="PCP Peru: quality infrastructure", country="PER",
                                        funding=[types_pb.FundingLine(
                                            partner=types_pb.Partner(name="Global Environment Facility",
                                                                     type=types_pb.PARTNER_TYPE_MULTILATERAL_FUND),
                                            amount=money("USD", 100))]))
    assert [p.id for p in all_programmes(client, country_code="PER", title_contains="quality")] == [peru.id]
    assert peru.id in [p.id for p in all_programmes(client, partner="global environment facility")]
    assert peru.id in [p.id for p in all_programmes(client, partner_type=types_pb.PARTNER_TYPE_MULTILATERAL_FUND)]
    assert peru.id in [p.id for p in all_programmes(client, sdg="9.2")]
    assert [p.id for p in all_programmes(client, title_contains="peru QUALITY")] == [peru.id]
    moldova = all_programmes(client, country_code="MDA")
    assert moldova and all(any(c.iso_alpha3 == "MDA" for c in p.countries) for p in moldova)
    with pytest.raises(grpc.RpcError) as caught:
        client.ListProgrammes(pb.ListProgrammesRequest(page_token="p1.bogus.prg-x"), timeout=TIMEOUT)
    assert "page_token" in bad_request_fields(caught.value)


# -- updates, etags, lifecycle -----------------------------------------------------------------------------------

def test_update_by_field_mask_changes_only_the_named_fields(client):
    created = create(client)
    change = types_pb.Programme(id=created.id, title="PCP Ethiopia: phase II", description="ignored")
    updated = client.UpdateProgramme(pb.UpdateProgrammeRequest(
        programme=change, update_mask={"paths": ["title"]}, etag=created.etag), metadata=WRITE, timeout=TIMEOUT)
    assert updated.title == "PCP Ethiopia: phase II" and updated.description == created.description
    assert updated.etag != created.etag
    assert code_of(lambda: client.UpdateProgramme(pb.UpdateProgrammeRequest(
        programme=change, update_mask={"paths": ["status"]}), metadata=WRITE, timeout=TIMEOUT)) == \
        grpc.StatusCode.INVALID_ARGUMENT


def test_two_updates_with_one_etag_one_wins_one_is_aborted(client):
    created = create(client)

    def update(title):
        try:
            return client.UpdateProgramme(pb.UpdateProgrammeRequest(
                programme=types_pb.Programme(id=created.id, title=title), update_mask={"paths": ["title"]},
                etag=created.etag), metadata=WRITE, timeout=TIMEOUT)
        except grpc.RpcError as error:
            return error.code()

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(update, ["first", "second"]))
    codes = [r for r in results if isinstance(r, grpc.StatusCode)]
    stored = [r for r in results if not isinstance(r, grpc.StatusCode)]
    assert codes == [grpc.StatusCode.ABORTED] and len(stored) == 1
    assert client.GetProgramme(pb.GetProgrammeRequest(id=created.id), timeout=TIMEOUT).title == stored[0].title


ALLOWED = {
    "PIPELINE": {"APPROVED", "CANCELLED"},
    "APPROVED": {"ONGOING", "SUSPENDED", "CANCELLED"},
    "ONGOING": {"SUSPENDED", "FINALISATION", "CANCELLED"},
    "SUSPENDED": {"ONGOING", "FINALISATION", "CANCELLED"},
    "FINALISATION": {"CLOSED", "ONGOING"},
    "CLOSED": set(),
    "CANCELLED": set(),
}
PATH_TO = {  # how to bring a new programme to each status
    "PIPELINE": [], "APPROVED": ["APPROVED"], "ONGOING": ["APPROVED", "ONGOING"],
    "SUSPENDED": ["APPROVED", "SUSPENDED"], "FINALISATION": ["APPROVED", "ONGOING", "FINALISATION"],
    "CLOSED": ["APPROVED", "ONGOING", "FINALISATION", "CLOSED"], "CANCELLED": ["CANCELLED"],
}


def status(name):
    return types_pb.ProgrammeStatus.Value(f"PROGRAMME_STATUS_{name}")


@pytest.mark.parametrize("start", sorted(ALLOWED))
def test_every_lifecycle_transition_is_allowed_or_refused_naming_the_allowed_ones(client, start):
    for target in sorted(ALLOWED):
        programme = create(client)
        for step in PATH_TO[start]:
            programme = client.ChangeProgrammeStatus(pb.ChangeProgrammeStatusRequest(
                id=programme.id, status=status(step)), metadata=WRITE, timeout=TIMEOUT)
        if target in ALLOWED[start]:
            moved = client.ChangeProgrammeStatus(pb.ChangeProgrammeStatusRequest(
                id=programme.id, status=status(target), etag=programme.etag, reason="interop"),
                metadata=WRITE, timeout=TIMEOUT)
            assert moved.status == status(target)
        else:
            with pytest.raises(grpc.RpcError) as caught:
                client.ChangeProgrammeStatus(pb.ChangeProgrammeStatusRequest(id=programme.id, status=status(target)),
                                             metadata=WRITE, timeout=TIMEOUT)
            assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            for allowed in ALLOWED[start]:
                assert allowed in caught.value.details()


def test_writes_need_the_write_scope(client):
    reader = (("authorization", f"Bearer {READER_TOKEN}"),)
    request = pb.CreateProgrammeRequest(programme=new_programme())
    assert code_of(lambda: client.CreateProgramme(request, timeout=TIMEOUT)) == grpc.StatusCode.UNAUTHENTICATED
    assert code_of(lambda: client.CreateProgramme(request, metadata=reader, timeout=TIMEOUT)) == \
        grpc.StatusCode.PERMISSION_DENIED


# -- money ----------------------------------------------------------------------------------------------------

def test_funding_transactions_and_agreements_add_up_exactly(client):
    programme = create(client, new_programme(title="Exact sums"))
    # Two amounts past 2**53 cents: a double would lose the last cent.
    for amount in [9_007_199_254_740_993, 7]:
        programme = client.AddFunding(pb.AddFundingRequest(
            programme_id=programme.id, etag=programme.etag,
            funding=types_pb.FundingLine(partner=types_pb.Partner(name="World Bank", type=types_pb.PARTNER_TYPE_IFI),
                                         amount=money("USD", amount), date=date(2020, 5, 1))),
            metadata=WRITE, timeout=TIMEOUT)
    for currency, units in [("JPY", 1_000_000), ("KWD", 1_250)]:
        programme = client.AddFunding(pb.AddFundingRequest(
            programme_id=programme.id,
            funding=types_pb.FundingLine(partner=types_pb.Partner(name="Japan", type=types_pb.PARTNER_TYPE_GOVERNMENT),
                                         amount=money(currency, units))), metadata=WRITE, timeout=TIMEOUT)
    programme = client.AddTransaction(pb.AddTransactionRequest(
        programme_id=programme.id, transaction=types_pb.Transaction(
            type=types_pb.TRANSACTION_TYPE_DISBURSEMENT, date=date(2021, 3, 1), value=money("USD", 5_00))),
        metadata=WRITE, timeout=TIMEOUT)
    programme = client.AddAgreement(pb.AddAgreementRequest(
        programme_id=programme.id, agreement=types_pb.Agreement(
            partner=types_pb.Partner(name="ILO", type=types_pb.PARTNER_TYPE_UN_ENTITY),
            kind=types_pb.AGREEMENT_KIND_COOPERATION, signed_on=date(2019, 7, 1), title="Skills")),
        metadata=WRITE, timeout=TIMEOUT)
    assert [f.id for f in programme.funding] == ["f1", "f2", "f3", "f4"]
    assert [(f.amount.currency_code, f.amount.exponent) for f in programme.funding] == \
        [("USD", 2), ("USD", 2), ("JPY", 0), ("KWD", 3)]
    summary = client.GetPortfolioSummary(pb.GetPortfolioSummaryRequest(
        filter=pb.ListProgrammesRequest(title_contains="Exact sums")), timeout=TIMEOUT)
    totals = {a.currency_code: a.minor_units for a in summary.total.funding.amounts}
    assert totals == {"USD": 9_007_199_254_741_000, "JPY": 1_000_000, "KWD": 1_250}
    assert {g.key for g in summary.by_partner_type} == {"ifi", "government"}
    assert code_of(lambda: client.AddTransaction(pb.AddTransactionRequest(
        programme_id=programme.id, transaction=types_pb.Transaction(
            type=types_pb.TRANSACTION_TYPE_OUTGOING_COMMITMENT, date=date(2021, 3, 1), value=money("USD", -1))),
        metadata=WRITE, timeout=TIMEOUT)) == grpc.StatusCode.INVALID_ARGUMENT


def test_a_summary_asked_again_includes_every_write_since(client):
    title = "Summary asked again"
    programme = create(client, new_programme(title=title))
    request = pb.GetPortfolioSummaryRequest(filter=pb.ListProgrammesRequest(title_contains=title))
    first = client.GetPortfolioSummary(request, timeout=TIMEOUT)
    assert client.GetPortfolioSummary(request, timeout=TIMEOUT) == first
    assert first.total.programme_count == 1 and not first.total.funding.amounts
    client.AddFunding(pb.AddFundingRequest(programme_id=programme.id, funding=types_pb.FundingLine(
        partner=types_pb.Partner(name="Japan", type=types_pb.PARTNER_TYPE_GOVERNMENT), amount=money("USD", 1_00))),
        metadata=WRITE, timeout=TIMEOUT)
    funded = client.GetPortfolioSummary(request, timeout=TIMEOUT)
    assert [(a.currency_code, a.minor_units) for a in funded.total.funding.amounts] == [("USD", 1_00)]
    create(client, new_programme(title=f"{title}, the second"))
    assert client.GetPortfolioSummary(request, timeout=TIMEOUT).total.programme_count == 2


def test_conversion_uses_only_stored_rates_with_their_date_and_source(client):
    programme = create(client, new_programme(title="Converted sums"))
    for currency, units in [("EUR", 179_000_000_00), ("USD", 1_00)]:
        client.AddFunding(pb.AddFundingRequest(programme_id=programme.id, funding=types_pb.FundingLine(
            partner=types_pb.Partner(name="European Union", type=types_pb.PARTNER_TYPE_EU),
            amount=money(currency, units))), metadata=WRITE, timeout=TIMEOUT)
    request = pb.GetPortfolioSummaryRequest(filter=pb.ListProgrammesRequest(title_contains="Converted sums"),
                                            convert_to="USD", as_of=date(2020, 12, 31))
    before = client.GetPortfolioSummary(request, timeout=TIMEOUT)
    assert not before.total.funding.HasField("converted")
    assert list(before.total.funding.unconverted_currencies) == ["EUR"]
    client.PutExchangeRates(pb.PutExchangeRatesRequest(rates=[
        pb.ExchangeRate(from_currency="EUR", to_currency="USD", rate="1.0875", date=date(2020, 6, 30),
                        source="interop test rates"),
        pb.ExchangeRate(from_currency="EUR", to_currency="USD", rate="9.99", date=date(2021, 1, 15),
                        source="a later rate, after as_of"),
    ]), metadata=WRITE, timeout=TIMEOUT)
    after = client.GetPortfolioSummary(request, timeout=TIMEOUT)
    # EUR 179,000,000.00 x 1.0875 = USD 194,662,500.00, plus USD 1.00.
    assert after.total.funding.converted.minor_units == 194_662_500_00 + 1_00
    assert [(r.rate, r.source) for r in after.rates_used] == [("1.0875", "interop test rates")]
    with pytest.raises(grpc.RpcError) as caught:
        client.PutExchangeRates(pb.PutExchangeRatesRequest(rates=[
            pb.ExchangeRate(from_currency="EUR", to_currency="USD", rate="1,2", date=date(2020, 1, 1))]),
            metadata=WRITE, timeout=TIMEOUT)
    assert {"rates[0].rate"} <= set(bad_request_fields(caught.value))


# -- history and watch ----------------------------------------------------------------------------------------

def test_history_and_a_resumed_watch_miss_nothing_and_repeat_nothing(client):
    programme = create(client)
    stream = client.WatchProgrammeChanges(pb.WatchProgrammeChangesRequest(programme_ids=[programme.id]),
                                          timeout=TIMEOUT)
    first = next(stream)
    stream.cancel()
    for title in ["one", "two", "three"]:
        client.UpdateProgramme(pb.UpdateProgrammeRequest(programme=types_pb.Programme(id=programme.id, title=title),
                                                         update_mask={"paths": ["title"]}),
                               metadata=WRITE, timeout=TIMEOUT)
    resumed = client.WatchProgrammeChanges(pb.WatchProgrammeChangesRequest(
        programme_ids=[programme.id], after_revision_token=first.revision_token), timeout=TIMEOUT)
    titles = []
    for message in resumed:
        titles += [change.programme.title for change in message.changes]
        if len(titles) >= 3:
            resumed.cancel()
            break
    assert titles == ["one", "two", "three"]
    history = client.ListProgrammeHistory(pb.ListProgrammeHistoryRequest(programme_id=programme.id),
                                          timeout=TIMEOUT)
    assert [c.kind for c in history.changes] == [pb.CHANGE_KIND_CREATED] + [pb.CHANGE_KIND_UPDATED] * 3
    assert all(c.actor.startswith("token:") for c in history.changes)


# -- IATI -----------------------------------------------------------------------------------------------------

def test_importing_the_shipped_file_again_changes_nothing(client):
    answer = client.ImportIatiActivities(pb.ImportIatiActivitiesRequest(
        xml=UNIDO_FILE.read_bytes(), file_name=UNIDO_FILE.name), metadata=WRITE, timeout=TIMEOUT)
    assert (answer.activities, answer.created, answer.updated, answer.unchanged) == (33, 0, 0, 33)
    assert any("foreign namespaces" in w.message for w in answer.warnings)


def test_the_standards_example_imports_with_its_parts(client):
    root = ET.parse(EXAMPLE_FILE).getroot()
    transactions = len(root.findall(".//transaction"))
    answer = client.ImportIatiActivities(pb.ImportIatiActivitiesRequest(
        xml=EXAMPLE_FILE.read_bytes(), file_name=EXAMPLE_FILE.name), metadata=WRITE, timeout=TIMEOUT)
    assert answer.activities == 1
    identifier = root.findtext(".//iati-identifier").strip()
    imported = [p for p in all_programmes(client) if p.iati_identifier == identifier]
    assert len(imported) == 1 and len(imported[0].transactions) == transactions
    assert {t.language for t in imported[0].title_narratives} >= {"fr", "es"}


def test_a_malformed_file_is_refused_naming_the_line_and_nothing_is_stored(client):
    before = [(p.id, p.etag) for p in all_programmes(client)]
    broken = UNIDO_FILE.read_bytes().replace(b"<transaction-type code=\"4\">", b"<transaction-type code=\"99\">", 1)
    with pytest.raises(grpc.RpcError) as caught:
        client.ImportIatiActivities(pb.ImportIatiActivitiesRequest(xml=broken, file_name="broken.xml"),
                                    metadata=WRITE, timeout=TIMEOUT)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "broken.xml:" in caught.value.details() and "transaction-type" in caught.value.details()
    assert [(p.id, p.etag) for p in all_programmes(client)] == before


def test_export_validates_against_the_official_schema_and_imports_back_unchanged(client, executable, tmp_path):
    import xmlschema

    seeded = [p.id for p in all_programmes(client) if p.iati_identifier.startswith("XM-DAC-41123")]
    mine = create(client, new_programme(title="Entered & exported <safely>"))
    exported = client.ExportIatiActivities(pb.ExportIatiActivitiesRequest(ids=seeded + [mine.id]), timeout=TIMEOUT)
    assert exported.activities == len(seeded) + 1
    document = tmp_path / "export.xml"
    document.write_bytes(exported.xml)
    schema = xmlschema.XMLSchema(str(SCHEMA))
    errors = [str(e)[:300] for e in schema.iter_errors(str(document))]
    assert errors == []
    # Into a fresh service: the same programmes come back.
    with running_service(executable, "--seed-iati", "") as fresh:
        with helpers.connected_channel(fresh.address) as channel:
            other = stub(channel)
            answer = other.ImportIatiActivities(pb.ImportIatiActivitiesRequest(xml=exported.xml, file_name="e.xml"),
                                                metadata=WRITE, timeout=TIMEOUT)
            assert answer.created == len(seeded) + 1
            originals = {p.iati_identifier: p for p in all_programmes(client) if p.id in seeded}
            for programme in all_programmes(other):
                if programme.iati_identifier in originals:
                    original = originals[programme.iati_identifier]
                    for field in ["title", "status", "budgets", "transactions", "countries", "sectors", "dates"]:
                        assert getattr(programme, field) == getattr(original, field), field


def test_import_iati_subcommand_prints_one_line_per_file(executable, python_peer_mode, tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    argv = service_argv(executable, tmp_path / "p.sqlite")
    command = [argv[0], "import-iati", *argv[1:5], str(UNIDO_FILE), str(EXAMPLE_FILE)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.strip().splitlines()
    assert lines[0].startswith(f"{UNIDO_FILE}: 33 activities (33 new, 0 updated, 0 unchanged), ")
    assert lines[0].endswith(" warnings") and lines[1].startswith(f"{EXAMPLE_FILE}: 1 activities (1 new,")
    again = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert again.stdout.splitlines()[0].startswith(f"{UNIDO_FILE}: 33 activities (0 new, 0 updated, 33 unchanged)")
    bad = tmp_path / "bad.xml"
    bad.write_text("<iati-activities version=\"2.03\"><iati-activity>")
    failed = subprocess.run([argv[0], "import-iati", *argv[1:5], str(bad)], capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert failed.returncode == 1 and f"{bad}:" in failed.stdout and "nothing imported" in failed.stdout


# -- programme results ------------------------------------------------------------------------------------------

def results_programme(client):
    return create(client, new_programme(
        title="PCP Rwanda: results", country="RWA",
        target_series=[types_pb.TargetSeries(series_code="NV_IND_MANF", area_code="RWA"),
                       types_pb.TargetSeries(series_code="NV_IND_TECH", area_code="RWA")]))


def test_results_with_indicator_service_running(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_indicator_service(executable) as indicators:
        with running_service(executable, "--indicator-service", indicators.address) as programmes:
            with helpers.connected_channel(programmes.address) as channel:
                client = stub(channel)
                programme = results_programme(client)
                results = client.GetProgrammeResults(pb.GetProgrammeResultsRequest(id=programme.id), timeout=20)
                assert results.complete and results.from_year == 2015 and len(results.series) == 2
                manf = results.series[0]
                assert manf.observations and all(o.year >= 2015 and o.area_code == "RWA" for o in manf.observations)
                assert manf.progress.series_code == "NV_IND_MANF" and manf.progress_status.code == 0
                assert results.attribution.startswith("Source: United Nations Statistics Division")


def test_results_with_indicator_service_stopped_mark_each_part(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    port = helpers.free_port()
    with running_service(executable, "--indicator-service", f"127.0.0.1:{port}") as programmes:
        with helpers.connected_channel(programmes.address) as channel:
            client = stub(channel)
            programme = results_programme(client)
            started = time.monotonic()
            results = client.GetProgrammeResults(pb.GetProgrammeResultsRequest(id=programme.id), timeout=5)
            assert time.monotonic() - started < 5
            assert not results.complete and len(results.series) == 2
            for series in results.series:
                assert series.observations_status.code == grpc.StatusCode.UNAVAILABLE.value[0]
                assert series.progress_status.code == grpc.StatusCode.UNAVAILABLE.value[0]


def test_results_with_indicator_service_stalled_come_back_within_the_deadline(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_indicator_service(executable) as indicators:
        with running_service(executable, "--indicator-service", indicators.address) as programmes:
            with helpers.connected_channel(programmes.address) as channel:
                client = stub(channel)
                programme = results_programme(client)
                os.kill(indicators.proc.pid, signal.SIGSTOP)
                try:
                    started = time.monotonic()
                    results = client.GetProgrammeResults(pb.GetProgrammeResultsRequest(id=programme.id), timeout=1.5)
                    elapsed = time.monotonic() - started
                finally:
                    os.kill(indicators.proc.pid, signal.SIGCONT)
                assert elapsed < 1.5 and not results.complete
                for series in results.series:
                    assert series.observations_status.code == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]


def test_import_rates_subcommand_stores_rates_the_service_then_lists(executable, python_peer_mode, tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    database = tmp_path / "p.sqlite"
    argv = service_argv(executable, database)
    rates = tmp_path / "rates.csv"
    rates.write_text("from_currency,to_currency,rate,date,source\n"
                     "EUR,USD,1.0875,2020-06-30,test rates\nJPY,USD,0.0093,2020-06-30,test rates\n")
    run = subprocess.run([argv[0], "import-rates", *argv[1:5], str(rates)], capture_output=True, text=True,
                         timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and run.stdout.strip() == f"{rates}: 2 exchange rates", run.stdout + run.stderr
    with running_service(executable, database=database) as service:
        with helpers.connected_channel(service.address) as channel:
            listed = stub(channel).ListExchangeRates(pb.ListExchangeRatesRequest(to_currency="USD"), timeout=TIMEOUT)
            assert [(r.from_currency, r.rate) for r in listed.rates] == [("EUR", "1.0875"), ("JPY", "0.0093")]
    bad = tmp_path / "bad.csv"
    bad.write_text("from_currency,to_currency,rate,date,source\nEUR,USD,one,2020-06-30,x\n")
    failed = subprocess.run([argv[0], "import-rates", *argv[1:5], str(bad)], capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert failed.returncode == 1 and f"{bad}:2:" in failed.stderr
