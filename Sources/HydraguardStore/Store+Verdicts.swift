import GRDB
public import HydraguardLog

extension Store {
    /// Sets one account's verdict.
    public func setVerdict(
        accountID: String, verdict: GatewayVerdict, source: String, reason: String? = nil, risk: Double? = nil
    ) throws {
        try writer.write { db in
            try VerdictRow(
                accountID: accountID, verdict: verdict.rawValue, source: source, reason: reason, risk: risk,
                updatedAt: Store.now()
            ).upsert(db)
        }
    }

    public func verdict(accountID: String) throws -> VerdictRow? {
        try writer.read { db in try VerdictRow.fetchOne(db, key: accountID) }
    }

    public func verdicts() throws -> [VerdictRow] {
        try writer.read { db in try VerdictRow.order(VerdictRow.Columns.accountID).fetchAll(db) }
    }

    /// Applies an audit's findings, in one transaction: every listed account gets its verdict (with the
    /// first reason and the risk), and every account this `source` had set before but the findings no longer
    /// list goes back to `allow` (the spec: an account not listed is `allow`). Verdicts set by another
    /// source (e.g. `admin`) are left alone. Returns how many rows changed.
    ///
    /// With `audited`, the accounts the audit saw events of, only those go back to `allow`: an account with
    /// no events in the audit's window was not judged, so its verdict stays. This is what a repeated audit
    /// of a sliding window needs, so that an account that went quiet (or was blocked and gave up) is not let
    /// back in because its evidence aged out of the window.
    ///
    /// ```swift
    /// let findings = try Findings.read(path: "findings.json")
    /// try store.applyVerdicts(from: findings, source: "audit")
    /// ```
    @discardableResult
    public func applyVerdicts(from findings: Findings, source: String = "audit", audited: Set<String>? = nil) throws -> Int {
        try writer.write { db in
            let now = Store.now()
            var changed = 0
            var listed = Set<String>()
            for finding in findings.accounts {
                listed.insert(finding.accountID)
                let verdict = GatewayVerdict(rawValue: finding.verdict.rawValue) ?? .allow
                if let existing = try VerdictRow.fetchOne(db, key: finding.accountID), existing.source != source {
                    // A person's decision outranks the audit unless the audit is stricter.
                    if existing.value >= verdict { continue }
                }
                let reason = finding.reasons.first.map { "\($0.signal): \($0.detail)" }
                try VerdictRow(
                    accountID: finding.accountID, verdict: verdict.rawValue, source: source, reason: reason,
                    risk: finding.risk, updatedAt: now
                ).upsert(db)
                changed += 1
            }
            let stale = try VerdictRow.filter(VerdictRow.Columns.source == source).fetchAll(db)
            for var row in stale
            where !listed.contains(row.accountID) && row.value != .allow && audited?.contains(row.accountID) != false {
                row.verdict = GatewayVerdict.allow.rawValue
                row.reason = "no longer listed by \(source)"
                row.risk = nil
                row.updatedAt = now
                try row.update(db)
                changed += 1
            }
            return changed
        }
    }
}
