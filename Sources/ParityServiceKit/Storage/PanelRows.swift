import Foundation
import IsidStorage

/// A participant as a panel read sees it: id, role and gender, no name. Texts a newer build may have written
/// read as a speaker of undisclosed gender.
struct PanelMember {
    var id: String
    var role: ParticipantRole
    var gender: Gender

    init(id: String, roleText: String, genderText: String) {
        self.id = id
        self.role = ParticipantRole(rawValue: roleText) ?? .speaker
        self.gender = Gender(rawValue: genderText) ?? .undisclosed
    }
}

extension ParticipantCounts {
    init(_ members: [PanelMember]) { self.init(members.map { ($0.role, $0.gender) }) }
}

extension StoredPanel {
    /// A panel from its row and its members in the order added, on every store.
    init(id: String, etag: String, created: Int64, updated: Int64, document: Data, members: [PanelMember]) throws {
        self.init(
            id: id,
            panel: try StoredDocuments.decode(Panel.self, document),
            participantIDs: members.map(\.id),
            counts: ParticipantCounts(members),
            etag: etag,
            created: created,
            updated: updated
        )
    }
}

extension StoredParticipant {
    /// A participant from its row, on every store.
    init(
        id: String,
        panelID: String,
        displayName: String,
        roleText: String,
        genderText: String,
        organisation: String,
        erased: Bool
    ) {
        let member = PanelMember(id: id, roleText: roleText, genderText: genderText)
        self.init(
            id: id,
            panelID: panelID,
            participant: Participant(
                displayName: displayName,
                role: member.role,
                gender: member.gender,
                organisation: organisation
            ),
            erased: erased
        )
    }
}
