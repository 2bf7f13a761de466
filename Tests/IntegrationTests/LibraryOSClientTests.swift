// The library OS end to end: frames-demo (built on ExOS) attaches as two tenant uids against
// the real daemon, shares a frame read-only, and exoctl reports the bookkeeping.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct LibraryOSClientTests {
    @Test func framesDemoSharesAFrameBetweenTwoTenantUIDs() throws {
        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        // alice holds her frames (and so her offer) until her standard input closes.
        let alice = Process()
        alice.executableURL = URL(fileURLWithPath: BuildProducts.path("frames-demo"))
        alice.arguments = ["--tenant", "alice", "--as-uid", String(TestUIDs.alice), "--count", "3",
                           "--share-with", "bob", "--hold", "--socket", daemon.socketPath]
        let input = Pipe(), output = Pipe()
        alice.standardInput = input
        alice.standardOutput = output
        try alice.run()
        defer { if alice.isRunning { kill(alice.processIdentifier, SIGKILL) }; alice.waitUntilExit() }

        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("holding until end of input") && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let tokenLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("token ") }, "\(text)")
        let token = String(tokenLine.split(separator: " ")[1])
        #expect(text.contains("holds frame 2"))

        let bob = try runCommand(BuildProducts.path("frames-demo"),
            ["--tenant", "bob", "--as-uid", String(TestUIDs.bob), "--redeem", token, "--socket", daemon.socketPath])
        #expect(bob.status == 0, "\(bob.stderr)")
        #expect(bob.stdout.contains("rights r--"))
        #expect(bob.stdout.contains("tenant alice"), "bob reads the bytes alice wrote: \(bob.stdout)")

        let tenants = try runCommand(BuildProducts.path("exoctl"), ["tenants", "--json", "--socket", daemon.socketPath])
        #expect(tenants.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(tenants.stdout.utf8)) as? [String: Any]
        let list = json?["tenants"] as? [[String: Any]] ?? []
        #expect(list.first { $0["name"] as? String == "alice" }?["framesHeld"] as? Int == 3, "\(tenants.stdout)")

        try input.fileHandleForWriting.close()
        alice.waitUntilExit()
        #expect(alice.terminationStatus == 0)
    }

    @Test func exoctlExitCodesTellScriptsWhatHappened() throws {
        let missing = try runCommand(BuildProducts.path("exoctl"), ["status", "--socket", "/tmp/exokernel-no-such.sock"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("cannot reach"))
        let usage = try runCommand(BuildProducts.path("exoctl"), ["frames", "--no-such-flag"])
        #expect(usage.status == 2)

        let daemon = try DaemonHarness()
        defer { daemon.stop() }
        let status = try runCommand(BuildProducts.path("exoctl"), ["status", "--json", "--socket", daemon.socketPath])
        #expect(status.status == 0)
        // --json is one line a script can read as one record; --pretty indents it.
        #expect(status.stdout.split(separator: "\n").count == 1 && status.stdout.contains("\"sessions\":"), "\(status.stdout)")
        let pretty = try runCommand(BuildProducts.path("exoctl"), ["--json", "--pretty", "status", "--socket", daemon.socketPath])
        #expect(pretty.status == 0 && pretty.stdout.split(separator: "\n").count > 5, "\(pretty.stdout)")
        // --no-header leaves the rows alone.
        let tenants = try runCommand(BuildProducts.path("exoctl"), ["tenants", "--socket", daemon.socketPath])
        let bare = try runCommand(BuildProducts.path("exoctl"), ["--no-header", "tenants", "--socket", daemon.socketPath])
        #expect(tenants.stdout.hasPrefix("ID") && tenants.stdout.contains("RESOURCE"), "\(tenants.stdout)")
        #expect(bare.status == 0 && bare.stdout.hasPrefix("0") && bare.stdout.contains("alice"), "\(bare.stdout)")
        #expect(!bare.stdout.contains("NAME") && !bare.stdout.contains("RESOURCE"), "\(bare.stdout)")
        let unknown = try runCommand(BuildProducts.path("exoctl"), ["frames", "--tenant", "zed", "--socket", daemon.socketPath])
        #expect(unknown.status == 1, "\(unknown.stderr)")
        // A uid that is neither root nor in the operator group is told so (setpriv runs exoctl as
        // it, from a copy in a world-readable directory: the checkout's may not be).
        let copy = daemon.directory + "/exoctl"
        try FileManager.default.copyItem(atPath: BuildProducts.path("exoctl"), toPath: copy)
        let outsider = try runCommand("/usr/bin/setpriv",
            ["--reuid=\(TestUIDs.carol)", "--regid=\(TestUIDs.carol)", "--clear-groups",
             copy, "status", "--socket", daemon.socketPath])
        #expect(outsider.status == 4, "\(outsider.stdout)\(outsider.stderr)")
    }
}
