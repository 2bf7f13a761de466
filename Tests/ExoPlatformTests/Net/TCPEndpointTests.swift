// ADDRESS:PORT as an operator writes it, and a listener bound to it: numeric addresses only,
// brackets around IPv6, port 0 for the kernel's choice, and the form read back the same.

import ExoPlatform
import Testing

@Suite("TCPEndpoint and StreamListener")
struct TCPEndpointTests {
    @Test func numericAddressesAndPortsParseAndPrintBackTheSame() throws {
        for text in ["127.0.0.1:9464", "0.0.0.0:0", "10.1.2.3:65535", "[::1]:9464", "[fe80::1]:80", "[::]:1"] {
            let endpoint = try #require(TCPEndpoint(parsing: text), "\(text)")
            #expect(endpoint.description == text)
        }
        #expect(TCPEndpoint(parsing: "127.0.0.1:9464")?.address == [127, 0, 0, 1])
        #expect(TCPEndpoint(parsing: "127.0.0.1:9464")?.port == 9464)
    }

    @Test func namesMissingPortsAndUnbracketedIPv6AreRefused() {
        for text in ["localhost:9464", "127.0.0.1", "127.0.0.1:", ":9464", "::1:9464", "[::1]", "[]:1", "1.2.3.4:65536",
            "1.2.3:9", "1.2.3.4:+9", "[127.0.0.1]:9"] {
            #expect(TCPEndpoint(parsing: text) == nil, "\(text)")
        }
    }

    @Test func loopbackIsAll127SlashEightAndColonColonOne() {
        #expect(TCPEndpoint(parsing: "127.9.9.9:1")?.isLoopback == true)
        #expect(TCPEndpoint(parsing: "[::1]:1")?.isLoopback == true)
        #expect(TCPEndpoint(parsing: "0.0.0.0:1")?.isLoopback == false)
        #expect(TCPEndpoint(parsing: "[::]:1")?.isLoopback == false)
    }

    @Test func aListenerOnPortZeroSaysWhichPortTheKernelChose() throws {
        let listener = try StreamListener.listen(on: try #require(TCPEndpoint(parsing: "127.0.0.1:0")))
        defer { listener.close() }
        let bound = try StreamListener.boundEndpoint(of: listener.raw)
        #expect(bound.address == [127, 0, 0, 1] && bound.port != 0)
        #expect(try StreamListener.accept(listener.raw) == nil)  // nothing pending: no wait
    }
}
