// SYN cookies: what a cookie carries comes back from the completing ACK, and nothing else
// passes: another tuple, a changed number, an old cookie, forged option bits, random guesses.
import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct SYNCookiesTests {
    static let local = IPv4Address(10, 0, 0, 1)
    static let remote = IPv4Address(198, 51, 100, 9)
    static let clientISN = TCPSequenceNumber(0xFFFF_FFF0)  // wraps when the ACK adds 1
    static let now = Instant(nanoseconds: 1_000 * 60_000_000_000 + 17_000_000_000)
    static let cookies = SYNCookies(secret: 0xC00C_1E5)

    typealias Made = (sequence: TCPSequenceNumber, timestampValue: UInt32?, options: SYNCookieOptions)

    static func make(
        mss: UInt16 = 1460, windowScale: UInt8? = 7, sack: Bool = true, timestamps: Bool = true,
        remotePort: UInt16 = 50000, now: Instant = now
    ) -> Made {
        cookies.make(
            localAddress: local, localPort: 443, remoteAddress: remote, remotePort: remotePort,
            clientSequence: clientISN, peerMSS: mss, peerWindowScale: windowScale, peerSACKPermitted: sack,
            timestampsOffered: timestamps, now: now)
    }

    /// Checks the ACK a well-behaved client sends back for `made` (ack = cookie + 1,
    /// seq = client ISN + 1, TSecr = the SYN-ACK's TSval), with the given changes.
    static func check(
        _ made: Made, remote: IPv4Address = remote, remotePort: UInt16 = 50000, ackOffset: Int = 0,
        echo: UInt32?? = .none, at now: Instant = now
    ) -> SYNCookieOptions? {
        cookies.check(
            localAddress: local, localPort: 443, remoteAddress: remote, remotePort: remotePort,
            acknowledgement: made.sequence + 1 + ackOffset, sequence: clientISN + 1,
            timestampEcho: echo ?? made.timestampValue, now: now)
    }

    @Test func everyMSSEntryAndOptionCombinationRoundTrips() {
        for mss in SYNCookies.maximumSegmentSizes {
            for windowScale in [nil, 0, 7, 14] as [UInt8?] {
                for sack in [false, true] {
                    for timestamps in [false, true] {
                        let made = Self.make(mss: mss, windowScale: windowScale, sack: sack, timestamps: timestamps)
                        let expected = SYNCookieOptions(
                            maximumSegmentSize: mss, windowScale: timestamps ? windowScale : nil,
                            sackPermitted: timestamps && sack)
                        #expect(made.options == expected)
                        #expect((made.timestampValue != nil) == timestamps)
                        #expect(Self.check(made) == expected, "\(expected) timestamps \(timestamps)")
                    }
                }
            }
        }
    }

    @Test(
        arguments: [
            (0, 536), (535, 536), (536, 536), (1299, 536), (1300, 1300), (1439, 1300), (1440, 1440), (1459, 1440),
            (1460, 1460), (9000, 1460), (65535, 1460),
        ] as [(UInt16, UInt16)])
    func theCookieKeepsTheLargestTableMSSNotAboveThePeers(peer: UInt16, kept: UInt16) {
        let made = Self.make(mss: peer)
        #expect(made.options.maximumSegmentSize == kept)
        #expect(Self.check(made)?.maximumSegmentSize == kept)
    }

    @Test func windowScaleAbove14IsClamped() {
        let made = Self.make(windowScale: 20)
        #expect(made.options.windowScale == 14 && Self.check(made)?.windowScale == 14)
    }

    @Test func theOptionsRideInTheLowSixBitsOfTheTimestamp() throws {
        let clock = SYNCookies.millisecondClock(Self.now)
        let made = Self.make(windowScale: 7, sack: true)
        let value = try #require(made.timestampValue)
        #expect(value & 0x3F == 0x17)  // scale 7 | SACK-permitted 0x10
        #expect(value <= clock && clock - value < 64)  // never ahead of the clock
        #expect(try #require(Self.make(windowScale: nil, sack: false).timestampValue) & 0x3F == 0x0F)
    }

    @Test func aCookieForAnotherTupleFails() {
        let made = Self.make()
        #expect(Self.check(made, remotePort: 50001) == nil)
        #expect(Self.check(made, remote: IPv4Address(198, 51, 100, 10)) == nil)
    }

    @Test func aChangedAcknowledgementFails() {
        let made = Self.make()
        for offset in [-1, 1, 2, 1 << 8, 1 << 24, -(1 << 24)] {
            #expect(Self.check(made, ackOffset: offset) == nil, "offset \(offset)")
        }
    }

    @Test func forgedOptionBitsInTheEchoFail() {
        let made = Self.make(windowScale: 2, sack: false)
        let value = made.timestampValue!
        #expect(Self.check(made, echo: .some(value ^ 0x10)) == nil)  // SACK added
        #expect(Self.check(made, echo: .some(value ^ 0x01)) == nil)  // other scale
        #expect(Self.check(made, echo: .some(nil)) == nil)  // timestamps dropped
        // A cookie made without timestamps does not pass with an echo.
        let bare = Self.make(timestamps: false)
        #expect(Self.check(bare, echo: .some(0x0F)) == nil)
    }

    @Test func aCookieLivesOneToTwoMinutes() {
        let made = Self.make()
        let minute = Interval.seconds(60)
        #expect(Self.check(made, at: Self.now + .seconds(42)) != nil)  // end of the same minute
        #expect(Self.check(made, at: Self.now + minute) != nil)
        #expect(Self.check(made, at: Self.now + .seconds(103)) == nil)  // the counter two minutes on
        #expect(Self.check(made, at: Self.now + .seconds(180)) == nil)
        // The 8-bit counter wraps after 256 minutes: the cookie must not come back to life.
        #expect(Self.check(made, at: Self.now + .seconds(256 * 60)) == nil)
        // Made in the future of the checker (a clock that went back): refused.
        #expect(Self.check(made, at: Instant(nanoseconds: Self.now.nanoseconds - 60_000_000_000)) == nil)
    }

    @Test func anotherSecretRefusesTheCookie() {
        let made = Self.make()
        let other = SYNCookies(secret: 0xC00C_1E6)
        let options = other.check(
            localAddress: Self.local, localPort: 443, remoteAddress: Self.remote, remotePort: 50000,
            acknowledgement: made.sequence + 1, sequence: Self.clientISN + 1, timestampEcho: made.timestampValue,
            now: Self.now)
        #expect(options == nil)
    }

    @Test func randomForgedCookiesAlmostNeverPass() {
        // A guess passes when its counter byte is one of 2 (of 256), its 6 option bits the
        // ones expected (1 of 64) and its 16-bit tag right: about 1.9e-9 a guess, so 0.002
        // expected in 1M guesses.
        var random = SeededRandom(seed: 0x5EED_C00C)
        var passed = 0
        for _ in 0..<1_000_000 {
            let options = Self.cookies.check(
                localAddress: Self.local, localPort: 443, remoteAddress: Self.remote, remotePort: 50000,
                acknowledgement: TCPSequenceNumber(UInt32.random(in: 0...UInt32.max, using: &random)),
                sequence: TCPSequenceNumber(UInt32.random(in: 0...UInt32.max, using: &random)), timestampEcho: nil,
                now: Self.now)
            if options != nil { passed += 1 }
        }
        #expect(passed <= 1, "\(passed) of 1,000,000 random cookies passed")
    }
}
