public import Foundation

/// What `hydraguard audit` answers (`usage-log.md`, "findings"): one JSON object.
public struct Findings: Sendable, Hashable, Codable {
    public var version: Int
    public var generatedAt: String
    public var window: Window
    /// Every account whose verdict is not `allow`.
    public var accounts: [AccountFinding]
    public var campaigns: [Campaign]

    public struct Window: Sendable, Hashable, Codable {
        public var from: String
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case allow, watch, throttle, challenge, block

        /// `throttle`, `challenge` and `block` act against the account; `allow` and `watch` do not.
        public var isAction: Bool { self >= .throttle }

        public static func < (lhs: Verdict, rhs: Verdict) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// A signal and what was seen of it, in numbers a person can check.
    public struct Reason: Sendable, Hashable, Codable {
        public var signal: String
        public var detail: String
        public var weight: Double?

        public init(signal: String, detail: String, weight: Double? = nil) {
            self.signal = signal
            self.detail = detail
            self.weight = weight
        }
    }

    public struct AccountFinding: Sendable, Hashable, Codable {
        public var accountID: String
        public var risk: Double
        public var verdict: Verdict
        public var campaign: String?
        public var reasons: [Reason]

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case risk, verdict, campaign, reasons
        }

        public init(accountID: String, risk: Double, verdict: Verdict, campaign: String?, reasons: [Reason]) {
            self.accountID = accountID
            self.risk = risk
            self.verdict = verdict
            self.campaign = campaign
            self.reasons = reasons
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(accountID, forKey: .accountID)
            try c.encode(risk, forKey: .risk)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(campaign, forKey: .campaign)  // explicit null for a lone account
            try c.encode(reasons, forKey: .reasons)
        }
    }

    public struct Campaign: Sendable, Hashable, Codable {
        public var id: String
        public var accounts: [String]
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var firstSeen: String
        public var lastSeen: String
        public var targets: [String]
        public var evidence: [Reason]

        enum CodingKeys: String, CodingKey {
            case id, accounts, requests
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
            case firstSeen = "first_seen"
            case lastSeen = "last_seen"
            case targets, evidence
        }

        public init(
            id: String, accounts: [String], requests: Int, inputTokens: Int, outputTokens: Int, firstSeen: String,
            lastSeen: String, targets: [String], evidence: [Reason]
        ) {
            self.id = id
            self.accounts = accounts
            self.requests = requests
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.firstSeen = firstSeen
            self.lastSeen = lastSeen
            self.targets = targets
            self.evidence = evidence
        }
    }

    enum CodingKeys: String, CodingKey {
        case version
        case generatedAt = "generated_at"
        case window, accounts, campaigns
    }

    public init(version: Int = 1, generatedAt: String, window: Window, accounts: [AccountFinding], campaigns: [Campaign]) {
        self.version = version
        self.generatedAt = generatedAt
        self.window = window
        self.accounts = accounts
        self.campaigns = campaigns
    }
}

/// A findings file that does not follow the spec.
public struct FindingsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// Where in the document, e.g. `accounts[3].verdict`.
    public var field: String
    public var message: String

    public init(file: String, field: String, message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String { "\(file): field `\(field)`: \(message)" }
}

