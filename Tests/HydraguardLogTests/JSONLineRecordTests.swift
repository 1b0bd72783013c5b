import Testing
@testable import HydraguardLog

/// The three line records: decoding, encoding, and the round trip through the writer and the reader.
@Suite struct JSONLineRecordTests {
    static let full = UsageEvent(
        ts: Timestamp(rfc3339: "2026-04-22T10:15:03.123456Z")!, requestID: "req_\"1\"", accountID: "acct_é",
        orgID: "org_1", keyID: "key_1", ip: "2001:db8::1", userAgent: "curl/8.5 \\ \u{1F600}",
        tlsFingerprint: "t13d1516h2_8daaf6152771_e5627efa2ab1", endpoint: "/v1/messages", model: "m-large",
        status: 429, inputTokens: 0, outputTokens: 0, latencyMs: 1234, stream: false, thinking: true,
        maxTokens: 64000, tools: 3, system: "You are a coding agent.\n\tBe terse.",
        prompt: "Write a function {\"a\": [1]}\r\nwith control \u{01}\u{1F} chars and 中文 and emoji 🧪")

    static let minimal = UsageEvent(
        ts: Timestamp(seconds: 1_776_852_903), requestID: "r", accountID: "a", keyID: "k", ip: "198.51.100.2",
        model: "m", inputTokens: 5, outputTokens: 6)

    @Test func usageEventRoundTripsThroughItsLine() throws {
        for event in [Self.full, Self.minimal] {
            #expect(try UsageEvent.decode(line: event.jsonLine) == event)
        }
    }

    @Test func nilOptionalsAreLeftOutOfTheLine() {
        let line = Self.minimal.jsonLine
        for key in ["org_id", "user_agent", "tls_fp", "endpoint", "latency_ms", "stream", "thinking", "max_tokens",
            "tools", "system", "prompt"]
        {
            #expect(!line.contains("\"\(key)\""), "\(key)")
        }
        #expect(line.hasPrefix(#"{"ts":"2026-04-22T10:15:03Z","request_id":"r""#))
    }

    @Test func optionalFieldsAbsentOrNullAreBothNil() throws {
        let nulls = #","org_id":null,"user_agent":null,"tls_fp":null,"endpoint":null,"latency_ms":null,"#
            + #""stream":null,"thinking":null,"max_tokens":null,"tools":null,"system":null,"prompt":null"#
        let withNulls = try UsageEvent.decode(line: eventLine(extra: nulls))
        let absent = try UsageEvent.decode(line: eventLine())
        #expect(withNulls == absent)
        #expect(absent.orgID == nil && absent.prompt == nil && absent.maxTokens == nil && absent.stream == nil)
    }

