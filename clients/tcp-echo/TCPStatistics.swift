// tcp-echo's statistics line: what the stack's TCP did and every drop by reason, as
// `name=value` words so an operator can read it and a test can parse it.

import ExOS

/// One line: `segments.received=… segments.sent=… … drops: tcp.badChecksum=… …` (the drops
/// that are not zero, of every layer, or `drops: none`).
func describe(_ counters: StackCounters) -> String {
    let tcp = counters.tcp
    let fields: [(String, UInt64)] = [
        ("frames.received", counters.framesReceived), ("frames.sent", counters.framesTransmitted),
        ("segments.received", tcp.segmentsReceived), ("segments.sent", tcp.segmentsSent),
        ("opens.passive", tcp.passiveOpens), ("opens.active", tcp.activeOpens),
        ("synCookies.sent", tcp.synCookiesSent), ("synCookies.accepted", tcp.synCookiesAccepted),
        ("challengeAcks", tcp.challengeAcks), ("challengeAcks.limited", tcp.challengeAcksLimited),
        ("resets.received", tcp.resetsReceived),
        ("resets.sent", tcp.resetsSent), ("outOfOrder", tcp.outOfOrderSegments),
        ("urgentIgnored", tcp.urgentIgnored), ("retransmits", tcp.retransmittedSegments),
        ("timeouts", tcp.timeouts), ("timeWait.reused", tcp.timeWaitReused),
        ("timeWait.recycled", tcp.timeWaitRecycled),
        ("orphans.dropped", tcp.orphansDropped),
    ]
    let drops = DropReason.allCases.filter { counters[$0] > 0 }.map { "\($0.name)=\(counters[$0])" }
    return fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + " drops: "
        + (drops.isEmpty ? "none" : drops.joined(separator: " "))
}
