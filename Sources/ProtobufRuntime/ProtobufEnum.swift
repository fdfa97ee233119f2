/// A proto3 enum: open, so a value this code doesn't know survives decoding and re-encoding as
/// `unrecognized(Int32)` (a generated case of every conforming enum).
public protocol ProtobufEnum: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == Int32 {
    /// The proto3 default: the enum's first declared value (number 0).
    init()
}
