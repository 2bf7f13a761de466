// The control requests' latency histogram in the text format. The loop counts into fixed
// buckets as it serves (ControlRequestTally); swift-prometheus's histograms only take single
// observations, so this family is written here from those buckets at scrape time, after the
// registry's families, in the same format.

/// Renders `exokernel_control_request_duration_seconds`.
enum ControlHistogramText {
    /// The bucket bounds as `le` values, in seconds.
    static let bounds: [String] = ControlRequestTally.boundsNanoseconds.map { "\(Double($0) / 1e9)" } + ["+Inf"]

    /// Appends the family: HELP and TYPE, then for each kind served at least once its
    /// cumulative buckets, its sum (seconds) and its count. A kind never served has no series.
    static func append(_ tally: ControlRequestTally, to buffer: inout [UInt8]) {
        let family = MetricFamily.controlRequestDuration
        var text = "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) histogram\n"
        for slot in 0..<ControlRequestTally.slotCount {
            let cumulative = tally.cumulativeBuckets(slot: slot)
            guard let count = cumulative.last, count > 0 else { continue }
            let kind = ControlRequestTally.label(of: slot)
            for (le, value) in zip(bounds, cumulative) {
                text += "\(family.name)_bucket{kind=\"\(kind)\",le=\"\(le)\"} \(value)\n"
            }
            text += "\(family.name)_sum{kind=\"\(kind)\"} \(Double(tally.sumNanoseconds[slot]) / 1e9)\n"
            text += "\(family.name)_count{kind=\"\(kind)\"} \(count)\n"
        }
        buffer.append(contentsOf: text.utf8)
    }
}
