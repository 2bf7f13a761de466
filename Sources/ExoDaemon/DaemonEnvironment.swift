// What the daemon is built over besides its configuration: the NIC's device, the data
// plane's clock, the service manager and the uid it runs as. `exokerneld` takes the host's
// (the default); an in-process test gives memory, a virtual clock and a quiet service link,
// so the whole daemon runs in a test process without root and without touching its signals.

import ExoPlatform

/// The daemon's surroundings. Every default is what `exokerneld` runs with.
struct DaemonEnvironment {
    /// Where the NIC's packets come from when the configuration has a `[nic]` section.
    enum NicSource {
        /// The device the configuration names: a TAP it creates or an interface through
        /// AF_PACKET (root, or CAP_NET_ADMIN/CAP_NET_RAW).
        case configured
        /// Two queues in memory, with the configuration's `[nic]` addresses and MTU: a test
        /// injects what the daemon receives and takes what it sends.
        case memory(MemoryDevice)
    }

    var nic: NicSource = .configured
    /// What the data plane's timers read (reassembly, impairment delay).
    var clock: DataPlaneClock = .monotonic()
    /// Builds the signals/watchdog/sd_notify link, once, where the loop is set up (the
    /// daemon's blocks SIGTERM, SIGINT and SIGHUP for a signalfd and ignores SIGPIPE).
    var makeServiceManagement: () throws(SystemError) -> any ServiceManagement = {
        () throws(SystemError) -> any ServiceManagement in try ServiceManagerLink()
    }
    /// The uid the daemon runs as: a peer with it may attach as an operator, like root.
    var daemonUID: UInt32 = ProcessIdentity.uid
    /// The file a reload reads (SIGHUP, `exoctl reload`); nil: the configuration was built in
    /// code and a reload is refused.
    var configSource: ConfigSource?
}
