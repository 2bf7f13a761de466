// Encoding the daemon's own records. A record the codec refuses (a limit broken by a bug)
// must still get an answer: the peer is told the daemon failed, never left waiting.

import ExoWire

enum Records {
    static func encode(_ message: Message, version: UInt16 = WireLimits.maxVersion) -> [UInt8] {
        do {
            return try MessageCodec.encode(message, version: version)
        } catch {
            Log.error("cannot encode \(message.kind): \(error)")
            let fallback = Message.reply(id: message.requestID, .error(.internalError, detail: "reply could not be encoded"))
            // This record breaks no limit, so it always encodes.
            return (try? MessageCodec.encode(fallback, version: WireLimits.maxVersion)) ?? []
        }
    }
}
