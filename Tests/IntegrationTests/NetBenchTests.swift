// The network benchmarks run end to end (no timing asserted): `exobench udp-rate --smoke`
// delivers packets on every path and removes its namespaces and links; `exobench demux` runs.

import Foundation
import Glibc
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces, veth and TAP devices"))
struct NetBenchTests {
    @Test func udpRateSmokeDeliversOnEveryPathAndCleansUp() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["udp-rate", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path],
            timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == ["kernel", "exokernel", "vde"])
        for (name, path) in paths {
            let received = (path["packetsReceived"] as? NSNumber)?.intValue ?? 0
            let offered = ((path["offered"] as? [String: Any])?["median"] as? NSNumber)?.doubleValue ?? 0
            #expect(received > 0, "\(name) delivered nothing: \(path)")
            #expect(offered > 0, "\(name) offered nothing: \(path)")
        }
        let ratio = (paths["exokernel"]?["ratioToKernel"] as? NSNumber)?.doubleValue ?? 0
        #expect(ratio > 0)
        // Everything the run created carries its pid: none of it may remain.
        let pid = try #require((object["pid"] as? NSNumber)?.intValue)
        let namespaces = try runCommand("/usr/sbin/ip", ["netns", "list"]).stdout
        let links = try runCommand("/usr/sbin/ip", ["-br", "link"]).stdout
        #expect(!namespaces.contains("exb\(pid)"), "left behind: \(namespaces)")
        #expect(!links.contains("exb\(pid)"), "left behind: \(links)")
    }

    @Test func demuxClassifiesEverySizeAndReportsTheRatio() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["demux", "--frames", "256", "--passes", "2", "--rounds", "1", "--json"],
            timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let measures = try #require(object["measures"] as? [[String: Any]])
        #expect(measures.count == 6)
        #expect(Set(measures.compactMap { ($0["bindings"] as? NSNumber)?.intValue }) == [1, 100, 10_000])
        for measure in measures { #expect(((measure["median"] as? NSNumber)?.doubleValue ?? 0) > 0) }
        let ratios = try #require(object["ratios"] as? [String: Double])
        #expect(ratios.keys.sorted() == ["hits10000Over1", "misses10000Over1"])
    }
}
