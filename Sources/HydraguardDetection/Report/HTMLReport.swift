public import HydraguardLog

/// The audit as one self-contained HTML page for an analyst: a summary, each campaign with its size,
/// volume, timeline, rhythm against honest traffic, targets and evidence, then the flagged accounts
/// with their reasons. Charts are inline SVG; the page loads nothing from the network.
public struct HTMLReport {
    public var result: AuditResult
    public var findings: Findings
    public var maxAccounts: Int

    public init(result: AuditResult, findings: Findings, maxAccounts: Int = 500) {
        self.result = result
        self.findings = findings
        self.maxAccounts = maxAccounts
    }

    public func render() -> String {
        let campaigns = result.campaigns
        let flagged = result.judged.filter { $0.verdict.isAction }
        let inCampaign = Set(campaigns.flatMap(\.members))
        let others = result.judged.indices.filter { !inCampaign.contains($0) && result.judged[$0].verdict == .allow }
        let honestHours = hours(of: others)
        let honestDays = days(of: others)
        var verdictCounts: [Findings.Verdict: Int] = [:]
        for j in result.judged { verdictCounts[j.verdict, default: 0] += 1 }

        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <title>hydraguard audit \(esc(findings.window.from)) to \(esc(findings.window.to))</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;padding:0 1em}
            h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccd}h3{margin:.2em 0}
            table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border-bottom:1px solid #e3e6ee;padding:4px 6px;text-align:left;vertical-align:top}
            th{background:#f3f5fa}.num{text-align:right;font-variant-numeric:tabular-nums}
            .card{border:1px solid #d7dbe6;border-radius:8px;padding:1em;margin:1em 0;background:#fcfdff}
            .pill{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff}
            .block{background:#b3261e}.challenge{background:#d36b00}.throttle{background:#b58a00}.watch{background:#4d6fa8}.allow{background:#5f8f5f}
            .charts{display:flex;gap:1.5em;flex-wrap:wrap}.muted{color:#667}code{font-size:12px}
            </style></head><body>
            <h1>hydraguard audit</h1>
            <p class="muted">Window \(esc(findings.window.from)) to \(esc(findings.window.to)); generated \(esc(findings.generatedAt)).</p>
            <h2>Summary</h2>
            <table><tr><th>events</th><th>accounts</th><th>campaigns</th><th>block</th><th>challenge</th><th>throttle</th><th>watch</th></tr>
            <tr><td class="num">\(result.eventStatistics.records)</td><td class="num">\(result.judged.count)</td>
            <td class="num">\(campaigns.count)</td><td class="num">\(verdictCounts[.block] ?? 0)</td>
            <td class="num">\(verdictCounts[.challenge] ?? 0)</td><td class="num">\(verdictCounts[.throttle] ?? 0)</td>
            <td class="num">\(verdictCounts[.watch] ?? 0)</td></tr></table>
            <p>\(flagged.count) accounts are acted against (throttle, challenge or block). Honest traffic below means
            accounts with verdict <code>allow</code>, outside every campaign.</p>

            """
        if result.eventStatistics.skipped > 0 {
            html += "<p><b>\(result.eventStatistics.skipped) bad lines were skipped</b> (lenient mode).</p>"
        }
        html += "<h2>Campaigns</h2>"
        if campaigns.isEmpty { html += "<p>No campaign was found.</p>" }
        for c in campaigns {
            let a = c.assessment
            let share = Double(c.requests) / Double(max(1, result.eventStatistics.records))
            html += """
                <div class="card"><h3>\(c.id): \(c.members.count) accounts, risk \(fmt(a.risk))</h3>
                <p>\(c.requests) requests (\(percent(share)) of all), \(c.inputTokens) input and \(c.outputTokens) output tokens,
                \(esc(c.first.rfc3339)) to \(esc(c.last.rfc3339)). Targets: <b>\(esc(a.targets.joined(separator: ", ")))</b>.
                Coordination \(fmt(a.coordination)), median member behaviour \(fmt(a.behaviour)).</p>
                <div class="charts">
                \(lineChart(title: "requests per day (campaign vs honest, each scaled to its peak)", days(of: c.members), honestDays))
                \(barChart(title: "share of requests by UTC hour (campaign vs honest)", hours(of: c.members), honestHours))
                </div>
                <table><tr><th>evidence</th><th>what was seen</th><th class="num">weight</th></tr>
                """
            for e in a.evidence {
                html += "<tr><td><code>\(esc(e.name))</code></td><td>\(esc(e.detail))</td><td class=\"num\">\(fmt(e.contribution))</td></tr>"
            }
            html += "</table></div>\n"
        }
        html += "<h2>Accounts</h2><p>Every account with a verdict other than allow, riskiest first"
        if findings.accounts.count > maxAccounts { html += " (the first \(maxAccounts) of \(findings.accounts.count); the findings file lists all)" }
        html += ".</p><table><tr><th>account</th><th>verdict</th><th class=\"num\">risk</th><th>campaign</th><th>reasons</th></tr>"
        for account in findings.accounts.prefix(maxAccounts) {
            let reasons = account.reasons.map { "<code>\(esc($0.signal))</code> \(esc($0.detail))" }.joined(separator: "<br>")
            html += """
                <tr><td><code>\(esc(account.accountID))</code></td>
                <td><span class="pill \(account.verdict.rawValue)">\(account.verdict.rawValue)</span></td>
                <td class="num">\(fmt(account.risk))</td><td>\(esc(account.campaign ?? "-"))</td><td>\(reasons)</td></tr>
                """
        }
        html += "</table>"
        if !result.timings.isEmpty {
            html += "<h2>Run</h2><table><tr><th>stage</th><th class=\"num\">seconds</th><th class=\"num\">items</th></tr>"
            for t in result.timings {
                html += "<tr><td>\(esc(t.name))</td><td class=\"num\">\(fmt(t.seconds))</td><td class=\"num\">\(t.items)</td></tr>"
            }
            html += "</table>"
        }
        html += "</body></html>\n"
        return html
    }

    func hours(of members: [Int]) -> [Double] {
        var h = [Double](repeating: 0, count: 24)
        for m in members { for i in 0..<24 { h[i] += Double(result.judged[m].profile.hours[i]) } }
        let total = max(1, h.reduce(0, +))
        return h.map { $0 / total }
    }

    func days(of members: [Int]) -> [Int: Double] {
        var d: [Int: Double] = [:]
        for m in members { for (day, n) in result.judged[m].profile.days { d[Int(day), default: 0] += Double(n) } }
        return d
    }

    func barChart(title: String, _ a: [Double], _ b: [Double]) -> String {
        let w = 480.0
        let h = 160.0
        let peak = max(a.max() ?? 0, b.max() ?? 0, 0.0001)
        var svg = "<figure><svg width=\"\(Int(w))\" height=\"\(Int(h + 20))\" role=\"img\" aria-label=\"\(esc(title))\">"
        let slot = w / 24
        for i in 0..<24 {
            let ha = a[i] / peak * h
            let hb = b[i] / peak * h
            svg += "<rect x=\"\(fmt(Double(i) * slot + 1))\" y=\"\(fmt(h - ha))\" width=\"\(fmt(slot / 2 - 1))\" height=\"\(fmt(ha))\" fill=\"#b3261e\"/>"
            svg += "<rect x=\"\(fmt(Double(i) * slot + slot / 2))\" y=\"\(fmt(h - hb))\" width=\"\(fmt(slot / 2 - 1))\" height=\"\(fmt(hb))\" fill=\"#5f8f5f\"/>"
            if i % 6 == 0 { svg += "<text x=\"\(fmt(Double(i) * slot))\" y=\"\(Int(h + 14))\" font-size=\"10\">\(i)h</text>" }
        }
        svg += "</svg><figcaption class=\"muted\">\(esc(title)): red campaign, green honest</figcaption></figure>"
        return svg
    }

    func lineChart(title: String, _ a: [Int: Double], _ b: [Int: Double]) -> String {
        let w = 480.0
        let h = 160.0
        let allDays = Set(a.keys).union(b.keys)
        guard let lo = allDays.min(), let hi = allDays.max() else { return "" }
        let span = Double(max(1, hi - lo))
        func path(_ d: [Int: Double], color: String) -> String {
            let peak = max(d.values.max() ?? 1, 1)
            let points = (lo...hi).map { day in
                "\(fmt(Double(day - lo) / span * (w - 10) + 5)),\(fmt(h - (d[day] ?? 0) / peak * (h - 10)))"
            }
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
        }
        let (y0, m0, d0) = Timestamp.civil(fromDays: lo)
        let (y1, m1, d1) = Timestamp.civil(fromDays: hi)
        return """
            <figure><svg width="\(Int(w))" height="\(Int(h + 20))" role="img" aria-label="\(esc(title))">
            \(path(b, color: "#5f8f5f"))\(path(a, color: "#b3261e"))
            <text x="0" y="\(Int(h + 14))" font-size="10">\(y0)-\(m0)-\(d0)</text>
            <text x="\(Int(w - 60))" y="\(Int(h + 14))" font-size="10">\(y1)-\(m1)-\(d1)</text></svg>
            <figcaption class="muted">\(esc(title)): red campaign, green honest</figcaption></figure>
            """
    }

    func fmt(_ v: Double) -> String {
        let r = (v * 100).rounded() / 100
        return r == r.rounded() ? "\(Int(r))" : "\(r)"
    }

    func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
