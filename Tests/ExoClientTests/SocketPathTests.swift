// Specification of control-socket path resolution: explicit argument, then
// $EXOKERNEL_SOCKET, then the systemd runtime directory.

import ExoClient
import Testing

@Suite struct SocketPathTests {
    @Test func explicitPathWinsOverEnvironment() {
        let path = SocketPath.resolve(explicit: "/tmp/a.sock", environment: ["EXOKERNEL_SOCKET": "/tmp/env.sock"])
        #expect(path == "/tmp/a.sock")
    }

    @Test func environmentIsUsedWithoutExplicitPath() {
        #expect(SocketPath.resolve(explicit: nil, environment: ["EXOKERNEL_SOCKET": "/tmp/env.sock"]) == "/tmp/env.sock")
    }

    @Test func emptyExplicitPathFallsThroughToEnvironment() {
        #expect(SocketPath.resolve(explicit: "", environment: ["EXOKERNEL_SOCKET": "/tmp/env.sock"]) == "/tmp/env.sock")
    }

    @Test func emptyEnvironmentValueFallsThroughToDefault() {
        #expect(SocketPath.resolve(explicit: nil, environment: ["EXOKERNEL_SOCKET": ""]) == "/run/exokernel/exokerneld.sock")
    }

    @Test func defaultIsTheSystemdRuntimeDirectory() {
        #expect(SocketPath.resolve(explicit: nil, environment: ["OTHER": "x"]) == "/run/exokernel/exokerneld.sock")
        #expect(SocketPath.defaultPath == "/run/exokernel/exokerneld.sock")
    }
}
