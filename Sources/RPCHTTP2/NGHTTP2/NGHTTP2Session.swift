internal import CNGHTTP2
import NIOCore

/// Owns one `nghttp2_session` (server or client side) and is the only Swift that calls into it.
///
/// It lives on its connection's event loop and is used from there only. The session pointer is
/// deleted in `deinit`; nghttp2 never calls back after that because only `receive`, `drainOutput`
/// and the `submit…` methods make it call back, and they are not called after the owner is gone.
final class NGHTTP2Session {
    enum Role { case server, client }

    struct Settings {
        /// The SETTINGS_MAX_CONCURRENT_STREAMS the peer is told.
        var maxConcurrentStreams: UInt32
        /// The limit nghttp2 itself enforces, when the owner counts streams and refuses those beyond
        /// `maxConcurrentStreams` itself (see `submitSettings`); nil to let nghttp2 enforce the advertised one.
        var sessionMaxConcurrentStreams: UInt32? = nil
        var initialWindowSize: UInt32
        var maxHeaderListSize: UInt32
        var maxFrameSize: UInt32
        /// The connection-level receive window we announce with a WINDOW_UPDATE on stream 0.
        var connectionWindowSize: Int32
    }

    private let session: OpaquePointer
    /// Not retained: the delegate owns this session and outlives every call into it.
    unowned(unsafe) let delegate: any NGHTTP2SessionDelegate
    private let allocator: ByteBufferAllocator

    /// The SETTINGS_MAX_CONCURRENT_STREAMS to write into our SETTINGS frame in place of nghttp2's, until
    /// that frame has been drained.
    private var advertisedMaxConcurrentStreams: UInt32?

    /// The buffer being fed to `mem_recv`, so DATA payloads that point into it are sliced, not copied.
    private var currentInput: ByteBuffer?
    private var currentInputBase: UnsafeRawPointer?

    init(role: Role, delegate: any NGHTTP2SessionDelegate, allocator: ByteBufferAllocator) {
        self.delegate = delegate
        self.allocator = allocator
        var created: OpaquePointer?
        let box = SessionBox()
        withSessionCallbacks { callbacks in
            withSessionOptions { options in
                let userData = Unmanaged.passUnretained(box).toOpaque()
                let rc: Int32
                switch role {
                case .server: rc = nghttp2_session_server_new2(&created, callbacks, userData, options)
                case .client: rc = nghttp2_session_client_new2(&created, callbacks, userData, options)
                }
                precondition(rc == 0 && created != nil, "nghttp2 session creation failed: \(rc)")
            }
        }
        self.session = created!
        self.box = box
        box.session = self
    }

    /// nghttp2's user_data: a stable object whose address we can hand to C before `self` is complete.
    private let box: SessionBox

    deinit {
        nghttp2_session_del(session)
    }

    // MARK: Input and output

    /// Feeds received bytes to nghttp2, which calls the delegate for each event they complete.
    func receive(_ buffer: ByteBuffer) throws(HTTP2Error) {
        let result = buffer.withUnsafeReadableBytes { bytes -> Int in
            currentInput = buffer
            currentInputBase = bytes.baseAddress
            defer {
                currentInput = nil
                currentInputBase = nil
            }
            return nghttp2_session_mem_recv(
                session,
                bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                bytes.count
            )
        }
        try HTTP2Error.check(result)
    }

    /// Appends what nghttp2 has ready to send to `output`, until it has nothing more or `output` holds
    /// `limit` bytes or more (each step adds at most a frame, so it overshoots by less than one); returns
    /// whether it stopped at the limit, with more possibly left to send.
    @discardableResult
    func drainOutput(into output: inout ByteBuffer, limit: Int = .max) throws(HTTP2Error) -> Bool {
        while output.readableBytes < limit {
            var chunk: UnsafePointer<UInt8>?
            let length = try HTTP2Error.check(nghttp2_session_mem_send(session, &chunk))
            guard length > 0, let chunk else { return false }
            // The chunk is valid only until the next call into the session: copy it now.
            let start = output.writerIndex
            output.writeBytes(UnsafeRawBufferPointer(start: chunk, count: length))
            if let advertised = advertisedMaxConcurrentStreams,
                Self.rewriteMaxConcurrentStreams(in: &output, from: start, to: advertised)
            {
                advertisedMaxConcurrentStreams = nil
            }
        }
        return true
    }

    var wantsRead: Bool { nghttp2_session_want_read(session) != 0 }
    var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    /// Turns a DATA payload pointer into a ByteBuffer, slicing the input when the pointer lies in it.
    fileprivate func dataBuffer(_ pointer: UnsafePointer<UInt8>, count: Int) -> ByteBuffer {
        if let input = currentInput, let base = currentInputBase {
            let offset = UnsafeRawPointer(pointer) - base
            if offset >= 0, offset + count <= input.readableBytes,
                let slice = input.getSlice(at: input.readerIndex + offset, length: count)
            {
                return slice
            }
        }
        var copy = allocator.buffer(capacity: count)
        copy.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
        return copy
    }

    // MARK: Submissions

