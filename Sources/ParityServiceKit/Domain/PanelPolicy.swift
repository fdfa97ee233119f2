/// The panel parity policy as pure functions: UNIDO's rules (DOMAIN §4: no single-sex panels, no gender
/// confined to moderating, all-female speaker lists only at women's-empowerment events) under one version's
/// settings.
public enum PanelPolicy {
    /// Evaluates a panel whose participants have these counts, at an event with these themes, against the
    /// version in force (nil: none was). Every rule is reported, in ``Rule`` order, with its outcome.
    public static func evaluate(
        counts: ParticipantCounts,
        themes: Set<Theme>,
        policy: PolicyVersion?
    ) throws(EvaluationError) -> PanelEvaluation {
        let speakers = counts.speakers
        guard speakers.total > 0 else { throw .noSpeakers }
        guard let policy else {
            return PanelEvaluation(
                verdict: .exempt,
                reasons: [
                    EvaluationReason(.policyInForce, .exempts, "no policy version was in force on the event's date")
                ],
                policy: nil,
                counts: counts,
                countedWomenSpeakers: 0,
                countedSpeakers: 0
            )
        }
        let settings = policy.settings
        let sides = SpeakerSides(speakers, settings: settings)
        var reasons = [
            EvaluationReason(
                .policyInForce,
                .satisfied,
                "version \(policy.version), in force from \(policy.effectiveDate)"
            )
        ]
        var evaluation = PanelEvaluation(
            verdict: .compliant,
            reasons: [],
            policy: policy,
            counts: counts,
            countedWomenSpeakers: sides.women,
            countedSpeakers: sides.counted
        )
        if speakers.total < settings.smallestPanelSize {
            reasons.append(
                EvaluationReason(
                    .smallestPanel,
                    .exempts,
                    "\(speakers.total) speaker(s), fewer than the \(settings.smallestPanelSize) the policy applies to"
                )
            )
            evaluation.verdict = .exempt
            evaluation.reasons = reasons
            return evaluation
        }
        reasons.append(
            EvaluationReason(
                .smallestPanel,
                .satisfied,
                "\(speakers.total) speakers, at least \(settings.smallestPanelSize)"
            )
        )
        let exceptionAllowsAllFemale =
            settings.allFemalePanelsAllowedEverywhere || themes.contains(where: \.isWomensEmpowerment)
        reasons.append(noAllMale(sides))
        reasons.append(noAllFemale(sides, exceptionApplies: exceptionAllowsAllFemale, settings: settings))
        reasons.append(noGenderOnlyModerating(counts, allFemaleAllowed: exceptionAllowsAllFemale))
        reasons.append(minimumShare(sides, settings: settings))
        evaluation.reasons = reasons
        evaluation.verdict = reasons.contains { $0.outcome == .violated } ? .nonCompliant : .compliant
        return evaluation
    }

    /// Evaluates a panel of `event` against the version in force on the event's start date.
    public static func evaluate(
        counts: ParticipantCounts,
        event: Event,
        history: PolicyHistory
    ) throws(EvaluationError) -> PanelEvaluation {
        guard let date = event.startDate else { throw .undatedEvent }
        return try evaluate(counts: counts, themes: Set(event.themes), policy: history.inForce(on: date))
    }

    /// DOMAIN §4.4: speakers and no woman among them is a violation, whatever else they are.
    static func noAllMale(_ sides: SpeakerSides) -> EvaluationReason {
        if sides.women > 0 {
            return EvaluationReason(.noAllMalePanel, .satisfied, "\(sides.women) speaker(s) counted with women")
        }
        return EvaluationReason(
            .noAllMalePanel,
            .violated,
            "\(sides.total) speaker(s), none a woman or counted with women under these settings"
        )
    }

    /// All-female: every speaker whose gender counts is a woman (or counted with women), and no non-binary
    /// speaker. Allowed at women's-empowerment events, or everywhere if the settings say so.
    static func noAllFemale(
        _ sides: SpeakerSides,
        exceptionApplies: Bool,
        settings: PolicySettings
    ) -> EvaluationReason {
        guard sides.isAllFemale else {
            return EvaluationReason(.noAllFemalePanel, .satisfied, "not an all-female speaker list")
        }
        if settings.allFemalePanelsAllowedEverywhere {
            return EvaluationReason(
                .noAllFemalePanel,
                .exceptionApplied,
                "all-female speaker list, allowed at every event by this version's settings"
            )
        }
        if exceptionApplies {
            return EvaluationReason(
                .noAllFemalePanel,
                .exceptionApplied,
                "all-female speaker list, allowed because the event is about women's empowerment"
            )
        }
        return EvaluationReason(
            .noAllFemalePanel,
            .violated,
            "all-female speaker list at an event without a women's-empowerment theme"
        )
    }

    /// "No gender is restricted to the moderator or facilitator role", checked for women and men. A man who
    /// only moderates an all-female list the exception allows is what the exception allows. A non-binary
    /// moderator is not held to it: asking for a non-binary speaker beside every non-binary moderator would
    /// penalise inclusion, which is not the policy's aim.
    static func noGenderOnlyModerating(_ counts: ParticipantCounts, allFemaleAllowed: Bool) -> EvaluationReason {
        var confined: [String] = []
        if counts.moderators.women > 0, counts.speakers.women == 0 { confined.append("women") }
        if counts.moderators.men > 0, counts.speakers.men == 0, !allFemaleAllowed { confined.append("men") }
        if confined.isEmpty {
            return EvaluationReason(.noGenderOnlyModerating, .satisfied, "no gender appears only in moderating roles")
        }
        return EvaluationReason(
            .noGenderOnlyModerating,
            .violated,
            "\(confined.joined(separator: " and ")) appear only in moderating roles"
        )
    }

    /// women / counted ≥ minimum, in integers: women × 100 ≥ minimum × counted.
    static func minimumShare(_ sides: SpeakerSides, settings: PolicySettings) -> EvaluationReason {
        let minimum = settings.minimumWomenSharePercent
        guard minimum > 0 else {
            return EvaluationReason(.minimumWomenShare, .satisfied, "this version sets no minimum share")
        }
        let share = "\(sides.women) of \(sides.counted) counted speakers"
        if sides.counted > 0, sides.women * 100 >= minimum * sides.counted {
            return EvaluationReason(.minimumWomenShare, .satisfied, "\(share), at least \(minimum)%")
        }
        return EvaluationReason(.minimumWomenShare, .violated, "\(share), below \(minimum)%")
    }
}

/// Speakers sorted by how their gender counts under the settings.
struct SpeakerSides {
    /// Counted with women.
    var women = 0
    /// Counted with men.
    var men = 0
    /// Non-binary speakers not counted with women: count in the share's denominator, make a panel neither
    /// all-male-proof nor all-female.
    var otherCounted = 0
    var nonBinary = 0
    /// Every speaker, excluded ones too.
    var total = 0

    init(_ speakers: GenderCounts, settings: PolicySettings) {
        total = speakers.total
        women = speakers.women
        men = speakers.men
        nonBinary = speakers.nonBinary
        if settings.nonBinaryCountsTowardNonManShare {
            women += speakers.nonBinary
        } else {
            otherCounted = speakers.nonBinary
        }
        switch settings.undisclosedGender {
        case .excluded: break
        case .countsWithWomen: women += speakers.undisclosed
        case .countsWithMen: men += speakers.undisclosed
        }
    }

    /// The share's denominator.
    var counted: Int { women + men + otherCounted }

    var isAllFemale: Bool { women > 0 && men == 0 && nonBinary == 0 }
}
