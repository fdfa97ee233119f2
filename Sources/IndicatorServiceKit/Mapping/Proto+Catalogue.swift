import IndicatorsAPI
import ProtobufRuntime

extension Isid_Indicators_V1_BetterDirection {
    init(_ direction: BetterDirection?) {
        switch direction {
        case .higher: self = .higher
        case .lower: self = .lower
        case nil: self = .unspecified
        }
    }
}

extension Isid_Indicators_V1_Series {
    init(_ series: SeriesInfo) {
        self.init()
        code = series.code
        sdgIndicator = series.sdgIndicator
        sdgTarget = series.sdgTarget
        targetText = series.targetText
        description = series.description
        unit = series.unit
        unitDescription = series.unitDescription
        custodian = series.custodian
        better = .init(series.better)
        directionNote = series.directionNote
        observationCount = Int32(series.observationCount)
        firstYear = Int32(series.firstYear)
        lastYear = Int32(series.lastYear)
    }
}

extension Isid_Indicators_V1_Area {
    init(_ area: AreaInfo) {
        self.init()
        code = area.code
        kind = area.kind == .economy ? .economy : .aggregate
        name = area.name
        unSdgName = area.unSDGName
        isoAlpha3 = area.isoAlpha3
        isoAlpha2 = area.isoAlpha2
        m49 = area.m49
        region = area.region
        regionM49 = area.regionM49
        subRegion = area.subRegion
        subRegionM49 = area.subRegionM49
        intermediateRegion = area.intermediateRegion
        intermediateRegionM49 = area.intermediateRegionM49
        wbRegion = area.wbRegion
        incomeGroup = area.incomeGroup
        ldc = area.ldc
        memberCodes = area.memberCodes
    }
}

extension Isid_Indicators_V1_DataSource {
    static var shipped: Self {
        .with {
            $0.attribution = DataAttribution.text
            $0.extractDate = DataAttribution.extractDate
            $0.sources = DataAttribution.sources.map { source in
                .with {
                    $0.name = source.name
                    $0.licence = source.licence
                    $0.usedFor = source.usedFor
                }
            }
        }
    }
}
