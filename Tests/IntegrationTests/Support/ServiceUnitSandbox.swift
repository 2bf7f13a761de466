// What systemd/exokerneld.service gives the daemon, read from the unit file itself, and the
// command line that gives a test's daemon exactly that without systemd: its own uid (one with
// no /etc/passwd entry stands in for the exokerneld user), the unit's ambient and bounding
// capabilities, no new privileges, its descriptor limit and umask. So a change to the unit
// that the daemon cannot live with fails a test here.

import Foundation

/// The sandbox keys of a unit's [Service] section.
struct ServiceUnitSandbox {
    /// `User=`.
    var user: String
    /// `AmbientCapabilities=` and `CapabilityBoundingSet=`, as setpriv's names (`net_admin`).
    var ambientCapabilities: [String]
    var boundingCapabilities: [String]
    var noNewPrivileges: Bool
    /// `LimitNOFILE=` (soft and hard alike).
    var openFiles: Int
    /// `UMask=`, octal text.
    var umask: String

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Reads `systemd/NAME`. Throws when a key the sandbox needs is missing.
    init(unit name: String) throws {
        let text = try String(
            contentsOf: Self.repositoryRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        let keys = Self.serviceKeys(text)
        func value(_ key: String) throws -> String {
            guard let value = keys[key]?.last else { throw HarnessError("\(name) has no \(key)=") }
            return value
        }
        user = try value("User")
        ambientCapabilities = Self.capabilities(try value("AmbientCapabilities"))
        boundingCapabilities = Self.capabilities(try value("CapabilityBoundingSet"))
        noNewPrivileges = try value("NoNewPrivileges") == "yes"
        guard let limit = Int(try value("LimitNOFILE")) else { throw HarnessError("\(name): LimitNOFILE is not a number") }
        openFiles = limit
        umask = try value("UMask")
    }

    /// Every `Key=value` of the [Service] section, each key's values in file order.
    static func serviceKeys(_ text: String) -> [String: [String]] {
        var section = ""
        var keys: [String: [String]] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") { section = line; continue }
            guard section == "[Service]", let equals = line.firstIndex(of: "=") else { continue }
            keys[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
        return keys
    }

    /// "CAP_NET_ADMIN CAP_NET_RAW" as ["net_admin", "net_raw"].
    static func capabilities(_ list: String) -> [String] {
        list.split(separator: " ").map { $0.lowercased().replacingOccurrences(of: "cap_", with: "") }
    }

    /// The launcher (DaemonHarness's `launcher:`) that runs the daemon as `uid`:`uid` with no
    /// supplementary group and this sandbox. It runs in a private mount namespace whose
    /// /dev/net/tun is mode 0666, as udev makes it on a stock Debian host (this machine's is
    /// 0600, which only root may open); the host's device node is left as it is.
    func launcher(uid: UInt32) -> [String] {
        let plus = { (caps: [String]) in (["-all"] + caps.map { "+" + $0 }).joined(separator: ",") }
        var setpriv = [
            "/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups",
            "--inh-caps=\(plus(ambientCapabilities))", "--ambient-caps=\(plus(ambientCapabilities))",
            "--bounding-set=\(plus(boundingCapabilities))",
        ]
        if noNewPrivileges { setpriv.append("--no-new-privs") }
        let script = """
            umask "$1" && shift && mount -t tmpfs -o mode=0755 tmpfs /dev/net \
            && mknod -m 0666 /dev/net/tun c 10 200 && exec "$@"
            """
        return ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script, "sh", umask,
            "/usr/bin/prlimit", "--nofile=\(openFiles):\(openFiles)"] + setpriv
    }

    /// The effective capability mask these names make (CapEff in /proc/PID/status).
    var ambientMask: UInt64 {
        let bits = ["net_admin": 12, "net_raw": 13]
        return ambientCapabilities.reduce(0) { $0 | (1 << UInt64(bits[$1] ?? 63)) }
    }
}

/// The uids of the unit-sandbox tests: the daemon's own (standing in for `exokerneld`) and an
/// operator who is neither root nor the daemon, only a member of the operator group.
enum SandboxIDs {
    static let daemon: UInt32 = 60_150
    static let operatorUser: UInt32 = 60_160
    static let operatorGroup: UInt32 = 60_170
}
