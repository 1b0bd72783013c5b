import ArgumentParser
import AsyncHTTPClient
import Foundation
import HydraguardDetection
import HydraguardGateway
import HydraguardLog
import HydraguardStore

extension Hydraguard {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find distillation accounts and the campaigns that tie them together.",
            discussion: """
                Reads usage logs (usage-log.md: events and accounts, JSON Lines, .gz or - for standard input) \
                and writes findings: every account that is not plainly honest, with a graded verdict (watch, \
                throttle, challenge, block), a risk in [0, 1] and the reasons in numbers a person can check, \
                and the campaigns that tie accounts together, with their evidence.

                With --store, it reads the records and accounts of a gateway's store instead, while the gateway \
                runs: the last 7 days (--since), again every --every, with --apply writing the verdicts back for \
                the gateway to enforce. Only accounts with records in the window can go back to allow; a \
                person's verdict is never weakened. --apply-url sends the verdicts to a gateway's admin API \
                instead, for an audit run on another host.

                Exit status: 0 when the findings were written, 1 on bad input (the message names the file, the \
                line and the field). A findings file is never left half-written.

                Examples:
                  hydraguard audit --events out/small/events.jsonl.gz --accounts out/small/accounts.jsonl \\
                      --out findings.json --report report.html --ip-ranges out/small/ip-ranges.csv
                  zcat events-*.jsonl.gz | hydraguard audit --events - --accounts accounts.jsonl --out -
                  nice -n 19 hydraguard audit --store hydraguard.sqlite --since 7d --every 15m --workers 1 \\
                      --apply hydraguard.sqlite --accounts billing-accounts.jsonl --out findings.json
                """
        )

        @OptionGroup var inputs: AuditInputs

        @Option(name: .long, help: "Where to write the findings JSON (- for standard output).")
        var out: String

        @Option(name: .long, help: "Also write a self-contained HTML report here.")
        var report: String?

        @Option(
            name: .customLong("dump-accounts"),
            help: "Also write every account's risk, signals and ties as JSON Lines (allow included), for calibration.")
        var dumpAccounts: String?

        @Option(
            name: .long,
            help: "Apply the verdicts to a gateway store (SQLite), so the gateway enforces them at once.")
        var apply: String?

        @Option(
            name: .customLong("apply-url"),
            help: ArgumentHelp(
                "Send the verdicts to a gateway's admin API (http://host:port), for an audit run on another host; "
                    + "the token is read from HYDRAGUARD_ADMIN_TOKEN.",
                valueName: "url"))
        var applyURL: String?

        @Flag(name: .long, help: "Print how long each stage took and its events/s.")
        var timings = false

        @Flag(name: .shortAndLong, help: "No progress on standard error.")
        var quiet = false

        @Option(
            name: .long,
            help: ArgumentHelp(
                "With --store: audit again every this long (15m, 1h, ...), rewriting the outputs and applying the "
                    + "verdicts each time, until stopped.",
                valueName: "interval"))
        var every: String?

        @Option(
            name: .customLong("metrics-file"),
            help: "Write each audit's Prometheus metrics here (runs, failures, last success, accounts by verdict).")
        var metricsFile: String?

        func validate() throws {
            if let applyURL {
                guard let url = URL(string: applyURL), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                    throw ValidationError("--apply-url: '\(applyURL)' is not an http:// or https:// address of the admin API")
                }
                guard Self.adminToken != nil else {
                    throw ValidationError("--apply-url needs the admin token in HYDRAGUARD_ADMIN_TOKEN")
                }
            }
            guard let every else { return }
            guard inputs.store != nil else { throw ValidationError("--every needs --store (it re-reads the store's records)") }
            guard out != "-" else { throw ValidationError("--every needs --out to name a file (each audit replaces it)") }
            _ = try Self.interval(every)
        }

        func run() async throws {
            let metrics = metricsFile.map { AuditMetrics(path: $0) }
            guard let every else {
                try await measured(metrics)
                return
            }
            let interval = try Self.interval(every)
            // The first audit's errors end the command (a wrong path or file is not worth retrying); later
            // ones (the store busy for longer than its timeout, a disk full) are reported and retried.
            try await measured(metrics)
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(interval))
                do {
                    try await measured(metrics)
                } catch {
                    FileHandle.standardError.write(
                        Data("hydraguard: audit failed, trying again in \(every): \(error)\n".utf8))
                }
            }
        }

        /// One audit, counted in the metrics file when there is one.
        func measured(_ metrics: AuditMetrics?) async throws {
            let start = ContinuousClock.now
            do {
                let (result, changed) = try await auditOnce()
                try metrics?.succeeded(result, seconds: (ContinuousClock.now - start) / .seconds(1), changed: changed)
            } catch {
                try? metrics?.failed()
                throw error
            }
        }

        /// One audit: the findings (and report, dump) written, the verdicts applied, the table printed.
        /// Returns the result and how many verdicts changed (nil when none were applied).
        func auditOnce() async throws -> (AuditResult, Int?) {
            var changedCount: Int?
            let result = try inputs.runAudit(quiet: quiet)
            let findings = result.findings()
            do {
                try findings.write(to: out)
                if let report {
                    try HTMLReport(result: result, findings: findings).render()
                        .writeAtomically(to: report)
                }
            } catch {
                throw CLIError("cannot write output: \(error.localizedDescription)")
            }
            if let dumpAccounts { try AccountDump(result: result).write(to: dumpAccounts) }
            // Only accounts with events in this audit can go back to allow: one with none was not judged.
            let audited = Set(result.judged.map(\.profile.accountID))
            if let apply {
                let store = try AuditInputs.openStore(apply)
                do {
                    let changed = try store.applyVerdicts(from: findings, audited: audited)
                    changedCount = changed
                    FileHandle.standardError.write(Data("hydraguard: applied verdicts to \(apply): \(changed) changed\n".utf8))
                } catch {
                    throw CLIError("cannot apply verdicts to \(apply): \(error)")
                }
            }
            if let applyURL {
                let changed = try await Self.send(findings, audited: audited, to: applyURL)
                changedCount = (changedCount ?? 0) + changed
                FileHandle.standardError.write(Data("hydraguard: applied verdicts through \(applyURL): \(changed) changed\n".utf8))
            }
            if out != "-" { print(CampaignTable(result: result).render()) }
            if timings { print(StageTable(result: result).render()) }
            // Each audit's lines as it ends, not when a pipe's buffer fills: `--every` runs until stopped.
            fflush(nil)  // nil: every open output stream
            return (result, changedCount)
        }

        static var adminToken: String? {
            ProcessInfo.processInfo.environment["HYDRAGUARD_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        }

        /// Posts the findings and the accounts audited to the gateway's `POST /admin/findings`; returns how
        /// many verdicts changed. The admin token goes in the header only, never in a message.
        static func send(_ findings: Findings, audited: Set<String>, to base: String) async throws -> Int {
            guard let token = adminToken else { throw CLIError("--apply-url needs the admin token in HYDRAGUARD_ADMIN_TOKEN") }
            let body = try JSONEncoder().encode(FindingsUpload(findings: findings, audited: audited.sorted()))
            var request = HTTPClientRequest(url: base.hasSuffix("/") ? base + "admin/findings" : base + "/admin/findings")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer " + token)
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(body)
            let answer: [String: Any]
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                let bytes = try await response.body.collect(upTo: 1 << 20)
                answer = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]) ?? [:]
                guard response.status == .ok else {
                    throw CLIError(
                        "\(base): the admin API answered \(response.status.code): \(answer["error"] as? String ?? "no error message")")
                }
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("\(base): cannot send the verdicts: \(error)")
            }
            return answer["changed"] as? Int ?? 0
        }

        /// Seconds in an interval given as `15m`, `1h`, `30s`, `1d`.
        static func interval(_ text: String) throws -> Int64 {
            guard let seconds = AuditInputs.seconds(in: text), seconds <= 365 * 86_400 else {
                throw ValidationError("--every: '\(text)' is not an interval such as 15m, 1h, 30s or 1d")
            }
            return seconds
        }
    }
}

