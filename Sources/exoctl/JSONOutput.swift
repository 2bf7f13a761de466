// JSON output of exoctl: the wire listings' own Encodable form (ExoWire/Listings+JSON.swift)
// with sorted keys, so the same state always prints the same bytes and scripts can rely on
// the key names (schema: docs/PROTOCOL.md).

import Foundation

enum JSONOutput {
    /// Pretty-printed, keys sorted, slashes unescaped.
    static func render(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
