// One wrk run's numbers, from the line its Lua `done` hook prints (wrk's own text output
// rounds and changes units; the hook gives exact counts and microseconds).

/// What wrk measured in one run.
struct WrkResult {
    var requests: Double
    var seconds: Double
    var bytes: Double
    /// Socket errors (connect, read, write, timeout) and HTTP statuses over 399.
    var socketErrors: Double
    var statusErrors: Double
    var meanMicroseconds: Double
    var p50Microseconds: Double
    var p90Microseconds: Double
    var p99Microseconds: Double
    var maxMicroseconds: Double

    var requestsPerSecond: Double { seconds > 0 ? requests / seconds : 0 }
    var megabytesPerSecond: Double { seconds > 0 ? bytes / seconds / 1e6 : 0 }

    /// The Lua script wrk runs (`-s`): prints one `wrk-result key=value ...` line at the end.
    static let script = """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format(
            "wrk-result requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d timeout=%d status=%d " ..
            "mean_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d\\n",
            summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
            latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
        end
        """

    /// Parses the hook's line; nil if `line` is not one (or lacks a field).
    init?(line: String) {
        guard line.hasPrefix("wrk-result ") else { return nil }
        var fields: [String: Double] = [:]
        for word in line.split(separator: " ").dropFirst() {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Double(parts[1]) else { return nil }
            fields[String(parts[0])] = value
        }
        let keys = ["requests", "duration_us", "bytes", "connect", "read", "write", "timeout", "status", "mean_us",
                    "p50_us", "p90_us", "p99_us", "max_us"]
        guard keys.allSatisfy({ fields[$0] != nil }) else { return nil }
        func field(_ key: String) -> Double { fields[key] ?? 0 }
        requests = field("requests")
        seconds = field("duration_us") / 1e6
        bytes = field("bytes")
        socketErrors = field("connect") + field("read") + field("write") + field("timeout")
        statusErrors = field("status")
        meanMicroseconds = field("mean_us")
        p50Microseconds = field("p50_us")
        p90Microseconds = field("p90_us")
        p99Microseconds = field("p99_us")
        maxMicroseconds = field("max_us")
    }
}