/// The inputs of an audit, shared by `audit` and `demo`.
struct AuditInputs: ParsableArguments {
    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Events files or folders of them (JSON Lines, .gz, or - for standard input).")
    var events: [String] = []

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Accounts files (JSON Lines, .gz). With --store, they add to the store's accounts and win over them.")
    var accounts: [String] = []

    @Option(
        name: .long,
        help: "Read the events and accounts from a gateway store (SQLite) instead of files, while the gateway runs.")
    var store: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "With --store: audit the records that arrived in this window: 7d, 24h, 90m, or an RFC 3339 time (default 7d).",
            valueName: "window"))
    var since: String?

    @Option(name: .long, help: "Country database (MMDB, GeoLite2 or DB-IP layout).")
    var geoip: String?

    @Option(name: .long, help: "ASN database (MMDB, GeoLite2 or DB-IP layout).")
    var asn: String?

    @Option(name: .customLong("ip-ranges"), parsing: .upToNextOption, help: "IP range lists (CSV: cidr,kind,provider).")
    var ipRanges: [String] = []

    @Option(
        name: .customLong("restricted-countries"),
        help: "Comma-separated ISO country codes whose direct connections breach policy.")
    var restrictedCountries: String = "KP,IR,CU,SY,RU,BY"

    @Flag(name: .long, help: "Skip bad lines (counted and reported) instead of stopping at the first.")
    var lenient = false

    @Option(help: "Parallel workers (default: all cores).")
    var workers: Int = 0

    @Option(
        name: .customLong("template-similarity"),
        help: "Estimated Jaccard similarity at which two prompts count as one template (0-1).")
    var templateSimilarity: Double = AuditConfiguration().templateSimilarity

    func validate() throws {
        if store != nil {
            guard events.isEmpty else { throw ValidationError("--events and --store: give one source of events, not both") }
            if let since { _ = try Self.windowStart(since, now: Timestamp(secondsSince1970: 0)) }
        } else {
            guard !events.isEmpty else { throw ValidationError("--events needs at least one file (or --store)") }
            guard !accounts.isEmpty else { throw ValidationError("--accounts needs at least one file") }
            guard since == nil else { throw ValidationError("--since needs --store (it selects the store's records)") }
        }
        for code in restrictedCountries.split(separator: ",") where code.count != 2 {
            throw ValidationError("--restricted-countries: '\(code)' is not a two-letter country code")
        }
    }

    func runAudit(quiet: Bool) throws -> AuditResult {
        let resolver: any AddressResolver
        do {
            resolver = try IntelResolver.load(countryDB: geoip, asnDB: asn, rangeLists: ipRanges)
        } catch {
            throw CLIError("\(error)")
        }
        var configuration = AuditConfiguration(templateSimilarity: templateSimilarity, workers: workers)
        configuration.restrictedCountries = Set(restrictedCountries.split(separator: ",").map { $0.uppercased() })
        let audit = HydraguardDetection.Audit(configuration: configuration, resolver: resolver, lenient: lenient)
        let progress = { (line: String) in
            if !quiet { FileHandle.standardError.write(Data("hydraguard: \(line)\n".utf8)) }
        }
        do {
            if let store { return try auditStore(store, with: audit, progress: progress) }
            return try audit.run(events: try expand(events), accounts: try expand(accounts), progress: progress)
        } catch let error as LogFormatError {
            throw CLIError(error.description)
        }
    }

    /// The audit of a gateway store's records since `--since` (7 days by default), with its accounts and
    /// those of `--accounts`, which win: the store keeps no payment, e-mail or sign-up fields.
    private func auditStore(_ path: String, with audit: HydraguardDetection.Audit, progress: (String) -> Void) throws
        -> AuditResult
    {
        let opened = try Self.openStore(path)
        let start = try Self.windowStart(since ?? "7d", now: Timestamp(secondsSince1970: Date().timeIntervalSince1970))
        var records: [AccountRecord]
        var batches = opened.usageBatches(since: start)
        do {
            records = try opened.accountRecords()
        } catch {
            throw CLIError("\(path): cannot read the accounts: \(error)")
        }
        if !accounts.isEmpty {
            let (fromFiles, _) = try JSONLinesReader<AccountRecord>(paths: try expand(accounts), lenient: lenient).readAll()
            let named = Set(fromFiles.map(\.accountID))
            records = records.filter { !named.contains($0.accountID) } + fromFiles
        }
        progress("reading \(path): records since \(start.rfc3339), \(records.count) accounts")
        do {
            return try audit.run(accounts: records, progress: progress) { try batches.next() }
        } catch let error as LogFormatError {
            throw error
        } catch {
            throw CLIError("\(path): cannot read the records: \(error)")
        }
    }

    /// Opens a gateway store that must exist (so that a mistyped path is an error, not a new empty store).
    /// Neither reading records nor setting verdicts touches a key, so the key-hashing secret is not needed.
    static func openStore(_ path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("\(path): no such store (the gateway's store.path, e.g. hydraguard.sqlite)")
        }
        let secret = ProcessInfo.processInfo.environment["HYDRAGUARD_KEY_SECRET"] ?? "verdicts-only"
        do {
            return try Store(path: path, keyHashSecret: Data(secret.utf8))
        } catch {
            throw CLIError("\(path): cannot open the store: \(error)")
        }
    }

    /// Where a window given as `7d`, `24h`, `90m`, `30s` (before `now`) or an RFC 3339 time starts.
    static func windowStart(_ text: String, now: Timestamp) throws -> Timestamp {
        if let time = Timestamp(rfc3339: text) { return time }
        guard let seconds = seconds(in: text) else {
            throw ValidationError(
                "--since: '\(text)' is neither a duration (7d, 24h, 90m, 30s) nor an RFC 3339 time (2026-04-22T00:00:00Z)")
        }
        return Timestamp(microseconds: now.microseconds - seconds * 1_000_000)
    }

    /// The seconds in `7d`, `24h`, `90m` or `30s` (at most a hundred years), nil for anything else.
    static func seconds(in text: String) -> Int64? {
        let units: [Character: Int64] = ["d": 86_400, "h": 3_600, "m": 60, "s": 1]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int64(text.dropLast()), count > 0,
            count <= 100 * 365 * 86_400 / unit
        else { return nil }
        return count * unit
    }

    /// Folders stand for the events files inside them (`events*.jsonl[.gz]`), in name order.
    func expand(_ paths: [String]) throws -> [String] {
        try paths.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue
            else { return [path] }
            let names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasPrefix("events") && ($0.hasSuffix(".jsonl") || $0.hasSuffix(".jsonl.gz")) }.sorted()
            guard !names.isEmpty else { throw CLIError("\(path): no events*.jsonl or events*.jsonl.gz files in this folder") }
            return names.map { (path as NSString).appendingPathComponent($0) }
        }
    }
}

