// The recognisable content frames-demo writes into each frame: a readable line naming the
// frame and tenant, then bytes derived from the frame number, so a reader can check them.

import ExOS

enum Pattern {
    /// Byte `index` of frame `frame` written by `tenant`.
    static func bytes(frame: UInt32, tenant: String, length: Int) -> [UInt8] {
        var out = Array("frames-demo frame \(frame) tenant \(tenant)\n".utf8.prefix(length))
        out.reserveCapacity(length)
        while out.count < length {
            out.append(UInt8(truncatingIfNeeded: out.count &* 7 &+ Int(frame)))
        }
        return out
    }

    /// The first `count` bytes of a mapped frame: hex, then the printable prefix.
    static func describePrefix(of frame: MappedFrame, count: Int = 48) -> String {
        frame.withUnsafeBytes { raw in
            let prefix = Array(raw.prefix(count))
            let text = String(decoding: prefix.prefix { $0 >= 0x20 && $0 < 0x7f }, as: UTF8.self)
            return "\(Hex.encode(prefix)) \"\(text)\""
        }
    }
}
