/// A verification level, weakest first (`usage-log.md`, "accounts").
public enum Tier: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case free, email, card, id, enterprise

    public var rank: Int { Tier.allCases.firstIndex(of: self)! }
    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }
}

/// One account: a line of an accounts file.
public struct AccountRecord: Sendable, Hashable {
    public var accountID: String
    public var orgID: String?
    public var createdAt: Timestamp
    public var tier: Tier
    /// Domain of the sign-up e-mail.
    public var emailDomain: String?
    /// Fingerprint of the payment instrument (a hash; same card, same value).
    public var paymentFingerprint: String?
    public var signupIP: String?
    /// ISO 3166-1 alpha-2.
    public var signupCountry: String?

    public init(
        accountID: String,
        orgID: String? = nil,
        createdAt: Timestamp,
        tier: Tier,
        emailDomain: String? = nil,
        paymentFingerprint: String? = nil,
        signupIP: String? = nil,
        signupCountry: String? = nil
    ) {
        self.accountID = accountID
        self.orgID = orgID
        self.createdAt = createdAt
        self.tier = tier
        self.emailDomain = emailDomain
        self.paymentFingerprint = paymentFingerprint
        self.signupIP = signupIP
        self.signupCountry = signupCountry
    }
}
