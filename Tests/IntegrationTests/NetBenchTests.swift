// The network benchmarks end to end (no timing asserted): `udp-rate --smoke` delivers on every
// path in both directions and scrapes the daemon's metrics beside it (`--scrape-every`),
// `udp-rtt --smoke` echoes on every path, `tcp-bulk --smoke` moves bytes both ways on every
// path, `tcp-rr --smoke` makes transactions and connections from the kernel and from ExOS;
// none leaves links; `demux` runs with and without filters.

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
        // The daemon's counters, read after the exokernel phase, agree with the sink's count:
        // every frame the sink counted was read by the daemon and published on its rx ring.
        let run = try #require((paths["exokernel"]?["runs"] as? [[String: Any]])?.first)
        let counters = try #require(run["daemonCounters"] as? [String: Any], "no daemon counters: \(run)")
        func count(_ key: String) -> Int { (counters[key] as? NSNumber)?.intValue ?? -1 }
        let sinkCount = (run["received"] as? NSNumber)?.intValue ?? 0
        #expect(count("tenantReceived") >= sinkCount && sinkCount > 0, "\(counters), sink \(sinkCount)")
        #expect(count("daemonReceived") >= count("tenantReceived"), "\(counters)")
        let places = try #require(paths["exokernel"]?["lossByPlace"] as? [String: Any])
        #expect(Set(places.keys) == ["linkDropped", "packetRingFull", "otherNicDrops", "noFillFrame", "rxRingFull", "elsewhere"])
        try expectNothingLeftBehind(object)
    }

    @Test func udpRateTransmitSmokeDeliversFromTheKernelAndFromAnExOSSender() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"),
            ["udp-rate", "--direction", "tx", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path], timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        #expect(object["direction"] as? String == "tx")
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == ["kernel", "exokernel"])
        for (name, path) in paths {
            #expect(((path["packetsReceived"] as? NSNumber)?.intValue ?? 0) > 0, "\(name) delivered nothing: \(path)")
        }
        #expect(((paths["exokernel"]?["ratioToKernel"] as? NSNumber)?.doubleValue ?? 0) > 0)
        try expectNothingLeftBehind(object)
    }

    @Test func udpRateSmokeScrapesTheDaemonsMetricsWhileTheExokernelPathSends() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"),
            ["udp-rate", "--paths", "exokernel", "--scrape-every", "50", "--smoke", "--json", "--bin-dir",
                BuildProducts.directory.path], timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        #expect((object["scrapeEveryMilliseconds"] as? NSNumber)?.intValue == 50)
        let path = try #require((object["paths"] as? [String: [String: Any]])?["exokernel"])
        #expect(((path["packetsReceived"] as? NSNumber)?.intValue ?? 0) > 0, "\(path)")
        // Half a second of sending at one scrape per 50 ms: whole answers, none failed (how many
        // depends on how fast a debug daemon busy with the stream answers, so only "some").
        #expect(((path["scrapesDone"] as? NSNumber)?.intValue ?? 0) >= 1, "\(path)")
        #expect((path["scrapesFailed"] as? NSNumber)?.intValue == 0, "\(path)")
        try expectNothingLeftBehind(object)
    }

    @Test func udpRTTSmokeEchoesOnEveryPathAndCleansUp() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["udp-rtt", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path],
            timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let paths = try #require(object["paths"] as? [String: [String: Any]])
        #expect(Set(paths.keys) == ["kernel", "exokernel-sleep", "exokernel-busy", "vde"])
        for (name, path) in paths {
            let p50 = ((path["p50"] as? [String: Any])?["median"] as? NSNumber)?.doubleValue ?? 0
            let rate = ((path["tripsPerSecond"] as? [String: Any])?["median"] as? NSNumber)?.doubleValue ?? 0
            #expect(p50 > 0 && rate > 0, "\(name) made no round trip: \(path)")
            #expect(((path["p50RatioToKernel"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(name): \(path)")
        }
        #expect(object["loadAverageBefore"] as? String != nil)
        try expectNothingLeftBehind(object)
    }

    @Test func tcpBulkSmokeMovesBytesBothWaysOnEveryPathAndCleansUp() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["tcp-bulk", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path],
            timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let directions = try #require(object["directions"] as? [String: [String: Any]])
        #expect(Set(directions.keys) == ["tx", "rx"])
        for (direction, entry) in directions {
            let paths = try #require(entry["paths"] as? [String: [String: Any]])
            #expect(Set(paths.keys) == ["kernel", "exokernel", "vde"])
            for (name, path) in paths {
                #expect(((path["median"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(direction) \(name) moved nothing: \(path)")
            }
            let ratios = try #require(entry["ratios"] as? [String: Double])
            #expect(Set(ratios.keys) == ["exokernelOverKernel", "exokernelOverVde"])
            #expect(ratios.values.allSatisfy { $0 > 0 }, "\(direction): \(ratios)")
        }
        #expect(object["loadAverageBefore"] as? String != nil)
        try expectNothingLeftBehind(object)
    }

    @Test func tcpRRSmokeMakesTransactionsAndConnectionsFromKernelAndExOSAndCleansUp() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["tcp-rr", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path],
            timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        #expect(object["exosSide"] as? String == "client")
        let measures = try #require(object["measures"] as? [String: [String: Any]])
        #expect(Set(measures.keys) == ["rr", "cps"])
        for (measure, entry) in measures {
            let paths = try #require(entry["paths"] as? [String: [String: Any]])
            #expect(Set(paths.keys) == ["kernel", "exokernel"])
            for (name, path) in paths {
                #expect(((path["median"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(measure) \(name): \(path)")
            }
            #expect(((entry["exokernelOverKernel"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(measure): \(entry)")
        }
        try expectNothingLeftBehind(object)
    }

    /// Everything a run created carries its pid: none of it may remain.
    private func expectNothingLeftBehind(_ object: [String: Any]) throws {
        let pid = try #require((object["pid"] as? NSNumber)?.intValue)
        let namespaces = try runCommand("/usr/sbin/ip", ["netns", "list"]).stdout
        let links = try runCommand("/usr/sbin/ip", ["-br", "link"]).stdout
        #expect(!namespaces.contains("exb\(pid)"), "left behind: \(namespaces)")
        #expect(!links.contains("exb\(pid)"), "left behind: \(links)")
    }

    @Test func demuxClassifiesEverySizeWithAndWithoutFiltersAndReportsTheRatios() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["demux", "--frames", "256", "--passes", "2", "--rounds", "1", "--json"],
            timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let measures = try #require(object["measures"] as? [[String: Any]])
        // Per size: bindings only (hits, misses) and filtered (hits, filtered out, misses).
        #expect(measures.count == 15)
        #expect(Set(measures.compactMap { ($0["bindings"] as? NSNumber)?.intValue }) == [1, 100, 10_000])
        for measure in measures {
            #expect(((measure["median"] as? NSNumber)?.doubleValue ?? 0) > 0)
            let bindings = (measure["bindings"] as? NSNumber)?.intValue ?? 0
            let filters = (measure["filters"] as? NSNumber)?.intValue ?? -1
            if measure["table"] as? String == "filtered" {
                #expect(filters >= bindings, "\(measure)")  // every binding carries at least one filter
            } else {
                #expect(filters == 0, "\(measure)")
            }
        }
        let ratios = try #require(object["ratios"] as? [String: Double])
        #expect(ratios.keys.sorted() == [
            "bindingsOnlyHits10000Over1", "bindingsOnlyMisses10000Over1", "filteredFiltered10000Over1",
            "filteredHits10000Over1", "filteredMisses10000Over1",
        ])
    }
}
