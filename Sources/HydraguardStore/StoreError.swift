/// A store operation that could not be done, with what to fix.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case notFound, conflict, invalid, database
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    public static func conflict(_ message: String) -> StoreError { StoreError(.conflict, message) }
    public static func invalid(_ message: String) -> StoreError { StoreError(.invalid, message) }
    public static func database(_ message: String) -> StoreError { StoreError(.database, message) }

    public var isNotFound: Bool { code == .notFound }
    public var isConflict: Bool { code == .conflict }
    public var isInvalid: Bool { code == .invalid }

    public var description: String { message }
}
