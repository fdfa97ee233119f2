/// The attribution and licences of the shipped data (Data/sdg9/NOTICE.md), as the API reports them.
public enum DataAttribution {
    public static let text =
        "Source: United Nations Statistics Division, Global SDG Indicators Database (custodian agencies: UNIDO, "
        + "ILO, IEA, World Bank), extract of 17 Dec 2023 via Gapminder open-numbers (CC BY 4.0). Country codes and "
        + "M49 regions: lukes/ISO-3166-Countries-with-Regional-Codes (CC BY-SA 4.0) and UNSD M49. Income groups: "
        + "World Bank, World Development Indicators (CC BY 4.0). IATI examples: IATI Standard "
        + "(http://iatistandard.org/), CC BY 4.0."

    public static let extractDate = "2023-12-17"

    public struct Source: Sendable, Hashable {
        public let name: String
        public let licence: String
        public let usedFor: String
    }

    public static let sources: [Source] = [
        Source(
            name: "UN SDG Global Database (United Nations Statistics Division; custodians UNIDO, ILO, IEA, World "
                + "Bank), DDF packaging by Gapminder open-numbers (ddf--unstats--sdg_indicators, 2023-12-17)",
            licence: "United Nations terms of use (free reuse with attribution); DDF packaging CC BY 4.0",
            usedFor: "series and observations"
        ),
        Source(
            name: "lukes/ISO-3166-Countries-with-Regional-Codes (tag 10.0) and UNSD M49",
            licence: "CC BY-SA 4.0 (Luke Duncalfe); United Nations terms of use",
            usedFor: "economy codes, names and M49 regions"
        ),
        Source(
            name: "UNSD M49 overview table: Least Developed Countries",
            licence: "United Nations terms of use (free reuse with attribution)",
            usedFor: "LDC flag"
        ),
        Source(
            name: "World Bank, World Development Indicators, country metadata (FY26 classification)",
            licence: "CC BY 4.0",
            usedFor: "World Bank region and income group"
        ),
    ]
}
