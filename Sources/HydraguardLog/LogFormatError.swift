/// Bad input in a usage-log file: says which file, which line and which field, and what was wrong.
///
/// A struct over a private code, so that new kinds of error do not break callers that match on
/// ``kind``.
public struct LogFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: Sendable, Hashable {
            case brokenLine, missingField, wrongType, badTimestamp, badValue, io
        }
        fileprivate let code: Code

        /// The line is not one JSON object.
        public static let brokenLine = Kind(code: .brokenLine)
        /// A required field is absent (or null).
        public static let missingField = Kind(code: .missingField)
        /// A field holds a value of the wrong JSON type.
        public static let wrongType = Kind(code: .wrongType)
        /// A timestamp is not RFC 3339.
        public static let badTimestamp = Kind(code: .badTimestamp)
        /// A field's value is outside what the spec allows.
        public static let badValue = Kind(code: .badValue)
        /// The file could not be opened or read.
        public static let io = Kind(code: .io)

        public var description: String {
            switch code {
            case .brokenLine: "broken line"
            case .missingField: "missing field"
            case .wrongType: "wrong type"
            case .badTimestamp: "bad timestamp"
            case .badValue: "bad value"
            case .io: "cannot read"
            }
        }
    }

    public var kind: Kind
    /// The file's path as given (`-` for standard input).
    public var file: String
    /// 1-based line number; 0 when the error is not about one line.
    public var line: Int
    /// The field's name, when the error is about one field.
    public var field: String?
    public var message: String

    public init(kind: Kind, file: String, line: Int, field: String?, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file
        if line > 0 { s += ":\(line)" }
        s += ": \(kind)"
        if let field { s += " in field `\(field)`" }
        s += ": \(message)"
        return s
    }
}

/// An error about one line, before the file and line number are known.
public struct LineError: Error, Sendable {
    public var kind: LogFormatError.Kind
    public var field: String?
    public var message: String

    public init(_ kind: LogFormatError.Kind, field: String?, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    func located(file: String, line: Int) -> LogFormatError {
        LogFormatError(kind: kind, file: file, line: line, field: field, message: message)
    }
}
