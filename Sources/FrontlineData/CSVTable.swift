import Foundation

/// A problem found in a data file, located by file and line, printed as
/// `file:line: message`.
public struct DataProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public let file: String
    public let line: Int?
    public let message: String
    public let severity: Severity

    public init(file: String, line: Int? = nil, _ message: String, severity: Severity = .error) {
        self.file = file; self.line = line; self.message = message; self.severity = severity
    }

    public var description: String {
        let loc = line.map { "\(file):\($0)" } ?? file
        return severity == .warning ? "\(loc): warning: \(message)" : "\(loc): \(message)"
    }
}

/// Several problems at once: `validate` lists them all, other commands print them
/// and stop.
public struct DataProblems: Error, CustomStringConvertible {
    public let problems: [DataProblem]
    public init(_ problems: [DataProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// One CSV row with the line it started on, for error messages.
public struct CSVRow: Sendable {
    public let line: Int
    public let fields: [String]
}

/// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends.
/// Rejects unterminated quotes and text after a closing quote with a line number.
public struct CSVTable: Sendable {
    public let file: String
    public let header: [String]
    public let rows: [CSVRow]

    public static func read(path: String, displayName: String? = nil) throws -> CSVTable {
        let name = displayName ?? path
        guard let data = FileBytes.read(path) else {
            throw DataProblem(file: name, "cannot read the file")
        }
        return try parse(data, file: name)
    }

    /// Parses the bytes of a CSV file (UTF-8 text).
    public static func parse(_ data: Data, file name: String) throws -> CSVTable {
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataProblem(file: name, "not valid UTF-8 text")
        }
        return try parse(text, file: name)
    }

    public static func parse(_ text: String, file: String) throws -> CSVTable {
        var records: [CSVRow] = []
        var field: [UInt8] = []
        var fields: [String] = []
        var line = 1, recordLine = 1
        var inQuotes = false, afterQuote = false, fieldStarted = false
        let bytes = Array(text.utf8)
        var i = bytes.startIndex
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i += 3 }

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            afterQuote = false; fieldStarted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRow(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b); i += 1
                    } else {
                        inQuotes = false; afterQuote = true
                    }
                } else {
                    if b == UInt8(ascii: "\n") { line += 1 }
                    field.append(b)
                }
            } else {
                switch b {
                case UInt8(ascii: ","):
                    endField()
                case UInt8(ascii: "\n"):
                    endRecord(); line += 1; recordLine = line
                case UInt8(ascii: "\r"):
                    if !(i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n")) {
                        throw DataProblem(file: file, line: line, "stray carriage return")
                    }
                case UInt8(ascii: "\""):
                    if fieldStarted || afterQuote {
                        throw DataProblem(file: file, line: line, "quote inside an unquoted field; quote the whole field and double inner quotes")
                    }
                    inQuotes = true; fieldStarted = true
                default:
                    if afterQuote {
                        throw DataProblem(file: file, line: line, "text after a closing quote")
                    }
                    field.append(b); fieldStarted = true
                }
            }
            i += 1
        }
        if inQuotes { throw DataProblem(file: file, line: recordLine, "unterminated quoted field") }
        if fieldStarted || afterQuote || !fields.isEmpty { endRecord() }

        guard let first = records.first else { throw DataProblem(file: file, line: 1, "empty file; expected a header row") }
        return CSVTable(file: file, header: first.fields.map { $0.trimmedSpaces },
                        rows: Array(records.dropFirst()))
    }

    /// Checks that the header holds `required` columns (in any order) and returns their indices.
    public func columns(_ required: [String]) throws -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, h) in header.enumerated() where index[h] == nil { index[h] = i }
        let missing = required.filter { index[$0] == nil }
        if !missing.isEmpty {
            throw DataProblem(file: file, line: 1,
                              "missing column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")); header must include \(required.joined(separator: ","))")
        }
        return index
    }
}

extension CSVRow {
    public subscript(_ column: String, in index: [String: Int]) -> String {
        guard let i = index[column], i < fields.count else { return "" }
        return fields[i].trimmedSpaces
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (not line breaks). Pure Swift: Foundation's
    /// `trimmingCharacters(in:)` bridges every field through NSString, a third of loading the data.
    var trimmedSpaces: String {
        // Most fields begin and end with a visible ASCII character: nothing to trim.
        if let f = utf8.first, let l = utf8.last, f > 0x20, f < 0x80, l > 0x20, l < 0x80 { return self }
        func isSpace(_ c: Character) -> Bool { c.isWhitespace && !c.isNewline }
        guard let f = first, let l = last, isSpace(f) || isSpace(l) else { return self }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return String(self[start...end])
    }
}

/// Quotes a CSV field when it needs it.
public func csvField(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
}