    @Test func requiredFieldNullIsMissing() {
        for field in ["ts", "request_id", "account_id", "key_id", "ip", "model", "status", "input_tokens",
            "output_tokens"]
        {
            let line = eventLine(extra: ",\"\(field)\":null")
            #expect {
                _ = try UsageEvent.decode(line: line)
            } throws: { error in
                let error = error as? LineError
                return error?.kind == .missingField && error?.field == field
            }
        }
    }

    @Test func accountRecordRoundTrips() throws {
        let account = AccountRecord(
            accountID: "acct_1", orgID: "org_9", createdAt: Timestamp(rfc3339: "2026-01-02T03:04:05.5Z")!, tier: .card,
            emailDomain: "example.org", paymentFingerprint: "pf_ab12", signupIP: "203.0.113.9", signupCountry: "NL")
        #expect(try AccountRecord.decode(line: account.jsonLine) == account)
        let bare = AccountRecord(accountID: "b", createdAt: Timestamp(seconds: 0), tier: .free)
        #expect(try AccountRecord.decode(line: bare.jsonLine) == bare)
        let decoded = try AccountRecord.decode(
            line: #"{"account_id":"c","created_at":"2026-01-01T00:00:00Z","tier":"enterprise","org_id":null,"#
                + #""email_domain":null,"payment_fp":null,"signup_ip":null,"signup_country":null,"extra":[1]}"#)
        #expect(decoded.tier == .enterprise)
        #expect(decoded.paymentFingerprint == nil)
    }

    @Test func accountErrorsNameTheField() {
        func failure(_ line: String) -> LineError? {
            do {
                _ = try AccountRecord.decode(line: line)
                return nil
            } catch { return error }
        }
        let e1 = failure(#"{"account_id":"a","created_at":"2026-01-01T00:00:00Z","tier":"gold"}"#)
        #expect(e1?.kind == .badValue && e1?.field == "tier")
        let e2 = failure(#"{"account_id":"a","tier":"free"}"#)
        #expect(e2?.kind == .missingField && e2?.field == "created_at")
        let e3 = failure(#"{"account_id":"a","created_at":"yesterday","tier":"free"}"#)
        #expect(e3?.kind == .badTimestamp && e3?.field == "created_at")
        let e4 = failure(#"{"account_id":7,"created_at":"2026-01-01T00:00:00Z","tier":"free"}"#)
        #expect(e4?.kind == .wrongType && e4?.field == "account_id")
    }

    @Test func labelRecordRoundTripsAndKeepsCampaignNull() throws {
        let attack = LabelRecord(accountID: "a1", label: .attack, archetype: "hydra", campaign: "c1")
        let benign = LabelRecord(accountID: "b1", label: .benign, archetype: "coding_agent")
        #expect(try LabelRecord.decode(line: attack.jsonLine) == attack)
        #expect(try LabelRecord.decode(line: benign.jsonLine) == benign)
        #expect(benign.jsonLine.contains(#""campaign":null"#))
        #expect(try LabelRecord.decode(line: #"{"account_id":"x","label":"benign","archetype":"student"}"#).campaign
            == nil)
        #expect {
            _ = try LabelRecord.decode(line: #"{"account_id":"x","label":"evil","archetype":"student"}"#)
        } throws: { error in
            (error as? LineError)?.kind == .badValue && (error as? LineError)?.field == "label"
        }
        #expect {
            _ = try LabelRecord.decode(line: #"{"account_id":"x","label":"attack"}"#)
        } throws: { error in
            (error as? LineError)?.kind == .missingField && (error as? LineError)?.field == "archetype"
        }
    }

    @Test func allThreeRecordsRoundTripThroughWriterAndReader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var events: [UsageEvent] = []
        for n in 0..<500 {
            var e = n % 2 == 0 ? Self.full : Self.minimal
            e.requestID = "req_\(n)"
            e.ts = e.ts.adding(seconds: Double(n) * 0.001)
            events.append(e)
        }
        let eventsPath = dir.file("events.jsonl")
        let ew = try JSONLinesWriter<UsageEvent>(path: eventsPath)
        for e in events { try ew.write(e) }
        #expect(ew.count == 500)
        try ew.finish()
        let readEvents = try #require(readAll(UsageEvent.self, [eventsPath], chunkSize: 4096).value)
        #expect(readEvents.records == events)
        #expect(readEvents.statistics.records == 500 && readEvents.statistics.lines == 500)

        let accounts = Tier.allCases.enumerated().map { n, tier in
            AccountRecord(accountID: "a\(n)", createdAt: Timestamp(seconds: Int64(n) * 86_400), tier: tier,
                emailDomain: n % 2 == 0 ? "x.example" : nil)
        }
        let accountsPath = dir.file("accounts.jsonl.gz")
        let aw = try JSONLinesWriter<AccountRecord>(path: accountsPath)
        for a in accounts { try aw.write(a) }
        try aw.finish()
        #expect(readAll(AccountRecord.self, [accountsPath]).value?.records == accounts)

        let labels = [
            LabelRecord(accountID: "a0", label: .benign, archetype: "student"),
            LabelRecord(accountID: "a1", label: .attack, archetype: "hydra", campaign: "c7"),
        ]
        let labelsPath = dir.file("labels.jsonl")
        let lw = try JSONLinesWriter<LabelRecord>(path: labelsPath)
        for l in labels { try lw.write(l) }
        try lw.finish()
        #expect(readAll(LabelRecord.self, [labelsPath]).value?.records == labels)
    }

    @Test func fileKinds() {
        #expect(UsageEvent.fileKind == "events")
        #expect(AccountRecord.fileKind == "accounts")
        #expect(LabelRecord.fileKind == "labels")
    }
}
