// One tenant's use of one bounded daemon resource, read from `exoctl tenants --json`, and the
// daemon's resident memory: what the per-tenant accounting tests check and print.

import Foundation

extension TapNet {
    /// A resource's entry in `exoctl tenants --json` (`usage.RESOURCE`).
    struct Usage: CustomStringConvertible {
        var used: UInt64
        var limit: UInt64
        var refused: UInt64
        var description: String { "used \(used) of \(limit), refused \(refused)" }
    }

    static func tenantUsage(_ daemon: DaemonHarness, tenant: String, resource: String) throws -> Usage {
        let text = try DataPathTests.exoctl(daemon, ["tenants", "--json"])
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let tenants = root["tenants"] as? [[String: Any]],
            let entry = tenants.first(where: { $0["name"] as? String == tenant }),
            let usage = entry["usage"] as? [String: Any], let figures = usage[resource] as? [String: Any]
        else { throw HarnessError("no usage of \(resource) for \(tenant) in: \(text)") }
        func number(_ key: String) -> UInt64 { (figures[key] as? NSNumber)?.uint64Value ?? .max }
        return Usage(used: number("used"), limit: number("limit"), refused: number("refused"))
    }
}

extension DaemonHarness {
    /// The daemon's resident set size in KiB (`VmRSS` of /proc/PID/status).
    func residentKiB() throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            if let value = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) }) {
                return value
            }
        }
        throw HarnessError("no VmRSS for pid \(pid)")
    }
}
