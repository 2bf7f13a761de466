// How operators write impairment numbers on a command line ("10%", "0.5ms", "10M"), turned
// into the wire's integers: shared by exoctl and anything else that sets impairments.

import ExoWire

/// Parsers for `exoctl impair`'s values; nil for text that is not one.
public enum ImpairmentArguments {
    /// A percentage ("10", "10%", "0.5%") as parts per million; nil outside 0...100.
    public static func ppm(_ text: String) -> UInt32? {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let percent = Double(number), percent.isFinite, percent >= 0, percent <= 100 else { return nil }
        return UInt32((percent * 10_000).rounded())
    }

    /// A duration ("20ms", "500us", "1s", "250ns"; a bare number is milliseconds) in nanoseconds.
    public static func nanoseconds(_ text: String) -> UInt64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000)]
        var scale = 1_000_000.0
        var number = Substring(text)
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            scale = factor
            number = text.dropLast(suffix.count)
            break
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let nanoseconds = value * scale
        guard nanoseconds < 1.8e19 else { return nil }
        return UInt64(nanoseconds.rounded())
    }

    /// A rate in bits per second ("1000000", "100k", "10M", "1G").
    public static func bitsPerSecond(_ text: String) -> UInt64? {
        let scales: [Character: Double] = ["k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9]
        var scale = 1.0
        var number = Substring(text)
        if let last = text.last, let factor = scales[last] {
            scale = factor
            number = text.dropLast()
        }
        guard let value = Double(number), value.isFinite, value >= 0, value * scale < 1.8e19 else { return nil }
        return UInt64((value * scale).rounded())
    }

    /// Gilbert–Elliott burst loss "ENTER,LEAVE[,LOSS_GOOD,LOSS_BAD]" in percent (loss in the
    /// bad state 100% and in the good state 0% unless given) into `profile`.
    public static func burst(_ text: String, into profile: inout WireImpairmentProfile) -> Bool {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { ppm(String($0)) }
        guard parts.count == 2 || parts.count == 4, parts.allSatisfy({ $0 != nil }) else { return false }
        profile.burstEnterPPM = parts[0]!
        profile.burstLeavePPM = parts[1]!
        profile.burstLossGoodPPM = parts.count == 4 ? parts[2]! : 0
        profile.burstLossBadPPM = parts.count == 4 ? parts[3]! : WireImpairmentProfile.million
        return true
    }
}