/// An error for a person: printed as it is, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The campaigns found, as a text table.
struct CampaignTable {
    var result: AuditResult

    func render() -> String {
        let campaigns = result.campaigns
        var verdicts: [Findings.Verdict: Int] = [:]
        for j in result.judged { verdicts[j.verdict, default: 0] += 1 }
        var lines = [
            "audited \(result.eventStatistics.records) events of \(result.judged.count) accounts: "
                + "\(verdicts[.block] ?? 0) block, \(verdicts[.challenge] ?? 0) challenge, "
                + "\(verdicts[.throttle] ?? 0) throttle, \(verdicts[.watch] ?? 0) watch; \(campaigns.count) campaigns"
        ]
        if result.eventStatistics.skipped > 0 {
            lines.append("skipped \(result.eventStatistics.skipped) bad lines (lenient)")
            for sample in result.eventStatistics.skippedSamples { lines.append("  \(sample)") }
        }
        if !campaigns.isEmpty {
            lines.append(
                "campaign  accounts   requests  output tokens  risk  targets                  first seen → last seen")
            for c in campaigns {
                lines.append(
                    c.id.padding(toLength: 8, withPad: " ", startingAt: 0)
                        + String(c.members.count).leftPad(10) + String(c.requests).leftPad(11)
                        + String(c.outputTokens).leftPad(15) + String(format: "%6.2f", c.assessment.risk) + "  "
                        + c.assessment.targets.joined(separator: ",").padding(toLength: 24, withPad: " ", startingAt: 0)
                        + " " + c.first.rfc3339.prefix(10) + " → " + c.last.rfc3339.prefix(10))
                if let top = c.assessment.evidence.first { lines.append("          \(top.name): \(top.detail.prefix(150))") }
            }
        }
        return lines.joined(separator: "\n")
    }
}

