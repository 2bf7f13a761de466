// Specification of TOML's table rules as the parser enforces them: headers, arrays of tables,
// dotted keys and inline tables, what each may add to, and the error (with the position of
// the offending key) for each thing TOML forbids.

import Testing

@testable import ExoDaemon

@Suite("TOML parser: tables and arrays of tables")
struct TOMLTableRulesTests {
    typealias T = TOMLText

    @Test func headersMakeNestedTablesAndMayDefineTheirParentsLater() throws {
        let document = try T.parse("[impairment.tenants.alice.to_tenants]\nloss_ppm = 1\n[impairment]\nseed = 7\n")
        let impairment = try #require(document["impairment"]?.table)
        #expect(impairment.keys == ["tenants", "seed"])
        #expect(impairment["tenants"]?.table?["alice"]?.table?["to_tenants"]?.table?["loss_ppm"] == .integer(1))
        #expect(try T.parse("[a.\"b c\"]\n")["a"]?.table?["b c"] == .table(TOMLTable()))
    }

    @Test func arraysOfTablesAppendAndHeadersUnderThemGoToTheLastElement() throws {
        let text = "[[tenant]]\nname = \"a\"\n[tenant.extra]\nx = 1\n[[tenant]]\nname = \"b\"\n[[tenant.port]]\np = 1\n"
        let tenants = try #require(try T.parse(text)["tenant"]?.array)
        #expect(tenants.count == 2)
        #expect(tenants[0].table?["name"] == .string("a"))
        #expect(tenants[0].table?["extra"]?.table?["x"] == .integer(1))
        #expect(tenants[1].table?["port"]?.array == [.table(TOMLTable([("p", .integer(1))]))])
    }

    @Test func dottedKeysMakeTablesThatLaterDottedKeysAndSubTableHeadersExtend() throws {
        let document = try T.parse("[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.texture]\nsmooth = true\n")
        let apple = try #require(document["fruit"]?.table?["apple"]?.table)
        #expect(apple.keys == ["color", "taste", "texture"])
    }

    /// The error each forbidden document gives: line, column (of the key at fault) and why.
    static let forbidden: [(String, String)] = [
        ("[frames]\ncount = 1\ncount = 2\n", "line 3, column 1: key 'count' is already defined"),
        ("a.b = 1\na.b = 2\n", "line 2, column 3: key 'a.b' is already defined"),
        ("[a]\n[a]\n", "line 2, column 2: table [a] is already defined"),
        ("[a.b]\n[a]\n[a]\n", "line 3, column 2: table [a] is already defined"),
        ("[a]\nb = 1\n[a.b]\n", "line 3, column 4: 'a.b' is already a value, not a table"),
        ("a = 1\n[a.b]\n", "line 2, column 2: 'a' is already a value, not a table"),
        ("[a]\nb.c = 1\n[a.b]\n", "line 3, column 4: table [a.b] was already made by dotted keys; a header cannot define it again"),
        ("[a.b]\nc = 1\n[a]\nb.d = 1\n", "line 4, column 1: table 'b' has its own [header]; a dotted key cannot add to it"),
        ("a = { b = 1 }\n[a]\n", "line 2, column 2: 'a' is an inline table ({ ... }); nothing can be added to it"),
        ("a = { b = 1 }\na.c = 2\n", "line 2, column 1: 'a' is an inline table ({ ... }); nothing can be added to it"),
        ("a = { b = 1 }\n[a.c]\n", "line 2, column 2: 'a' is an inline table ({ ... }); nothing can be added to it"),
        ("[[a]]\n[a]\n", "line 2, column 2: [a] is already an array of tables ([[a]]); a table header cannot define it"),
        ("[a]\n[[a]]\n", "line 2, column 3: 'a' is already a table; [[a]] cannot make it an array of tables"),
        ("a = []\n[[a]]\n", "line 2, column 3: 'a' is an array value (a = [...]); [[a]] cannot append to it"),
        ("a = 1\n[[a]]\n", "line 2, column 3: 'a' is already a value, not a table"),
        ("[x]\n[[x.t]]\n[x]\n", "line 3, column 2: table [x] is already defined"),
        ("{ a = 1, a = 2 }\n", "line 1, column 1: expected a key, a [table] header or a comment"),
        ("v = { a = 1, a = 2 }\n", "line 1, column 14: key 'a' is already defined"),
        ("v = { a.b = 1, a = 2 }\n", "line 1, column 16: key 'a' is already defined"),
        ("[[a]]\nb = 1\n[a.b]\n", "line 3, column 4: 'a.b' is already a value, not a table"),
        ("t = [1]\nt.x = 2\n", "line 2, column 1: 't' is already a value, not a table"),
    ]

    @Test("every forbidden redefinition is refused with the position of its key")
    func forbiddenRedefinitions() {
        for (text, expected) in Self.forbidden where !expected.isEmpty {
            #expect(T.error(text) == expected, "\(text.debugDescription)")
        }
    }

    @Test("a quoted header names the same table as a bare one")
    func quotedAndBareNamesAreTheSameKey() {
        #expect(
            T.error("[[ar]]\nx = 1\n[\"ar\"]\n")
                == "line 3, column 2: [ar] is already an array of tables ([[ar]]); a table header cannot define it")
        #expect(T.error("a = 1\n'a' = 2\n") == "line 2, column 1: key 'a' is already defined")
    }

    @Test("a dotted key reaches neither into an array of tables nor into another table's tables")
    func dottedKeysStayInTheirOwnTable() {
        // `t` and `arr` are new keys of [x]: tables of their own, legal.
        #expect(T.error("[[t]]\n[x]\nt.y = 1\n") == nil)
        #expect(T.error("[[arr]]\n[x]\narr.k = 1\n") == nil)
        // Inside the array's element, `a.b` makes a new table `a` in that element.
        #expect(T.error("[[a]]\na.b = 1\n") == nil)
        #expect(
            T.error("[[a.t]]\n[a]\nt.x = 1\n")
                == "line 3, column 1: 't' is an array of tables; a dotted key cannot add to it")
    }

    @Test("headers under an array of tables and its sub-tables")
    func headersUnderArraysOfTables() throws {
        let document = try T.parse("[x]\n[[x.t]]\n[x.t.u]\nk = 1\n[[x.t]]\n")
        let t = try #require(document["x"]?.table?["t"]?.array)
        #expect(t == [.table(TOMLTable([("u", .table(TOMLTable([("k", .integer(1))])))])), .table(TOMLTable())])
    }
}