    /// Submits our SETTINGS and opens the connection window.
    ///
    /// With `sessionMaxConcurrentStreams`, nghttp2 is given that (larger) limit and the frame on the wire
    /// carries `maxConcurrentStreams`: nghttp2 1.52 ends the whole connection (GOAWAY PROTOCOL_ERROR)
    /// when a peer exceeds an acknowledged limit, where RFC 9113 §5.1.2 asks for a stream error, and it
    /// has no option to change that. The owner then counts streams and refuses the extra ones itself
    /// (`sessionBeginHeaders` returning false: RST_STREAM(REFUSED_STREAM)). nghttp2 reads no other
    /// meaning into its local value, and the value is only ever written into this one frame.
    func submitSettings(_ settings: Settings) throws(HTTP2Error) {
        if let sessionLimit = settings.sessionMaxConcurrentStreams, sessionLimit != settings.maxConcurrentStreams {
            advertisedMaxConcurrentStreams = settings.maxConcurrentStreams
        }
        let entries: [nghttp2_settings_entry] = [
            .init(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: settings.sessionMaxConcurrentStreams ?? settings.maxConcurrentStreams
            ),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
            .init(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue),
                value: settings.maxHeaderListSize
            ),
            .init(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: settings.maxFrameSize),
        ]
        try HTTP2Error.check(
            nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), entries, entries.count)
        )
        try HTTP2Error.check(
            nghttp2_session_set_local_window_size(
                session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                0,
                settings.connectionWindowSize
            )
        )
    }

    /// Writes `value` into the SETTINGS_MAX_CONCURRENT_STREAMS entry of a non-ACK SETTINGS frame among
    /// the frames written to `output` from `start`; returns whether it found one.
    private static func rewriteMaxConcurrentStreams(
        in output: inout ByteBuffer,
        from start: Int,
        to value: UInt32
    ) -> Bool {
        let frameHeaderLength = 9
        let entryLength = 6
        var frame = start
        while frame + frameHeaderLength <= output.writerIndex {
            let length = Int(output.getInteger(at: frame, as: UInt32.self)! >> 8)
            let type = output.getInteger(at: frame + 3, as: UInt8.self)!
            let flags = output.getInteger(at: frame + 4, as: UInt8.self)!
            if UInt32(type) == NGHTTP2_SETTINGS.rawValue && flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) == 0 {
                var entry = frame + frameHeaderLength
                while entry + entryLength <= frame + frameHeaderLength + length {
                    let id = output.getInteger(at: entry, as: UInt16.self)!
                    if Int32(id) == NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue {
                        output.setInteger(value, at: entry + 2)
                        return true
                    }
                    entry += entryLength
                }
            }
            frame += frameHeaderLength + length
        }
        return false
    }

    /// Submits response headers; with `hasBody`, nghttp2 pulls DATA later through `sessionReadData`.
    func submitResponse(streamID: Int32, headers: HeaderList, hasBody: Bool) throws(HTTP2Error) {
        let rc = headers.withNameValuePairs { nva, count in
            if hasBody {
                var provider = Self.dataProvider
                return nghttp2_submit_response(session, streamID, nva, count, &provider)
            }
            return nghttp2_submit_response(session, streamID, nva, count, nil)
        }
        try HTTP2Error.check(rc)
    }

    /// Submits a request on a new stream; returns its id. The body is pulled through `sessionReadData`.
    func submitRequest(headers: HeaderList) throws(HTTP2Error) -> Int32 {
        let rc = headers.withNameValuePairs { nva, count in
            var provider = Self.dataProvider
            return nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        return try HTTP2Error.check(rc)
    }

    /// Submits trailers (HEADERS with END_STREAM). Allowed from inside `sessionReadData`.
    func submitTrailers(streamID: Int32, headers: HeaderList) throws(HTTP2Error) {
        let rc = headers.withNameValuePairs { nva, count in
            nghttp2_submit_trailer(session, streamID, nva, count)
        }
        try HTTP2Error.check(rc)
    }

    func resumeData(streamID: Int32) {
        // Fails only when the stream is gone or not deferred; both mean there is nothing to resume.
        _ = nghttp2_session_resume_data(session, streamID)
    }

    func submitReset(streamID: Int32, errorCode: UInt32) {
        // Fails only for a stream nghttp2 no longer knows, which needs no reset.
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// Tells nghttp2 the application has consumed `count` bytes of a stream's DATA, so it may reopen
    /// the flow-control windows (we turn automatic window updates off to get backpressure).
    func consume(streamID: Int32, count: Int) {
        guard count > 0 else { return }
        _ = nghttp2_session_consume(session, streamID, count)
    }

    func submitShutdownNotice() {
        _ = nghttp2_submit_shutdown_notice(session)
    }

    func submitGoAway(errorCode: UInt32) {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode, nil, 0)
    }

    func submitPing(opaqueData: UInt64) {
        var data = opaqueData.bigEndian
        withUnsafeBytes(of: &data) { bytes in
            _ = nghttp2_submit_ping(
                session,
                UInt8(NGHTTP2_FLAG_NONE.rawValue),
                bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            )
        }
    }

    private static let dataProvider = nghttp2_data_provider(
        source: nghttp2_data_source(ptr: nil),
        read_callback: { _, streamID, buffer, length, flags, _, userData in
            let owner = SessionBox.owner(userData)
            let target = UnsafeMutableRawBufferPointer(start: buffer, count: length)
            switch owner.delegate.sessionReadData(streamID: streamID, into: target) {
            case .bytes(let count):
                return count
            case .endOfStream(let count):
                flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                return count
            case .endOfDataBeforeTrailers(let count):
                flags!.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                return count
            case .deferred:
                return ssize_t(NGHTTP2_ERR_DEFERRED.rawValue)
            }
        }
    )
}

