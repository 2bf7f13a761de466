// Specification of the parser's refusals: every malformed or unsupported construct gives one
// error naming its line, its column (in characters) and what is wrong — never a trap.

import Testing

@testable import ExoDaemon

@Suite("TOML parser: errors and their positions")
struct TOMLSyntaxErrorTests {
    typealias T = TOMLText

    /// Malformed documents and the exact refusal of each.
    static let malformed: [(String, String)] = [
        // Lines and keys.
        ("[daemon]\nmax_connections = = 3\n", "line 2, column 19: expected a value"),
        ("key\n", "line 1, column 4: expected '=' after the key"),
        ("key = \n", "line 1, column 7: expected a value"),
        ("= 1\n", "line 1, column 1: expected a key, a [table] header or a comment"),
        ("a.= 1\n", "line 1, column 3: expected a key after '.'"),
        ("a = 1 b = 2\n", "line 1, column 7: expected the end of the line after the value"),
        ("a = 1\rb = 2\n", "line 1, column 6: a carriage return must be followed by a line feed"),
        ("a = 1 # fine\n\r", "line 2, column 1: a carriage return must be followed by a line feed"),
        // Headers.
        ("[a\n", "line 1, column 3: expected ']' to close the header"),
        ("[[a]\n", "line 1, column 5: expected ']]' to close the header"),
        ("[[a] ]\n", "line 1, column 5: expected ']]' to close the header"),
        ("[a] x\n", "line 1, column 5: expected the end of the line after the header"),
        ("[]\n", "line 1, column 2: a table name cannot be blank"),
        ("[[]]\n", "line 1, column 3: a table name cannot be blank"),
        ("[.a]\n", "line 1, column 2: expected a table name after '['"),
        ("[a.]\n", "line 1, column 4: expected a key after '.'"),
        // Strings.
        ("s = \"open\n", "line 1, column 5: unterminated string: the closing quote is missing on this line"),
        ("s = 'open\n", "line 1, column 5: unterminated string: the closing quote is missing on this line"),
        ("s = \"a\\qb\"\n", "line 1, column 7: invalid escape '\\q'; the escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX"),
        ("s = \"\\u12\"\n", "line 1, column 6: \\u needs exactly 4 hexadecimal digits"),
        ("s = \"\\U0000001\"\n", "line 1, column 6: \\U needs exactly 8 hexadecimal digits"),
        ("s = \"\\uD800\"\n", "line 1, column 6: U+D800 is not a Unicode scalar value"),
        ("s = \"\\U00110000\"\n", "line 1, column 6: U+110000 is not a Unicode scalar value"),
        ("s = \"\\u0000\"\n", "line 1, column 6: the escape for a NUL character is not allowed"),
        ("s = \"bell\u{07}\"\n", "line 1, column 10: control character U+0007 is not allowed; write it as an escape in a basic string"),
        ("s = 'del\u{7F}'\n", "line 1, column 9: control character U+007F is not allowed; write it as an escape in a basic string"),
        ("# escape\u{1B} in a comment\n", "line 1, column 9: control character U+001B is not allowed; write it as an escape in a basic string"),
        ("s = \"\"\"multi\nline\"\"\"\n", "line 1, column 5: multi-line strings (\"\"\" or ''') are not accepted here: no key takes one; write the value on one line"),
        ("s = '''x'''\n", "line 1, column 5: multi-line strings (\"\"\" or ''') are not accepted here: no key takes one; write the value on one line"),
        ("é = 1\n", "line 1, column 1: expected a key, a [table] header or a comment"),
        ("s = \"é\" x\n", "line 1, column 9: expected the end of the line after the value"),
        // Numbers and other bare words.
        ("n = 0123\n", "line 1, column 5: '0123' is not a valid number"),
        ("n = 1__0\n", "line 1, column 5: '1__0' is not a valid number"),
        ("n = _1\n", "line 1, column 5: expected a value, got '_1'; a string must be in quotes"),
        ("n = 1_\n", "line 1, column 5: '1_' is not a valid number"),
        ("n = 0x\n", "line 1, column 5: '0x' is not a valid number"),
        ("n = -0x10\n", "line 1, column 5: '-0x10' is not a valid number"),
        ("n = 0xG\n", "line 1, column 5: '0xG' is not a valid number"),
        ("n = 1.\n", "line 1, column 5: '1.' is not a valid number"),
        ("n = .5\n", "line 1, column 5: '.5' is not a valid number"),
        ("n = 1e\n", "line 1, column 5: '1e' is not a valid number"),
        ("n = 00.5\n", "line 1, column 5: '00.5' is not a valid number"),
        ("n = 9223372036854775808\n", "line 1, column 5: '9223372036854775808' does not fit a 64-bit integer"),
        ("n = -9223372036854775809\n", "line 1, column 5: '-9223372036854775809' does not fit a 64-bit integer"),
        ("n = 0xFFFFFFFFFFFFFFFF\n", "line 1, column 5: '0xFFFFFFFFFFFFFFFF' does not fit a 64-bit integer"),
        ("b = True\n", "line 1, column 5: expected a value, got 'True'; a string must be in quotes"),
        ("s = alice\n", "line 1, column 5: expected a value, got 'alice'; a string must be in quotes"),
        ("d = 1979-05-27\n", "line 1, column 5: dates and times are not accepted here: no key takes one"),
        ("t = 07:32:00\n", "line 1, column 5: dates and times are not accepted here: no key takes one"),
        // Arrays.
        ("a = [1, 2\n", "line 1, column 5: unterminated array: ']' is missing"),
        ("a = [1 2]\n", "line 1, column 8: expected ',' or ']' after an array element"),
        ("a = [,]\n", "line 1, column 6: expected a value"),
        ("a = [1,,2]\n", "line 1, column 8: expected a value"),
        ("a = [\n1,\n# comment\n2 3]\n", "line 4, column 3: expected ',' or ']' after an array element"),
        // Inline tables.
        ("t = { a = 1\n", "line 1, column 5: unterminated inline table: '}' is missing on this line"),
        ("t = { a = 1,\nb = 2 }\n", "line 1, column 5: unterminated inline table: '}' is missing on this line"),
        ("t = { a = 1, }\n", "line 1, column 14: a trailing comma is not allowed in an inline table"),
        ("t = { a = 1 b = 2 }\n", "line 1, column 13: expected ',' or '}' after a value in an inline table"),
        ("t = { a }\n", "line 1, column 9: expected '=' after the key"),
        ("t = { = 1 }\n", "line 1, column 7: expected a key"),
        ("t = { a = 1 # no }\n", "line 1, column 13: expected ',' or '}' after a value in an inline table"),
        // The input on which toml++ aborted the process (Fuzz/crashes/config-loading).
        ("a = { b = { c = [ [1,  } ]1, }\n", "line 1, column 24: expected a value"),
    ]

