// The control-message target: the decoder the daemon runs on every record a peer sends.
// Property: decoding never traps, and whatever decodes is canonical.

import ExoWire

enum ControlMessageFuzzing {
    /// Decodes `bytes` as one record. A record that decodes must re-encode, in the version
    /// its header names, to exactly the same bytes: two different records never mean the
    /// same message, so no check made on one reading can be dodged by another.
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        guard let message = try? MessageCodec.decode(bytes) else { return .refused }
        guard let header = try? MessageCodec.peekHeader(bytes) else {
            throw FuzzFinding("a record decoded although its header does not")
        }
        let again: [UInt8]
        do {
            again = try MessageCodec.encode(message, version: header.version)
        } catch {
            throw FuzzFinding("a decoded \(message.kind) record does not encode again: \(error)")
        }
        guard again.elementsEqual(bytes) else {
            throw FuzzFinding("a decoded \(message.kind) record encodes to other bytes (not canonical)")
        }
        return .accepted
    }
}
