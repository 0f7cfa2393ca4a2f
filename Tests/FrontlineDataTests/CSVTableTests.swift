import Testing
@testable import FrontlineData

@Suite struct CSVTableTests {
    @Test func readsQuotedFieldsAndLineNumbers() throws {
        let text = "a,b,c\n1,\"x, y\",3\r\n\n4,\"say \"\"hi\"\"\",\"multi\nline\"\n7,8,9"
        let t = try CSVTable.parse(text, file: "t.csv")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows.count == 3)
        #expect(t.rows[0].fields == ["1", "x, y", "3"])
        #expect(t.rows[0].line == 2)
        #expect(t.rows[1].fields == ["4", "say \"hi\"", "multi\nline"])
        #expect(t.rows[1].line == 4)
        #expect(t.rows[2].line == 6)
    }

    @Test func reportsUnterminatedQuotesWithTheirLine() {
        #expect {
            try CSVTable.parse("a,b\n1,2\n3,\"oops\n", file: "t.csv")
        } throws: { error in
            (error as? DataProblem)?.description == "t.csv:3: unterminated quoted field"
        }
    }

    @Test func rejectsTextAfterClosingQuote() {
        #expect(throws: DataProblem.self) { try CSVTable.parse("a\n\"x\"y\n", file: "t.csv") }
    }

    @Test func missingColumnsAreNamed() throws {
        let t = try CSVTable.parse("date,place\n", file: "t.csv")
        #expect {
            try t.columns(["date", "place", "controller", "source"])
        } throws: { error in
            (error as? DataProblem)?.description.hasPrefix("t.csv:1: missing columns controller, source") == true
        }
    }

    @Test func quotesFieldsThatNeedIt() {
        #expect(csvField("Mosul") == "Mosul")
        #expect(csvField("a,b") == "\"a,b\"")
        #expect(csvField("say \"x\"") == "\"say \"\"x\"\"\"")
    }
}