extension Findings {
    /// Reads and validates a findings file against the spec.
    public static func read(path: String) throws -> Findings {
        let data: Data
        do {
            data = try path == "-" ? FileHandle.standardInput.readToEnd() ?? Data() : Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FindingsError(file: path, field: "(file)", message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, file: path)
    }

    /// Decodes and validates findings JSON; errors name the field by its path in the document.
    public static func decode(_ data: Data, file: String) throws -> Findings {
        let findings: Findings
        do {
            findings = try JSONDecoder().decode(Findings.self, from: data)
        } catch let error as DecodingError {
            throw FindingsError(decoding: error, file: file)
        }
        try findings.validate(file: file)
        return findings
    }

    /// Checks the rules the spec adds to the shape: verdicts, risk range, campaign membership both ways.
    public func validate(file: String) throws {
        guard version == 1 else { throw FindingsError(file: file, field: "version", message: "expected 1, found \(version)") }
        var campaignOf: [String: String?] = [:]
        for (index, account) in accounts.enumerated() {
            let at = "accounts[\(index)]"
            guard account.risk.isFinite, (0...1).contains(account.risk) else {
                throw FindingsError(file: file, field: "\(at).risk", message: "\(account.risk) is not in [0, 1]")
            }
            guard campaignOf.updateValue(account.campaign, forKey: account.accountID) == nil else {
                throw FindingsError(file: file, field: "\(at).account_id", message: "\(account.accountID) is listed twice")
            }
            for (r, reason) in account.reasons.enumerated() where reason.signal.isEmpty {
                throw FindingsError(file: file, field: "\(at).reasons[\(r)].signal", message: "empty signal name")
            }
        }
        var seenCampaigns = Set<String>()
        for (index, campaign) in campaigns.enumerated() {
            let at = "campaigns[\(index)]"
            guard seenCampaigns.insert(campaign.id).inserted else {
                throw FindingsError(file: file, field: "\(at).id", message: "campaign \(campaign.id) is listed twice")
            }
            for (a, member) in campaign.accounts.enumerated() {
                guard let assigned = campaignOf[member] else {
                    throw FindingsError(
                        file: file, field: "\(at).accounts[\(a)]",
                        message: "\(member) is in campaign \(campaign.id) but has no entry in `accounts`")
                }
                guard assigned == campaign.id else {
                    throw FindingsError(
                        file: file, field: "\(at).accounts[\(a)]",
                        message: "\(member) is in campaign \(campaign.id) but its own `campaign` is \(assigned ?? "null")")
                }
            }
        }
        let members = Dictionary(campaigns.map { ($0.id, Set($0.accounts)) }, uniquingKeysWith: { a, _ in a })
        for (index, account) in accounts.enumerated() {
            guard let campaign = account.campaign else { continue }
            guard let set = members[campaign] else {
                throw FindingsError(
                    file: file, field: "accounts[\(index)].campaign", message: "campaign \(campaign) is not in `campaigns`")
            }
            guard set.contains(account.accountID) else {
                throw FindingsError(
                    file: file, field: "accounts[\(index)].campaign",
                    message: "\(account.accountID) names campaign \(campaign), which does not list it")
            }
        }
    }

    /// The findings as pretty, stable JSON.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Writes the findings beside `path` and renames them into place: never a partial file.
    public func write(to path: String) throws {
        let data = try encoded() + Data("\n".utf8)
        if path == "-" {
            FileHandle.standardOutput.write(data)
            return
        }
        try writeFileAtomically([UInt8](data), to: path)
    }
}

extension FindingsError {
    /// The decoding error of a findings document (or of one inside another), naming the field by its path.
    public init(decoding error: DecodingError, file: String) {
        func path(_ keys: [any CodingKey]) -> String {
            var s = ""
            for key in keys {
                if let index = key.intValue {
                    s += "[\(index)]"
                } else {
                    s += s.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return s.isEmpty ? "(document)" : s
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            self.init(file: file, field: at, message: "required field is missing")
        case .typeMismatch(let type, let context):
            self.init(file: file, field: path(context.codingPath), message: "wrong type, expected \(type)")
        case .valueNotFound(let type, let context):
            self.init(file: file, field: path(context.codingPath), message: "null where \(type) is required")
        case .dataCorrupted(let context):
            let detail = (context.underlyingError as NSError?)?.userInfo["NSDebugDescription"] as? String
            self.init(
                file: file, field: path(context.codingPath),
                message: detail.map { "not valid JSON: \($0)" } ?? context.debugDescription)
        @unknown default:
            self.init(file: file, field: "(document)", message: "\(error)")
        }
    }
}
