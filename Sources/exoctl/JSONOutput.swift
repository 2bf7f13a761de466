// JSON output of exoctl: Foundation objects serialised with sorted keys, so the same state
// always prints the same bytes and scripts can rely on the key names.

import ExoWire
import Foundation

enum JSONOutput {
    /// Pretty-printed, keys sorted, slashes unescaped.
    static func render(_ object: Any) -> String {
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: options) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func status(_ s: StatusInfo) -> [String: Any] {
        [
            "daemonVersion": s.daemonVersion, "protocolVersion": Int(s.protocolVersion), "pid": Int(s.pid),
            "uptimeSeconds": NSNumber(value: s.uptimeSeconds), "poolFrames": Int(s.poolFrames),
            "frameSize": Int(s.frameSize), "freeFrames": Int(s.freeFrames),
            "tenantsConfigured": Int(s.tenantsConfigured), "sessions": Int(s.sessions),
            "holdings": Int(s.holdings), "outstandingTokens": Int(s.outstandingTokens),
        ]
    }

    static func tenant(_ t: TenantInfo) -> [String: Any] {
        [
            "id": Int(t.id), "name": t.name, "frameQuota": Int(t.frameQuota), "framesHeld": Int(t.framesHeld),
            "sessions": Int(t.sessions), "uids": t.uids.map { Int($0) },
            "usage": Dictionary(uniqueKeysWithValues: t.usage.map { u in
                (u.resource, [
                    "used": NSNumber(value: u.used), "limit": NSNumber(value: u.limit),
                    "refused": NSNumber(value: u.refused),
                ] as [String: Any])
            }),
        ]
    }

    static func frame(_ f: FrameInfo) -> [String: Any] {
        [
            "frame": Int(f.frame), "epoch": NSNumber(value: f.epoch), "inFlight": Int(f.inFlight),
            "holders": f.holders.map { h -> [String: Any] in
                [
                    "tenant": h.tenantName, "tenantID": Int(h.tenant), "session": NSNumber(value: h.session),
                    "holding": NSNumber(value: h.holding), "rights": h.rights.description,
                ]
            },
        ]
    }

    static func capability(_ c: CapabilityInfo) -> [String: Any] {
        [
            "tokenID": NSNumber(value: c.tokenID), "frame": Int(c.frame), "rights": c.rights.description,
            "issuerTenant": c.issuerTenant, "issuerHolding": NSNumber(value: c.issuerHolding),
            "audienceTenant": c.audienceTenant,
        ]
    }
}
