// JSON output of exoctl: the wire listings' own Encodable form (ExoWire/Listings+JSON.swift)
// with sorted keys, so the same state always prints the same bytes and scripts can rely on
// the key names (schema: docs/PROTOCOL.md). One line by default (a script reads one record
// per line, as `ip -j`), indented with --pretty.

import Foundation

enum JSONOutput {
    /// On one line, or indented when `pretty`; keys sorted, slashes unescaped.
    static func render(_ value: some Encodable, pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
