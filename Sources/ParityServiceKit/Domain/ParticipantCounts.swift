/// How many people of each gender: what evaluations and reports rest on, and all that survives erasure.
public struct GenderCounts: Hashable, Sendable {
    public var women = 0
    public var men = 0
    public var nonBinary = 0
    public var undisclosed = 0

    public init(women: Int = 0, men: Int = 0, nonBinary: Int = 0, undisclosed: Int = 0) {
        self.women = women
        self.men = men
        self.nonBinary = nonBinary
        self.undisclosed = undisclosed
    }

    public var total: Int { women + men + nonBinary + undisclosed }

    public func count(of gender: Gender) -> Int {
        switch gender {
        case .woman: women
        case .man: men
        case .nonBinary: nonBinary
        case .undisclosed: undisclosed
        }
    }

    public mutating func add(_ gender: Gender) {
        switch gender {
        case .woman: women += 1
        case .man: men += 1
        case .nonBinary: nonBinary += 1
        case .undisclosed: undisclosed += 1
        }
    }

    public static func + (lhs: GenderCounts, rhs: GenderCounts) -> GenderCounts {
        GenderCounts(
            women: lhs.women + rhs.women,
            men: lhs.men + rhs.men,
            nonBinary: lhs.nonBinary + rhs.nonBinary,
            undisclosed: lhs.undisclosed + rhs.undisclosed
        )
    }
}

/// A panel's people by part: speaking roles and moderating roles.
public struct ParticipantCounts: Hashable, Sendable {
    public var speakers = GenderCounts()
    public var moderators = GenderCounts()

    public init(speakers: GenderCounts = GenderCounts(), moderators: GenderCounts = GenderCounts()) {
        self.speakers = speakers
        self.moderators = moderators
    }

    /// Counts of participants given as (role, gender).
    public init(_ participants: [(role: ParticipantRole, gender: Gender)]) {
        for participant in participants {
            if participant.role.isSpeaking {
                speakers.add(participant.gender)
            } else {
                moderators.add(participant.gender)
            }
        }
    }

    public static func + (lhs: ParticipantCounts, rhs: ParticipantCounts) -> ParticipantCounts {
        ParticipantCounts(speakers: lhs.speakers + rhs.speakers, moderators: lhs.moderators + rhs.moderators)
    }
}
