// Specification of the token hex used on command lines: lowercase out, either case in,
// and anything that is not whole hex bytes rejected.

import ExOS
import Testing

@Suite struct HexTests {
    @Test func encodesLowercasePairs() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
    }

    @Test func decodesEitherCase() {
        #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
    }

    @Test func roundTripsEveryByte() {
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
    }

    @Test func rejectsOddLengthAndNonHex() {
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0x12") == nil)
    }

    @Test func grantedTokenHexIsItsBytes() {
        #expect(GrantedToken(bytes: [1, 2, 254], tokenID: 9).hex == "0102fe")
    }
}
