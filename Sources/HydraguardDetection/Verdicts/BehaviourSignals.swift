public import HydraguardLog

/// What the whole log shows that single accounts are judged against: when each model first
/// appeared (a release), and the audit's window.
public struct AuditContext: Sendable {
    /// The first request for each model across all accounts.
    public var modelFirstSeen: [String: Timestamp]
    public var windowStart: Timestamp
    public var windowEnd: Timestamp

    public init(modelFirstSeen: [String: Timestamp], windowStart: Timestamp, windowEnd: Timestamp) {
        self.modelFirstSeen = modelFirstSeen
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// Models that first appeared well inside the window: releases the logs saw happen.
    public var releases: [String: Timestamp] {
        let margin = Int64(2 * 86_400_000_000)
        return modelFirstSeen.filter { $0.value.microseconds > windowStart.microseconds + margin }
    }
}

/// The signals one account's own behaviour gives, each from a documented threshold.
///
/// None of them alone condemns an account: honest archetypes light each of them up somewhere
/// (batch jobs run round the clock, researchers ask for reasoning, VPN users change addresses).
/// What distillation does is light many of them at once, and coordinate them across accounts.
public enum BehaviourSignals {
    public static func evaluate(_ p: AccountProfile, context: AuditContext) -> [Signal] {
        var signals: [Signal] = []
        let enoughActivity = p.requests >= 40 && p.activeDays >= 3

        // Rhythm: a human (or a team) works a day; a load-balanced harvester runs a flat line.
        if enoughActivity {
            let strength = ramp(0.78 - p.busiest12HourShare, from: 0, to: 0.2) * ramp(Double(p.activeHours), from: 14, to: 22)
            if strength > 0 {
                signals.append(
                    Signal(
                        "round_the_clock", strength: strength, weight: 0.15,
                        detail: "\(percent(p.busiest12HourShare)) of \(p.requests) requests fall in the busiest 12 hours "
                            + "of the day (a working day puts 80% or more there); active in \(p.activeHours) of 24 hours"))
            }
        }

        // Addresses: residential (or unknown) addresses that keep changing, day after day.
        let stableKinds = p.share { $0 == .mobile || $0.isAnonymiser || $0.isHosting }
        let rotatingShare = 1 - stableKinds
        if p.activeDays >= 3, rotatingShare > 0.5 {
            let perDay = ramp(p.addressesPerActiveDay, from: 1.5, to: 8)
            let churn = ramp(p.newAddressDayShare, from: 0.5, to: 0.9) * ramp(Double(p.activeDays), from: 3, to: 8)
            let strength = max(perDay, 0.8 * churn) * rotatingShare
            if strength > 0 {
                signals.append(
                    Signal(
                        "address_rotation", strength: strength, weight: 0.3,
                        detail: "\(p.distinctAddresses) addresses in \(p.distinctNetworks) networks over "
                            + "\(p.activeDays) active days (\(oneDecimal(p.addressesPerActiveDay)) a day); "
                            + "\(percent(p.newAddressDayShare)) of days brought a new address"))
            }
        }

        // Countries: many exit countries from people's networks (a VPN shows its own countries, and a service
        // deployed in several cloud regions is not hiding).
        let personal = 1 - p.share { $0.isAnonymiser || $0.isHosting }
        if p.countries.count >= 3, personal > 0.5 {
            let strength = ramp(Double(p.countries.count), from: 2, to: 7) * personal
            let top = p.countries.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .prefix(6).map(\.key).joined(separator: ", ")
            var detail = "requests came from \(p.countries.count) countries (\(top)), \(percent(personal)) of them "
                + "from residential or business networks rather than VPNs or clouds"
            if let signup = p.record?.signupCountry {
                detail += "; \(percent(p.signupCountryMismatchShare)) from outside its sign-up country \(signup)"
            }
            signals.append(Signal("country_spread", strength: strength, weight: 0.15, detail: detail))
        }

        // API keys rotated every few days.
        if p.keyCount >= 3 {
            let strength = ramp(p.keysPerWeek, from: 0.75, to: 2)
            if strength > 0 {
                signals.append(
                    Signal(
                        "key_rotation", strength: strength, weight: 0.15,
                        detail: "\(p.keyCount) API keys in \(oneDecimal(p.spanDays)) days "
                            + "(\(oneDecimal(p.keysPerWeek)) a week)"))
            }
        }

        // Economics of harvesting reasoning: visible chain of thought, high output caps, long answers.
        if p.requests >= 20 {
            let caps = ramp(p.meanMaxTokens, from: 4000, to: 16000)
            let ratio = ramp(p.outputInputRatio, from: 0.5, to: 3)
            let strength = p.thinkingShare * (0.5 * caps + 0.5 * ratio)
            if strength > 0.1 {
                signals.append(
                    Signal(
                        "reasoning_harvest", strength: strength, weight: 0.2,
                        detail: "\(percent(p.thinkingShare)) of requests ask for visible reasoning, mean output cap "
                            + "\(Int(p.meanMaxTokens)) tokens, \(oneDecimal(p.outputInputRatio)) output tokens per input token"))
            }
        }

        // Content: narrow, valuable capabilities, with reasoning asked for in the text.
        if p.sampledPrompts >= 5 {
            let strength = p.targetedShare * ramp(p.elicitationShare, from: 0.2, to: 0.7)
            if strength > 0.1 {
                signals.append(
                    Signal(
                        "capability_targeting", strength: strength, weight: 0.15,
                        detail: "\(percent(p.targetedShare)) of \(p.sampledPrompts) sampled prompts target "
                            + "\(p.topCapabilities.joined(separator: "/")); \(percent(p.elicitationShare)) ask for step-by-step reasoning"))
            }
        }

        // A switch to a newly released model within a day of its release, for a large share of traffic.
        for (model, released) in context.releases {
            guard let use = p.models[model], p.requests >= 20 else { continue }
            let lag = Double(use.first.microseconds - released.microseconds) / 3_600_000_000
            let afterRelease = Double(use.requests) / Double(max(1, p.requests))
            let windowAfter = Double(context.windowEnd.microseconds - released.microseconds)
            let windowTotal = Double(max(1, context.windowEnd.microseconds - max(p.first, context.windowStart).microseconds))
            // Share of its traffic on the new model compared with the share of its active time after the release.
            let expected = max(0.05, windowAfter / windowTotal)
            let moved = afterRelease / expected
            if lag <= 24, moved >= 0.3 {
                signals.append(
                    Signal(
                        "early_model_switch", strength: ramp(moved, from: 0.3, to: 0.6) * ramp(24 - lag, from: 0, to: 12),
                        weight: 0.1,
                        detail: "moved to \(model) \(oneDecimal(max(0, lag))) hours after its first request in the logs; "
                            + "\(percent(afterRelease)) of its requests went to it"))
                break
            }
        }

        // Bulk extraction from hosting networks: high volume, long reasoned answers.
        let hosting = p.share { $0.isHosting }
        if hosting > 0.5, p.requestsPerActiveDay >= 300, p.record?.tier != .enterprise {
            let strength = ramp(p.requestsPerActiveDay, from: 300, to: 1500) * max(p.thinkingShare, p.elicitationShare)
            if strength > 0.1 {
                signals.append(
                    Signal(
                        "bulk_extraction", strength: strength, weight: 0.6,
                        detail: "\(Int(p.requestsPerActiveDay)) requests a day from hosting networks; "
                            + "\(percent(p.thinkingShare)) ask for visible reasoning, \(percent(p.elicitationShare)) of prompts ask for it in text"))
            }
        }

        // Hiding while harvesting: each alone is common among honest users (VPN users hide, researchers
        // harvest); together they are what distillation through disposable accounts looks like.
        let hiding = signals.filter { Verdicts.evasionSignals.contains($0.name) }
            .map(\.strength).max() ?? 0
        let harvesting = signals.filter { ["reasoning_harvest", "capability_targeting"].contains($0.name) }
            .map(\.strength).max() ?? 0
        if hiding >= 0.3, harvesting >= 0.3 {
            signals.append(
                Signal(
                    "hidden_harvest", strength: min(hiding, harvesting), weight: 0.25,
                    detail: "hides its origin (strength \(oneDecimal(hiding * 100))%) while harvesting reasoning or "
                        + "targeted capabilities (strength \(oneDecimal(harvesting * 100))%)"))
        }

        // Policy: direct connections from restricted countries.
        if p.restrictedShare >= 0.2 {
            let restricted = p.countries.keys.sorted().joined(separator: ", ")
            signals.append(
                Signal(
                    "restricted_country", strength: ramp(p.restrictedShare, from: 0.2, to: 0.6), weight: 0.9,
                    detail: "\(percent(p.restrictedShare)) of requests connect directly from a restricted country "
                        + "(countries seen: \(restricted))"))
        }
        return signals
    }

    /// The account's own behaviour in [0, 1]: the sum of its signals' contributions.
    public static func score(_ signals: [Signal]) -> Double {
        min(1, signals.reduce(0) { $0 + $1.contribution })
    }
}
