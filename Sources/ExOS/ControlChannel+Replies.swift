// Turning a delivery into the reply a caller expects: daemon refusals become `.refused`,
// and descriptors on a reply that should carry none are closed and reported.

import ExoWire

extension ControlChannel {
    /// Sends `request`; returns its reply. A `.error` reply throws `.refused`; a reply that
    /// carried descriptors throws `.protocolViolation` (the descriptors are closed).
    func request(_ request: Request) async throws(ExOSError) -> Reply {
        let delivery = try await requestWithDescriptors(request)
        guard delivery.descriptors.isEmpty else {
            throw .protocolViolation("reply carried \(delivery.descriptors.count) unexpected descriptors")
        }
        return delivery.reply
    }

    /// Like `request(_:)` but hands the received descriptors to the caller, who owns them.
    func requestWithDescriptors(_ request: Request) async throws(ExOSError) -> ChannelDelivery {
        let delivery = try await call(request).get()
        if case .error(let code, let detail) = delivery.reply {
            throw .refused(code, detail: detail)
        }
        return delivery
    }
}

extension ExOSError {
    /// The daemon answered with a reply of the wrong kind.
    static func unexpectedReply(_ reply: Reply, expected: String) -> ExOSError {
        .protocolViolation("expected a \(expected) reply, got \(reply)")
    }
}
