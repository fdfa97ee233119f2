import Foundation
import ProgrammeServiceKit
import ProgrammesAPI
import ProtobufRuntime
import RPCErrorDetails
import StandardProtos
import Testing

@Suite("Reading a programme from a request")
struct ProgrammeInputTests {
    let input = ProgrammeInput(countries: shippedCountries)

    func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Google_Type_Date {
        .with {
            $0.year = year
            $0.month = month
            $0.day = day
        }
    }

    var valid: Isid_Programmes_V1_Programme {
        .with {
            $0.title = "PCP Ethiopia: agro-industrial parks"
            $0.kind = .pcp
            $0.countries = [.with { $0.isoAlpha3 = "ETH" }]
            $0.dates = .with {
                $0.plannedStart = date(2015, 1, 1)
                $0.plannedEnd = date(2025, 12, 31)
            }
            $0.sdgGoals = [9]
            $0.sdgTargets = ["9.2", "9.b"]
            $0.funding = [
                .with {
                    $0.partner = .with {
                        $0.name = "African Development Bank"
                        $0.type = .ifi
                    }
                    $0.amount = .with {
                        $0.currencyCode = "USD"
                        $0.minorUnits = 12_345_600
                    }
                }
            ]
            $0.targetSeries = [
                .with {
                    $0.seriesCode = "NV_IND_MANF"
                    $0.areaCode = "ETH"
                }
            ]
        }
    }

    func read(_ proto: Isid_Programmes_V1_Programme) -> (Programme?, [String]) {
        var violations = FieldViolations()
        let programme = input.programme(proto, id: "prg-1", field: "programme", violations: &violations)
        return (programme, violations.all.map(\.field))
    }

    @Test("a valid programme reads with exact money, status pipeline by default, and SDG codes in order")
    func validProgramme() throws {
        let (programme, fields) = read(valid)
        #expect(fields.isEmpty)
        let read = try #require(programme)
        #expect(read.status == .pipeline)
        #expect(read.funding.first?.amount == Money(12_345_600, Currency(code: "USD")!))
        #expect(read.sdgTargets == ["9.2", "9.b"])
        #expect(read.countries == [CountryShare(code: "ETH")])
    }

    @Test("every problem is named by its field, all at once, and nothing is read")
    func violations() {
        var proto = valid
        proto.title = "  "
        proto.countries.append(.with { $0.isoAlpha3 = "XXX" })
        proto.dates?.plannedEnd = date(2014, 1, 1)
        proto.sdgGoals.append(18)
        proto.sdgTargets.append("9.z")
        proto.funding[0].amount?.currencyCode = "usd"
        proto.funding.append(
            .with {
                $0.partner = .with {
                    $0.name = "EU"
                    $0.type = .eu
                }
                $0.amount = .with {
                    $0.currencyCode = "EUR"
                    $0.minorUnits = -1
                }
            }
        )
        proto.targetSeries.append(
            .with {
                $0.seriesCode = "NV_IND_MANF"
                $0.areaCode = "RWA"
            }
        )
        let (programme, fields) = read(proto)
        #expect(programme == nil)
        #expect(
            fields == [
                "programme.title", "programme.countries[1].iso_alpha3", "programme.dates.planned_end",
                "programme.sdg_goals[1]", "programme.sdg_targets[2]", "programme.funding[0].amount.currency_code",
                "programme.funding[1].amount.minor_units", "programme.target_series[1].area_code",
            ]
        )
    }

    @Test("a kind is required and a day must exist")
    func kindAndDays() {
        var proto = valid
        proto.kind = .unspecified
        proto.dates?.plannedStart = date(2021, 2, 29)
        #expect(read(proto).1 == ["programme.kind", "programme.dates.planned_start"])
    }

    @Test(
        "a transaction may be negative only as a correction of a flow",
        arguments: [
            (Isid_Programmes_V1_TransactionType.disbursement, true), (.expenditure, true), (.incomingFunds, true),
            (.outgoingCommitment, false), (.incomingPledge, false), (.creditGuarantee, false),
        ]
    )
    func negativeTransactions(type: Isid_Programmes_V1_TransactionType, allowed: Bool) {
        var proto = valid
        proto.transactions = [
            .with {
                $0.type = type
                $0.date = date(2020, 6, 30)
                $0.value = .with {
                    $0.currencyCode = "USD"
                    $0.minorUnits = -100
                }
            }
        ]
        #expect(read(proto).1.isEmpty == allowed)
    }
}

@Suite("Writing a programme into the API")
struct ProgrammeOutputTests {
    let output = ProgrammeOutput(countries: shippedCountries)
    let input = ProgrammeInput(countries: shippedCountries)

    @Test("every IATI activity written out and read back is the same programme")
    func roundTripsThroughTheAPI() throws {
        let read = try IATIReader.read(Data(contentsOf: unidoFile), file: "u.xml", countries: shippedCountries)
        // One real activity reports a negative budget, which IATI import keeps with a warning and the API refuses.
        for var programme in read.programmes where programme.budgets.allSatisfy({ !$0.value.isNegative }) {
            programme.id = "prg-1"
            var violations = FieldViolations()
            let back = input.programme(
                output.proto(programme),
                id: "prg-1",
                field: "programme",
                violations: &violations
            )
            #expect(violations.isEmpty)
            // What the API does not take on input (IATI narratives, shares, reporter, provenance) is not compared.
            #expect(back?.funding == programme.funding)
            #expect(back?.transactions.map(\.value) == programme.transactions.map(\.value))
            #expect(back?.budgets == programme.budgets)
            #expect(back?.dates == programme.dates)
            #expect(back?.countries.map(\.code) == programme.countries.map(\.code))
        }
    }

    @Test("countries come out with every code the directory has, amounts with their exponent")
    func filledIn() {
        var programme = Programme(
            id: "prg-2",
            kind: .pcp,
            status: .ongoing,
            title: "PCP Senegal",
            provenance: Provenance(kind: .entered, citation: "")
        )
        programme.countries = [CountryShare(code: "SEN")]
        programme.funding = [
            FundingLine(
                id: "f1",
                partner: Partner(name: "European Union", type: .eu),
                amount: Money(17_900_000_000, Currency(code: "EUR")!),
                date: nil
            )
        ]
        let proto = output.proto(programme)
        #expect(proto.countries.first?.isoAlpha2 == "SN")
        #expect(proto.countries.first?.m49 == "686")
        #expect(proto.funding.first?.amount?.exponent == 2)
    }
}
