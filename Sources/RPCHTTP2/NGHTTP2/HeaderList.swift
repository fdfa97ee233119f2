internal import CNGHTTP2

/// Header fields gathered for one HEADERS submission, stored in one contiguous byte array so the
/// `nghttp2_nv` array handed to nghttp2 needs a single allocation and no `String` per header.
struct HeaderList {
    private var storage: [UInt8] = []
    private var fields: [(nameStart: Int, nameLength: Int, valueStart: Int, valueLength: Int)] = []

    init(capacity: Int = 8) {
        storage.reserveCapacity(capacity * 32)
        fields.reserveCapacity(capacity)
    }

    var isEmpty: Bool { fields.isEmpty }

    mutating func add(_ name: StaticString, _ value: StaticString) {
        add(
            UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount),
            UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount)
        )
    }

    mutating func add(_ name: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { valueBytes in
            add(
                UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount),
                UnsafeRawBufferPointer(valueBytes)
            )
        }
    }

    mutating func add(_ name: String, _ value: String) {
        var name = name
        var value = value
        name.withUTF8 { nameBytes in
            value.withUTF8 { valueBytes in
                add(UnsafeRawBufferPointer(nameBytes), UnsafeRawBufferPointer(valueBytes))
            }
        }
    }

    mutating func add(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        let nameStart = storage.count
        storage.append(contentsOf: name)
        let valueStart = storage.count
        storage.append(contentsOf: value)
        fields.append((nameStart, name.count, valueStart, value.count))
    }

    /// Calls `body` with an `nghttp2_nv` array pointing into this list; the pointers live only as long
    /// as the call, which is all nghttp2 needs since it copies headers when they are submitted.
    func withNameValuePairs<Result>(_ body: (UnsafePointer<nghttp2_nv>, Int) -> Result) -> Result {
        storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeMutablePointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!)
            return withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(fields.count, 1)) { nvs in
                for (index, field) in fields.enumerated() {
                    nvs[index] = nghttp2_nv(
                        name: base + field.nameStart,
                        value: base + field.valueStart,
                        namelen: field.nameLength,
                        valuelen: field.valueLength,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
                    )
                }
                return body(UnsafePointer(nvs.baseAddress!), fields.count)
            }
        }
    }
}
