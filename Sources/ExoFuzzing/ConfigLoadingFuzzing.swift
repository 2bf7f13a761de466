// The configuration target: the file `exokerneld` (and `--check-config`, and a reload)
// reads, decoded and then checked against a fixed host.

import ExoDaemon
import ExoPacket

enum ConfigLoadingFuzzing {
    static let file = "fuzz.toml"
    /// The host every input is checked against: this machine's limits (PLATFORM.md).
    static let host = HostLimits(openFiles: 20_000, maxMapCount: 65_530, daemonUID: 0)
    static let nic = NicHostFacts(exists: true, mtu: 1500, hostAddresses: [IPv4Address(192, 0, 2, 1)])

    /// Property: input that is not UTF-8 is skipped (the reader refuses it before parsing);
    /// any text loads or is refused with an error naming the file, and a loaded configuration
    /// is checked without trapping, each error naming the file and saying what is wrong.
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFinding) -> FuzzVerdict {
        guard let text = String(validating: bytes, as: UTF8.self) else { return .refused }
        let config: DaemonConfig
        do {
            config = try ConfigLoader.parse(text, file: file)
        } catch {
            try expectPrecise(error)
            return .refused
        }
        let (errors, _) = ConfigValidator.check(config, file: file, limits: host, nicFacts: nic)
        for error in errors { try expectPrecise(error) }
        return errors.isEmpty ? .accepted : .refused
    }

    private static func expectPrecise(_ error: ConfigError) throws(FuzzFinding) {
        guard error.file == file, !error.message.isEmpty else {
            throw FuzzFinding("imprecise configuration error: \(error)")
        }
    }
}