/// nghttp2's `user_data`: points back at the session wrapper (unowned: the wrapper owns the C session
/// whose callbacks read it, so it is alive whenever they run).
private final class SessionBox {
    unowned(unsafe) var session: NGHTTP2Session!

    static func owner(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2Session {
        Unmanaged<SessionBox>.fromOpaque(userData!).takeUnretainedValue().session
    }
}

// MARK: - Callbacks and options

/// Builds the callbacks table for the duration of `body`; nghttp2 copies it into each session.
private func withSessionCallbacks(_ body: (OpaquePointer) -> Void) {
    var callbacks: OpaquePointer?
    precondition(nghttp2_session_callbacks_new(&callbacks) == 0, "nghttp2 out of memory")
    defer { nghttp2_session_callbacks_del(callbacks) }

    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
        let streamID = frame!.pointee.hd.stream_id
        let owner = SessionBox.owner(userData)
        let isRequest = frame!.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
        guard owner.delegate.sessionBeginHeaders(streamID: streamID, isRequest: isRequest) else {
            // Our RST_STREAM goes first; nghttp2 then skips its own (INTERNAL_ERROR) for a closing stream
            // and still decodes the header block, keeping HPACK in step.
            owner.submitReset(streamID: streamID, errorCode: HTTP2ErrorCode.refusedStream)
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
        }
        return 0
    }
    nghttp2_session_callbacks_set_on_header_callback(callbacks) {
        _,
        frame,
        name,
        nameLength,
        value,
        valueLength,
        _,
        userData in
        let accepted = SessionBox.owner(userData).delegate.sessionHeader(
            streamID: frame!.pointee.hd.stream_id,
            name: UnsafeRawBufferPointer(start: name, count: nameLength),
            value: UnsafeRawBufferPointer(start: value, count: valueLength)
        )
        return accepted ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
    }
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
        let header = frame!.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        let kind: ReceivedFrame.Kind
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            kind = .headers
        case NGHTTP2_DATA.rawValue:
            kind = .data
        case NGHTTP2_GOAWAY.rawValue:
            let goAway = frame!.pointee.goaway
            kind = .goAway(lastStreamID: goAway.last_stream_id, errorCode: goAway.error_code)
        case NGHTTP2_PING.rawValue where header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0:
            let data = frame!.pointee.ping.opaque_data
            let value = withUnsafeBytes(of: data) { $0.loadUnaligned(as: UInt64.self) }
            kind = .pingAck(opaqueData: UInt64(bigEndian: value))
        default:
            kind = .other
        }
        SessionBox.owner(userData).delegate.sessionFrameReceived(
            ReceivedFrame(kind: kind, streamID: header.stream_id, endStream: endStream)
        )
        return 0
    }
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
        let owner = SessionBox.owner(userData)
        owner.delegate.sessionData(streamID: streamID, bytes: owner.dataBuffer(data!, count: length))
        return 0
    }
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { session, frame, userData in
        let header = frame!.pointee.hd
        let type = UInt32(header.type)
        guard type == NGHTTP2_HEADERS.rawValue || type == NGHTTP2_DATA.rawValue,
            header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
            nghttp2_session_get_stream_remote_close(session, header.stream_id) == 0
        else { return 0 }
        SessionBox.owner(userData).delegate.sessionEndedStreamBeforePeer(streamID: header.stream_id)
        return 0
    }
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
        SessionBox.owner(userData).delegate.sessionStreamClosed(streamID: streamID, errorCode: errorCode)
        return 0
    }
    body(callbacks!)
}

/// Builds the session options for the duration of `body`; nghttp2 copies them into the session.
private func withSessionOptions(_ body: (OpaquePointer) -> Void) {
    var options: OpaquePointer?
    precondition(nghttp2_option_new(&options) == 0, "nghttp2 out of memory")
    defer { nghttp2_option_del(options) }
    // We call nghttp2_session_consume as the application takes messages, so a slow reader
    // stops the peer through flow control instead of making us buffer.
    nghttp2_option_set_no_auto_window_update(options, 1)
    // Rapid Reset (CVE-2023-44487): at most a burst of 1000 resets, refilled at 33 per second,
    // nghttp2's own defaults since 1.57, set explicitly because Debian backports the option.
    nghttp2_option_set_stream_reset_rate_limit(options, 1000, 33)
    body(options!)
}
