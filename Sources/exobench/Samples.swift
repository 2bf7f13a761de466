// Summaries of per-round measurements: median and spread (min, max, p10, p90), so a
// benchmark reports how stable a number is, not only its size.

/// The rates measured in each round for one measure.
struct Samples {
    var name: String
    var unit: String
    var values: [Double] = []

    /// Nearest-rank percentile of the sorted values, `p` in 0...1. Zero when empty.
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p * Double(sorted.count - 1)).rounded())
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    var median: Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
    var minimum: Double { values.min() ?? 0 }
    var maximum: Double { values.max() ?? 0 }

    var json: [String: Any] {
        ["unit": unit, "median": median, "min": minimum, "max": maximum, "p10": percentile(0.1),
         "p90": percentile(0.9), "rounds": values]
    }
}
