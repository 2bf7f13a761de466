// The [metrics] table: where the Prometheus endpoint listens, how many scrapers it serves at
// once and how long one may take. Absent: no endpoint (metrics name tenants and their traffic,
// so exposing them is the operator's choice). Decoding here; ranges in checkMetrics below.

import ExoPlatform

/// The metrics endpoint's settings (`[metrics]`).
public struct MetricsConfig: Sendable, Equatable {
    /// Where `GET /metrics` is served (`metrics.listen`, `"127.0.0.1:9464"`; port 0: any free one).
    public var listen: TCPEndpoint
    /// Scrape connections open at once; more are closed as soon as they are accepted
    /// (`metrics.max_connections`).
    public var maxConnections: Int = 4
    /// How long a connection may take to send its request and take the answer before it is
    /// closed (`metrics.timeout_ms`).
    public var timeoutMilliseconds: Int = 5_000

    /// The port the documentation suggests: the OpenTelemetry Prometheus exporter's default,
    /// clear of node_exporter's 9100 and Prometheus's own 9090.
    public static let defaultPort: UInt16 = 9464

    public init(listen: TCPEndpoint) {
        self.listen = listen
    }
}

enum MetricsSection {
    static let keys = ["listen", "max_connections", "timeout_ms"]

    static func decode(_ section: TOMLSection) throws(ConfigError) -> MetricsConfig {
        try section.rejectUnknownKeys(known: keys)
        guard let text = try section.string("listen") else {
            throw section.error("listen", "missing: [metrics] needs listen = \"127.0.0.1:\(MetricsConfig.defaultPort)\" (or remove the table: no endpoint)")
        }
        guard let endpoint = TCPEndpoint(parsing: text) else {
            throw section.error("listen", "'\(text)' is not ADDRESS:PORT with a numeric IPv4 address or a bracketed IPv6 one, e.g. \"127.0.0.1:\(MetricsConfig.defaultPort)\" or \"[::1]:\(MetricsConfig.defaultPort)\"")
        }
        var config = MetricsConfig(listen: endpoint)
        if let value = try section.integer("max_connections", as: Int.self) { config.maxConnections = value }
        if let value = try section.integer("timeout_ms", as: Int.self) { config.timeoutMilliseconds = value }
        return config
    }
}

extension ConfigValidator {
    /// Connections fit in the descriptors the daemon keeps in reserve beside the pool's (64).
    static let maximumMetricsConnections = 16

    static func checkMetrics(_ c: DaemonConfig, _ findings: inout Findings) {
        guard let metrics = c.metrics else { return }
        findings.require(metrics.maxConnections, in: 1...maximumMetricsConnections, key: "metrics.max_connections")
        findings.require(metrics.timeoutMilliseconds, in: 100...60_000, key: "metrics.timeout_ms")
        if !metrics.listen.isLoopback {
            findings.warn(
                "metrics.listen",
                "\(metrics.listen) is not a loopback address: every host that reaches it reads tenant names and traffic counts (the units' IPAddressAllow=localhost also keeps other hosts out until widened)")
        }
    }
}