    @Test("every malformed construct is refused with its line, column and reason")
    func malformedConstructs() {
        for (text, expected) in Self.malformed {
            #expect(T.error(text) == expected, "\(text.debugDescription)")
        }
    }

    @Test("a long bare word is quoted in the message by its first 40 characters")
    func longWordsAreShortenedInMessages() {
        let digits = String(repeating: "1", count: 5000)
        #expect(
            T.error("n = \(digits)\n")
                == "line 1, column 5: '\(String(repeating: "1", count: 40))…' does not fit a 64-bit integer")
        #expect(
            T.error("s = \(String(repeating: "x", count: 41))\n")
                == "line 1, column 5: expected a value, got '\(String(repeating: "x", count: 40))…'; a string must be in quotes")
    }

    @Test("columns count characters, not bytes")
    func columnsCountCharacters() {
        #expect(T.error("s = \"ünï\" = 1\n") == "line 1, column 11: expected the end of the line after the value")
        // A byte-order mark is skipped, not counted.
        #expect(T.error("\u{FEFF}x\n") == "line 1, column 2: expected '=' after the key")
    }

    @Test("nesting is bounded at 64 levels of tables and arrays, however it is written")
    func nestingIsBounded() throws {
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(T.error("a = \(deepest)\n") == nil)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(T.error("a = \(tooDeep)\n") == "line 1, column 69: nested more than 64 levels deep")
        #expect(T.error("a = " + String(repeating: "{b=", count: 65) + "1" + String(repeating: "}", count: 65) + "\n")
            == "line 1, column 197: nested more than 64 levels deep")
        let longHeader = (0..<65).map { "k\($0)" }.joined(separator: ".")
        #expect(T.error("[\(longHeader)]\n")?.hasSuffix(": nested more than 64 levels deep") == true)
        // A dotted key of 65 parts is 64 tables and a value, like a 64-part header and a key.
        #expect(T.error(longHeader + " = 1\n") == nil)
        #expect(T.error(longHeader + ".k65 = 1\n")?.hasSuffix(": nested more than 64 levels deep") == true)
        #expect(T.error("[" + (0..<64).map { "k\($0)" }.joined(separator: ".") + "]\n") == nil)
        // Table depth and value depth add up: 60 tables deep leaves room for 4 arrays.
        let sixty = (0..<60).map { "k\($0)" }.joined(separator: ".")
        #expect(T.error("[\(sixty)]\nv = [[[1]]]\n") == nil)
        #expect(T.error("[\(sixty)]\nv = [[[[[1]]]]]\n") == "line 2, column 9: nested more than 64 levels deep")
        // A hostile megabyte of brackets is refused quickly, not by overflowing the stack.
        #expect(T.error("a = " + String(repeating: "[", count: 1 << 20))?.hasSuffix("nested more than 64 levels deep") == true)
    }
}
