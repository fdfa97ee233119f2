internal import CNGHTTP2

/// A failure reported by nghttp2, classified once here (ARCHITECTURE §3 "Classify C errors once").
struct HTTP2Error: Error, CustomStringConvertible {
    let code: Int32
    /// Whether nghttp2 says the session can no longer be used (`nghttp2_is_fatal`).
    let isFatal: Bool

    var description: String {
        "nghttp2 error \(code): \(String(cString: nghttp2_strerror(code)))"
    }

    /// Maps an nghttp2 return code: success passes through, out-of-memory traps (nothing sensible can
    /// follow), anything else becomes an error that says whether the connection must end.
    @discardableResult
    static func check<Code: BinaryInteger>(_ result: Code) throws(HTTP2Error) -> Code {
        guard result < 0 else { return result }
        let code = Int32(truncatingIfNeeded: result)
        if code == NGHTTP2_ERR_NOMEM.rawValue {
            preconditionFailure("nghttp2 ran out of memory")
        }
        throw HTTP2Error(code: code, isFatal: nghttp2_is_fatal(code) != 0)
    }
}

/// HTTP/2 error codes (RFC 9113 §7) used in RST_STREAM and GOAWAY.
enum HTTP2ErrorCode {
    static let noError = UInt32(NGHTTP2_NO_ERROR.rawValue)
    static let protocolError = UInt32(NGHTTP2_PROTOCOL_ERROR.rawValue)
    static let internalError = UInt32(NGHTTP2_INTERNAL_ERROR.rawValue)
    static let flowControlError = UInt32(NGHTTP2_FLOW_CONTROL_ERROR.rawValue)
    static let refusedStream = UInt32(NGHTTP2_REFUSED_STREAM.rawValue)
    static let cancel = UInt32(NGHTTP2_CANCEL.rawValue)
    static let enhanceYourCalm = UInt32(NGHTTP2_ENHANCE_YOUR_CALM.rawValue)
}
