// What udp-rate and udp-rtt set up alike: a private temporary directory their children log
// into, the run's private network, the check that the tools they start were built, and one
// teardown that removes both.

import ExoPlatform
import Foundation
import Glibc

/// A benchmark run's directory (under /tmp, reachable by the tenant's uid) and network.
/// `teardown()` (or deinit) removes both; idempotent.
final class BenchWorkspace {
    let network = BenchNetwork()
    let directory: String
    private var tornDown = false

    /// Makes `/tmp/exobench-NAME.XXXXXX`.
    init(name: String) throws {
        var template = Array("/tmp/exobench-\(name).XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
        directory = String(cString: made)
        chmod(directory, 0o755)  // the tenant runs as another uid and must reach the socket
    }

    /// Fails unless every one of `tools` is an executable in `binDir`.
    func requireTools(_ tools: [String], in binDir: String) throws {
        for tool in tools where !FileManager.default.isExecutableFile(atPath: binDir + "/" + tool) {
            throw BenchError("\(binDir)/\(tool) is missing (build it, or pass --bin-dir)")
        }
    }

    /// The network's vde_switch and its two TAPs (vde2 must be installed).
    func createVDE() throws {
        let candidates = ["/usr/bin/vde_switch", "/usr/local/bin/vde_switch"]
        guard let vde = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw BenchError("vde_switch not found: install vde2 (scripts/install-deps.sh)")
        }
        try network.createVDE(directory: directory, vdeSwitch: vde)
    }

    /// The log a child wrote into the directory, or "" if there is none.
    func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    func teardown() {
        guard !tornDown else { return }
        tornDown = true
        network.teardown()
        _ = try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { teardown() }
}
