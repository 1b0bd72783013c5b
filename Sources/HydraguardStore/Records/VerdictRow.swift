public import GRDB

/// What the gateway does with an account's requests, weakest first.
///
/// `throttle` tightens limits, `degrade` caps output and withholds visible reasoning, `challenge` refuses
/// with "verification required", `block` refuses.
public enum GatewayVerdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case allow, watch, throttle, degrade, challenge, block

    public static func < (lhs: GatewayVerdict, rhs: GatewayVerdict) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The verdict in force for one account, and who set it.
public struct VerdictRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "verdicts"

    public var accountID: String
    public var verdict: String
    /// `audit`, `admin`, ...
    public var source: String
    public var reason: String?
    public var risk: Double?
    public var updatedAt: Double

    enum CodingKeys: String, CodingKey {
        case accountID = "account_id"
        case verdict, source, reason, risk
        case updatedAt = "updated_at"
    }

    public enum Columns {
        public static let accountID = Column(CodingKeys.accountID)
        public static let verdict = Column(CodingKeys.verdict)
        public static let source = Column(CodingKeys.source)
    }

    public var value: GatewayVerdict { GatewayVerdict(rawValue: verdict) ?? .allow }
}
