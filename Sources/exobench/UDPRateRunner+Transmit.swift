// udp-rate --direction tx: the receiver is Linux (`udp-count` in the peer namespace); the
// sender is the kernel's UDP socket on the veth's root end, or an ExOS tenant behind exokerneld.

import ExoPlatform
import ExoWire
import ExoPacket
import Foundation
import Glibc

/// Which way the stream crosses the daemon.
enum UDPRateDirection: String, CaseIterable {
    /// Into the host: a Linux sender in the peer namespace, receivers on the root end.
    case rx
    /// Out of the host: senders on the root end, a Linux receiver in the peer namespace.
    case tx
}

extension UDPRateRunner {
    /// (a) tx: `exobench udp-blast` on a UDP socket (sendmmsg, the kernel's IP/UDP output) from
    /// .1 on the root end, which holds that address during this phase only.
    func kernelTransmitPath() throws -> PathRun {
        try network.withRootAddress { _ in
            let destination = network.vethAddress(2)
            try ip(
                "neigh", "replace", "\(destination)", "lladdr", "\(BenchNetwork.peerMAC)", "dev", network.vethRoot,
                "nud", "permanent")
            let receiver = try peerReceiver()
            let sender = try ChildProcess(
                "udp-blast", exobench, ["udp-blast", "--to", "\(destination):\(port)", "--seconds", "\(seconds)"],
                logPath: directory + "/udp-blast.log")
            let sent = try result(of: sender)
            return PathRun(sent: sent.count, sendSeconds: sent.seconds, received: try count(receiver))
        }
    }

    /// (b) tx: clients/udp-blast as tenant "sink" (owning .3) on a private exokerneld on the
    /// veth's root end: every frame goes tx ring → copy → egress guard → sendmmsg.
    func exokernelTransmitPath() throws -> PathRun {
        let daemon = try BenchDaemon(
            executable: binDir + "/exokerneld", directory: directory, backend: .packet, network: network,
            tenantUID: tenantUID, frames: frames, impairLossPPM: impairLossPPM, metrics: scrapeEveryMilliseconds > 0)
        defer { daemon.stop() }
        let receiver = try peerReceiver()
        let scraper = try startScraper(daemon)
        let sender = try ChildProcess(
            "udp-blast", binDir + "/udp-blast",
            ["--tenant", BenchDaemon.tenant, "--address", "\(daemon.tenantAddress)", "--to", "\(network.vethAddress(2)):\(port)",
                "--destination-mac", "\(BenchNetwork.peerMAC)", "--socket", daemon.socketPath, "--as-uid", "\(tenantUID)",
                "--frames", "\(frames)", "--ring-capacity", "\(frames)", "--seconds", "\(seconds)"],
            logPath: directory + "/udp-blast.log")
        let sent = try result(of: sender)
        let scrapes = scraper?.stop()
        return PathRun(sent: sent.count, sendSeconds: sent.seconds, received: try count(receiver), scrapes: scrapes)
    }

    /// `exobench udp-count` bound to .2 in the peer namespace, once it says it is ready.
    private func peerReceiver() throws -> ChildProcess {
        let receiver = try ChildProcess(
            "udp-count", "/usr/sbin/ip",
            ["netns", "exec", network.peerNamespace, exobench, "udp-count", "--bind", "\(network.vethAddress(2)):\(port)",
                "--max-seconds", "\(seconds + 10)"],
            logPath: directory + "/udp-count.log")
        _ = try receiver.waitForLine(containing: "udp-count: ready", seconds: 10)
        return receiver
    }

    /// What a finished `udp-blast` (exobench's or the ExOS client) says it sent, and in how long.
    func result(of sender: ChildProcess) throws -> (count: Int, seconds: Double) {
        let status = try sender.finish(seconds: seconds + 30)
        guard status == 0, let sent = sender.value("sent").flatMap(Int.init),
            let elapsed = sender.value("seconds").flatMap(Double.init)
        else {
            throw BenchError("udp-blast failed (\(status)): \(sender.lines.joined(separator: " | ")) \(log("udp-blast.log"))")
        }
        return (sent, elapsed)
    }
}
