import ProgrammesAPI

// The API's enums and the domain's, both ways. Unspecified or unknown values map to nil: the caller decides
// whether that is a violation or a default.

extension ProgrammeInput {
    static func kind(_ proto: Isid_Programmes_V1_ProgrammeKind) -> ProgrammeKind? {
        switch proto {
        case .pcp: .pcp
        case .countryProgramme: .countryProgramme
        case .regional: .regional
        case .global: .global
        case .project: .project
        case .unspecified, .unrecognized: nil
        }
    }

    static func status(_ proto: Isid_Programmes_V1_ProgrammeStatus) -> ProgrammeStatus? {
        switch proto {
        case .pipeline: .pipeline
        case .approved: .approved
        case .ongoing: .ongoing
        case .suspended: .suspended
        case .finalisation: .finalisation
        case .closed: .closed
        case .cancelled: .cancelled
        case .unspecified, .unrecognized: nil
        }
    }

    static func partnerType(_ proto: Isid_Programmes_V1_PartnerType) -> PartnerType? {
        switch proto {
        case .ifi: .ifi
        case .multilateralFund: .multilateralFund
        case .government: .government
        case .privateSector: .privateSector
        case .unEntity: .unEntity
        case .eu: .eu
        case .foundation: .foundation
        case .other: .other
        case .unspecified, .unrecognized: nil
        }
    }

    static func agreementKind(_ proto: Isid_Programmes_V1_AgreementKind) -> Agreement.Kind? {
        switch proto {
        case .funding: .funding
        case .programmeDocument: .programmeDocument
        case .memorandum: .memorandum
        case .cooperation: .cooperation
        case .other: .other
        case .unspecified, .unrecognized: nil
        }
    }
}

extension ProgrammeKind {
    var proto: Isid_Programmes_V1_ProgrammeKind {
        switch self {
        case .pcp: .pcp
        case .countryProgramme: .countryProgramme
        case .regional: .regional
        case .global: .global
        case .project: .project
        }
    }
}

extension ProgrammeStatus {
    var proto: Isid_Programmes_V1_ProgrammeStatus {
        switch self {
        case .pipeline: .pipeline
        case .approved: .approved
        case .ongoing: .ongoing
        case .suspended: .suspended
        case .finalisation: .finalisation
        case .closed: .closed
        case .cancelled: .cancelled
        }
    }
}

extension PartnerType {
    var proto: Isid_Programmes_V1_PartnerType {
        switch self {
        case .ifi: .ifi
        case .multilateralFund: .multilateralFund
        case .government: .government
        case .privateSector: .privateSector
        case .unEntity: .unEntity
        case .eu: .eu
        case .foundation: .foundation
        case .other: .other
        }
    }
}

extension Agreement.Kind {
    var proto: Isid_Programmes_V1_AgreementKind {
        switch self {
        case .funding: .funding
        case .programmeDocument: .programmeDocument
        case .memorandum: .memorandum
        case .cooperation: .cooperation
        case .other: .other
        }
    }
}
