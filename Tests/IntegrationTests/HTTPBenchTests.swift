// `exobench http --smoke` end to end (no timing asserted): wrk gets answers from nginx on the
// kernel and from ExOS's httpd, for the small and the 1 MiB file, with no socket errors and
// no error statuses, and the run leaves no namespace or link behind.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces, veth and tenant uids"))
struct HTTPBenchTests {
    @Test func wrkGetsEveryFileFromNginxAndHTTPDWithoutErrors() throws {
        let result = try runCommand(
            BuildProducts.path("exobench"), ["http", "--smoke", "--json", "--bin-dir", BuildProducts.directory.path],
            timeout: 240)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let files = try #require(object["files"] as? [String: [String: Any]])
        #expect(Set(files.keys) == ["small.bin", "big.bin"])
        for (file, entry) in files {
            let paths = try #require(entry["paths"] as? [String: [String: Any]])
            #expect(Set(paths.keys) == ["kernel", "exokernel"])
            for (name, path) in paths {
                let requests = (path["requests"] as? [NSNumber] ?? []).map(\.doubleValue)
                #expect(!requests.isEmpty && requests.allSatisfy { $0 > 0 }, "\(file) \(name): \(path)")
                #expect((path["socketErrors"] as? [NSNumber] ?? []).allSatisfy { $0.doubleValue == 0 }, "\(file) \(name): \(path)")
                #expect((path["statusErrors"] as? [NSNumber] ?? []).allSatisfy { $0.doubleValue == 0 }, "\(file) \(name): \(path)")
            }
            let ratios = try #require(entry["exokernelOverKernel"] as? [String: NSNumber], "\(file): \(entry)")
            #expect((ratios["requestsPerSecond"]?.doubleValue ?? 0) > 0, "\(file): \(ratios)")
        }
        #expect(object["loadAverageBefore"] as? String != nil)
        // Everything the run created is named exb<pid>...
        let pid = try #require((object["pid"] as? NSNumber)?.intValue)
        let namespaces = try runCommand("/usr/sbin/ip", ["netns", "list"]).stdout
        #expect(!namespaces.contains("exb\(pid)"), "\(namespaces)")
        let links = try runCommand("/usr/sbin/ip", ["-br", "link"]).stdout
        #expect(!links.contains("exb\(pid)"), "\(links)")
    }
}