struct StageTable {
    var result: AuditResult

    func render() -> String {
        var lines = ["stage                     seconds        items      items/s"]
        for t in result.timings {
            lines.append(
                t.name.padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%9.3f", t.seconds)
                    + String(t.items).leftPad(13) + String(format: "%13.0f", Double(t.items) / max(t.seconds, 1e-9)))
        }
        let total = result.timings.reduce(0) { $0 + $1.seconds }
        lines.append(
            "total".padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%9.3f", total)
                + String(result.eventStatistics.records).leftPad(13)
                + String(format: "%13.0f", Double(result.eventStatistics.records) / max(total, 1e-9)) + "  (events)")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// Every account's judgement as JSON Lines: what an analyst (or a calibration script) needs to see why
/// an account landed where it did, honest ones included.
struct AccountDump {
    var result: AuditResult

    func write(to path: String) throws {
        var lines: [String] = []
        lines.reserveCapacity(result.judged.count)
        for (index, j) in result.judged.enumerated() {
            var signals: [String: Double] = [:]
            for s in j.signals { signals[s.name] = (s.strength * 1000).rounded() / 1000 }
            let object: [String: Any] = [
                "account_id": j.profile.accountID, "risk": (j.risk * 1000).rounded() / 1000,
                "own_risk": (j.ownRisk * 1000).rounded() / 1000, "verdict": j.verdict.rawValue,
                "campaign": j.campaign.map { $0 as Any } ?? NSNull(), "signals": signals,
                "requests": j.profile.requests, "active_days": j.profile.activeDays,
                "addresses_per_day": j.profile.addressesPerActiveDay, "new_address_days": j.profile.newAddressDayShare,
                "busiest_12h": j.profile.busiest12HourShare, "thinking": j.profile.thinkingShare,
                "targeted": j.profile.targetedShare, "elicitation": j.profile.elicitationShare,
                "countries": j.profile.countries.count, "keys": j.profile.keyCount,
                "ties": result.graph.ties[index].map(\.rawValue).sorted(),
                "templated_share": result.templates.sharedShare(of: index, profile: j.profile),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines.append(String(decoding: data, as: UTF8.self))
        }
        try (lines.joined(separator: "\n") + "\n").writeAtomically(to: path)
    }
}

extension String {
    /// Writes the text beside `path` and renames it into place (see `writeFileAtomically`).
    func writeAtomically(to path: String) throws {
        try writeFileAtomically(Array(utf8), to: path)
    }
}
