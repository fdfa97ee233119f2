import IndicatorsAPI
import ProgrammesAPI
import ProtoJSON
import StandardProtos

/// Every file Isid ships: the standard protos (the well-known types among them) and both APIs.
let pool: DescriptorPool = {
    do {
        return try DescriptorPool(
            files: StandardProtosDescriptors.files + IndicatorsAPIDescriptors.files + ProgrammesAPIDescriptors.files
        )
    } catch {
        fatalError("the shipped descriptors do not form a pool: \(error)")
    }
}()
