// Specification of the values the configuration's TOML parser accepts: strings (basic with
// escapes, literal), integers in every base with underscores, floats, booleans, arrays over
// several lines, inline tables, and comments and blanks wherever TOML allows them.

import Testing

@testable import ExoDaemon

@Suite("TOML parser: values")
struct TOMLValueTests {
    typealias T = TOMLText

    @Test func basicStringsHaveEveryEscapeOfTOML() throws {
        #expect(try T.value(#""plain /run/x.sock""#) == .string("plain /run/x.sock"))
        #expect(try T.value(#""\b\t\n\f\r\"\\""#) == .string("\u{8}\t\n\u{C}\r\"\\"))
        #expect(try T.value(#""caf\u00e9 \U0001F600""#) == .string("café 😀"))
        #expect(try T.value(#""""#) == .string(""))
        #expect(try T.value("\"tab\there, ünïcödé\"") == .string("tab\there, ünïcödé"))
    }

    @Test func literalStringsTakeBackslashesAsTheyAre() throws {
        #expect(try T.value(#"'C:\path\u0000 "quoted"'"#) == .string(#"C:\path\u0000 "quoted""#))
        #expect(try T.value("''") == .string(""))
    }

    @Test func integersInEveryBaseWithUnderscoresBetweenDigits() throws {
        let cases: [(String, Int64)] = [
            ("0", 0), ("+17", 17), ("-17", -17), ("1_000_000", 1_000_000), ("0xDEAD_beef", 0xDEAD_BEEF),
            ("0o755", 0o755), ("0b1010_1010", 0b1010_1010), ("9223372036854775807", Int64.max),
            ("-9223372036854775808", Int64.min), ("-0", 0), ("0x0", 0),
        ]
        for (text, value) in cases { #expect(try T.value(text) == .integer(value), "\(text)") }
    }

    @Test func floatsAreRecognisedSoTheDecoderCanNameTheirType() throws {
        let cases: [(String, Double)] = [
            ("1.5", 1.5), ("-0.25", -0.25), ("+3.0", 3), ("1e3", 1000), ("6.25E-2", 0.0625), ("1_000.5", 1000.5),
            ("5e+2_2", 5e22), ("0.0", 0), ("inf", .infinity), ("+inf", .infinity), ("-inf", -.infinity),
        ]
        for (text, value) in cases { #expect(try T.value(text) == .float(value), "\(text)") }
        #expect(try T.value("nan")?.float?.isNaN == true)
        #expect(try T.value("-nan")?.float?.isNaN == true)
    }

    @Test func booleans() throws {
        #expect(try T.value("true") == .boolean(true))
        #expect(try T.value("false") == .boolean(false))
    }

    @Test func arraysMayMixTypesSpanLinesHoldCommentsAndEndInAComma() throws {
        #expect(try T.value("[]") == .array([]))
        #expect(try T.value("[ 1, \"a\", [true], ]") == .array([.integer(1), .string("a"), .array([.boolean(true)])]))
        let multiLine = try T.parse("ports = [\n  \"udp 10.0.0.2 7000\", # the first\n\n  # between\n  \"tcp 10.0.0.2 80\"\n]\n")
        #expect(multiLine["ports"] == .array([.string("udp 10.0.0.2 7000"), .string("tcp 10.0.0.2 80")]))
        #expect(try T.parse("a = [\r\n1,\r\n2]\r\n")["a"] == .array([.integer(1), .integer(2)]))
    }

    @Test func inlineTablesWithDottedKeys() throws {
        #expect(try T.value("{}") == .table(TOMLTable()))
        let table = try T.value(#"{ name = "alice", id.uid = 60001, id.gid = 60001, tags = ["a"] }"#)
        #expect(
            table
                == .table(
                    TOMLTable([
                        ("name", .string("alice")),
                        ("id", .table(TOMLTable([("uid", .integer(60001)), ("gid", .integer(60001))]))),
                        ("tags", .array([.string("a")])),
                    ])))
    }

    @Test func blanksCommentsAndLineEndsWhereverTOMLAllowsThem() throws {
        let text = "\u{FEFF}# a comment\n\n  \t[daemon] # after a header\r\n  socket\t=  \"/s\"   # after a value\n#last"
        #expect(try T.parse(text) == TOMLTable([("daemon", .table(TOMLTable([("socket", .string("/s"))])))]))
    }

    @Test func keysBareQuotedAndDotted() throws {
        let document = try T.parse(
            "bare_key-1 = 1\n\"quoted key\" = 2\n'literal.key' = 3\n1234 = 4\na . b.\"c\" = 5\n\"\" = 6\ntrue = 7\n")
        #expect(document.keys == ["bare_key-1", "quoted key", "literal.key", "1234", "a", "", "true"])
        #expect(document["a"]?.table?["b"]?.table?["c"] == .integer(5))
        #expect(document["literal.key"] == .integer(3))
    }

    @Test func keysKeepTheirDocumentOrder() throws {
        let document = try T.parse("zeta = 1\nalpha = 2\n[m]\n[b]\n")
        #expect(document.keys == ["zeta", "alpha", "m", "b"])
    }
}
