/// Bad IP-intelligence input: an address or network that does not parse, a range list line that does
/// not follow the spec, or a database file that is not a valid MMDB. Says which file, line and field.
///
/// A struct over a private code, so that new kinds of error do not break callers that match on ``kind``.
///
/// ```swift
/// do { _ = try IPAddress(parsing: "10.0.0.300") } catch let error as IntelError {
///     print(error)  // not an IP address: "10.0.0.300"
/// }
/// ```
public struct IntelError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Code: Sendable, Hashable {
            case badAddress, badNetwork, badRangeList, badDatabase, io, unsupported
        }
        fileprivate let code: Code

        /// Text that is not an IPv4 or IPv6 address.
        public static let badAddress = Kind(code: .badAddress)
        /// Text that is not a CIDR network.
        public static let badNetwork = Kind(code: .badNetwork)
        /// A range list (CSV) that does not follow the spec.
        public static let badRangeList = Kind(code: .badRangeList)
        /// A file that is not a valid MaxMind DB, or is corrupt.
        public static let badDatabase = Kind(code: .badDatabase)
        /// A file could not be opened, read or written.
        public static let io = Kind(code: .io)
        /// Valid input that this implementation cannot handle (e.g. a network the writer cannot place).
        public static let unsupported = Kind(code: .unsupported)

        public var description: String {
            switch code {
            case .badAddress: "bad address"
            case .badNetwork: "bad network"
            case .badRangeList: "bad range list"
            case .badDatabase: "bad database"
            case .io: "cannot read or write"
            case .unsupported: "unsupported"
            }
        }
    }

    public var kind: Kind
    /// The file's path, when the error is about a file.
    public var file: String?
    /// 1-based line number, when the error is about one line of a text file.
    public var line: Int?
    /// The field (CSV column or database key) the error is about.
    public var field: String?
    public var message: String

    public init(kind: Kind, file: String? = nil, line: Int? = nil, field: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = ""
        if let file {
            s += file
            if let line { s += ":\(line)" }
            s += ": "
        }
        s += "\(kind)"
        if let field { s += " in field `\(field)`" }
        return s + ": " + message
    }

    /// The same error, located in a file (and line).
    func located(file: String, line: Int? = nil) -> IntelError {
        var copy = self
        copy.file = file
        if let line { copy.line = line }
        return copy
    }
}
