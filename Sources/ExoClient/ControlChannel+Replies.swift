// Turning a delivery into the answer a typed call expects: daemon refusals become `.refused`,
// a reply of the wrong kind is a protocol violation (checked once, here, for every call),
// and descriptors on a reply that should carry none are closed and reported.

import ExoPlatform
import ExoWire

extension ControlChannel {
    /// Sends `call`'s request and returns its answer. A `.error` reply throws `.refused`; a
    /// reply of another kind, or one that carried descriptors, throws `.protocolViolation`
    /// (any descriptors are closed).
    package func call<Answer>(_ call: ControlCall<Answer>) async throws(ExoClientError) -> Answer {
        let (answer, descriptors) = try await callWithDescriptors(call)
        guard descriptors.isEmpty else {
            throw .protocolViolation("\(call.replyName) reply carried \(descriptors.count) unexpected descriptors")
        }
        return answer
    }

    /// Like `call(_:)` but hands the received descriptors to the caller, who owns them.
    package func callWithDescriptors<Answer>(
        _ call: ControlCall<Answer>
    ) async throws(ExoClientError) -> (Answer, [OwnedDescriptor]) {
        let delivery = try await exchange(call.request).get()
        if case .error(let code, let detail) = delivery.reply {
            throw .refused(code, detail: detail)
        }
        guard let answer = call.answer(delivery.reply) else {
            throw .protocolViolation("expected a \(call.replyName) reply, got \(delivery.reply)")
        }
        return (answer, delivery.descriptors)
    }
}
