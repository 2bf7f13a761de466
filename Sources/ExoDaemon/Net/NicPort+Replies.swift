// The daemon's own answers on shared addresses: ARP replies built in the reply buffer and
// ICMP echo replies built in place in the daemon's receive buffer, sent by either backend.

import ExoCore
import ExoWire
import ExoPacket

extension NicPort {
    /// Answers an ARP request for a shared address (the demultiplexer chose `.daemonARP`)
    /// with `daemonMAC`; ignores ARP replies. `frame` is borrowed for the call. Returns
    /// whether a reply was sent.
    func answerARP(_ frame: UnsafeRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let length = 14 + ARPPacket.length
        guard frame.count >= length, let from = frame.baseAddress else { return false }
        // Only the header and ARP body are copied: the request's padding is not reflected.
        let reply = UnsafeMutableRawBufferPointer(rebasing: replyBuffer[..<60])
        reply.initializeMemory(as: UInt8.self, repeating: 0)
        reply.baseAddress!.copyMemory(from: from, byteCount: length)
        guard DaemonReplies.turnIntoARPReply(reply, daemonMAC: daemonMAC) else { return false }
        return sendOne(UnsafeRawBufferPointer(reply))
    }

    /// Answers an ICMP echo request to a shared address (the demultiplexer chose `.daemonEcho`,
    /// so the frame already passed the strict parse). The reply is built in place in
    /// `rxBuffer`, which the daemon alone writes (a frame still in the packet ring is copied
    /// there first), and sent without the request's Ethernet padding. Returns whether a
    /// reply was sent.
    func answerEcho(_ source: UnsafeRawBufferPointer, daemonMAC: MACAddress) -> Bool {
        let length = source.count
        guard length <= rxBuffer.count, let from = source.baseAddress else { return false }
        if from != UnsafeRawPointer(rxBuffer.baseAddress!) {
            rxBuffer.baseAddress!.copyMemory(from: from, byteCount: length)
        }
        let frame = UnsafeMutableRawBufferPointer(rebasing: rxBuffer[..<length])
        guard DaemonReplies.turnIntoEchoReply(frame, daemonMAC: daemonMAC) else { return false }
        let total = 14 + Int(PacketBytes(unsafeBuffer: UnsafeRawBufferPointer(frame)).u16(14 + 2))
        return sendOne(UnsafeRawBufferPointer(rebasing: rxBuffer[..<min(total, length)]))
    }
}
