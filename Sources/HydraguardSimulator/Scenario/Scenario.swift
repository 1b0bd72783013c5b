import HydraguardLog

/// Everything a simulation run is made of: the window, the honest populations and the attacks.
///
/// Presets (``Scenario/preset(_:)``) are scenarios built in code; a YAML file of the same shape
/// (``Scenario/load(yaml:file:)``) describes any other. Every run writes its resolved scenario beside the
/// logs, so it can be reproduced and edited.
///
/// ```yaml
/// name: my-run
/// seed: 7
/// start: 2026-04-01
/// days: 14
/// restricted_countries: [KP, IR, CU, SY, RU]
/// new_model: {name: claude-opus-5, release_day: 9}
/// populations:
///   - {archetype: casual_chat, accounts: 1500}
///   - {archetype: class_cohort, accounts: 60, groups: 1}
/// campaigns:
///   - {id: hydra-1, style: hydra, accounts: 300, waves: 3, requests_per_day: [20, 30]}
/// ```
public struct Scenario: Sendable, Hashable, Codable {
    public var name: String
    /// The default seed; `hydraguard simulate --seed` overrides it.
    public var seed: UInt64
    /// The first day of the window, `YYYY-MM-DD` (UTC).
    public var start: String
    public var days: Int
    /// Countries the provider does not serve (ISO codes); `restricted_country` accounts connect from them.
    public var restrictedCountries: [String]
    public var newModel: NewModel?
    public var populations: [Population]
    public var campaigns: [Campaign]

    public init(
        name: String, seed: UInt64 = 1, start: String = "2026-04-01", days: Int,
        restrictedCountries: [String] = ["KP", "IR", "CU", "SY", "RU"], newModel: NewModel? = nil,
        populations: [Population], campaigns: [Campaign] = []
    ) {
        self.name = name
        self.seed = seed
        self.start = start
        self.days = days
        self.restrictedCountries = restrictedCountries
        self.newModel = newModel
        self.populations = populations
        self.campaigns = campaigns
    }

    /// A model released during the window.
    public struct NewModel: Sendable, Hashable, Codable {
        public var name: String
        /// Day of the window (0 = `start`) the model is released, at 17:00 UTC.
        public var releaseDay: Int

        public init(name: String = "claude-opus-5", releaseDay: Int) {
            self.name = name
            self.releaseDay = releaseDay
        }

        enum CodingKeys: String, CodingKey {
            case name
            case releaseDay = "release_day"
        }
    }

    /// Independent accounts of one archetype.
    public struct Population: Sendable, Hashable, Codable {
        public var archetype: Archetype
        public var accounts: Int
        /// How many organisations, classes or tools the accounts are split among (archetype-specific;
        /// default sensible per archetype).
        public var groups: Int?

        public init(_ archetype: Archetype, accounts: Int, groups: Int? = nil) {
            self.archetype = archetype
            self.accounts = accounts
            self.groups = groups
        }
    }

    /// A coordinated attack: many accounts run by one operator.
    public struct Campaign: Sendable, Hashable, Codable {
        public enum Style: String, Sendable, Hashable, Codable, CaseIterable {
            case hydra, stealth
        }

        /// The campaign's name in the labels (e.g. `hydra-1`).
        public var id: String
        public var style: Style
        public var accounts: Int
        /// Accounts are created in this many waves ...
        public var waves: Int
        /// ... the first on this day of the window (negative: before it starts) ...
        public var firstWaveDay: Int
        /// ... and the next ones this many days apart.
        public var waveSpacingDays: Int
        /// Each account's requests per active day: `[min, max]`.
        public var requestsPerDay: [Int]
        /// Countries the proxy exits (hydra) or sticky addresses (stealth) are in; default: every
        /// allowed country with residential networks.
        public var countries: [String]?
        /// Hours after the new model's release the campaign moves half its traffic to it.
        public var modelSwitchHours: Double
        /// API keys are rotated every `[min, max]` days.
        public var keyRotationDays: [Int]
        /// How many payment cards are shared among the campaign's card-tier accounts.
        public var paymentCards: Int
        /// Share of requests that are ordinary cover traffic.
        public var coverTraffic: Double

        public init(
            id: String, style: Style, accounts: Int, waves: Int = 3, firstWaveDay: Int = -10,
            waveSpacingDays: Int = 4, requestsPerDay: [Int] = [20, 30], countries: [String]? = nil,
            modelSwitchHours: Double = 14, keyRotationDays: [Int] = [3, 5], paymentCards: Int? = nil,
            coverTraffic: Double = 0.05
        ) {
            self.id = id
            self.style = style
            self.accounts = accounts
            self.waves = waves
            self.firstWaveDay = firstWaveDay
            self.waveSpacingDays = waveSpacingDays
            self.requestsPerDay = requestsPerDay
            self.countries = countries
            self.modelSwitchHours = modelSwitchHours
            self.keyRotationDays = keyRotationDays
            self.paymentCards = paymentCards ?? max(1, accounts / 12)
            self.coverTraffic = coverTraffic
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case id, style, accounts, waves, countries
            case firstWaveDay = "first_wave_day"
            case waveSpacingDays = "wave_spacing_days"
            case requestsPerDay = "requests_per_day"
            case modelSwitchHours = "model_switch_hours"
            case keyRotationDays = "key_rotation_days"
            case paymentCards = "payment_cards"
            case coverTraffic = "cover_traffic"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let accounts = try c.decode(Int.self, forKey: .accounts)
            self.init(
                id: try c.decode(String.self, forKey: .id),
                style: try c.decode(Style.self, forKey: .style),
                accounts: accounts,
                waves: try c.decodeIfPresent(Int.self, forKey: .waves) ?? 3,
                firstWaveDay: try c.decodeIfPresent(Int.self, forKey: .firstWaveDay) ?? -10,
                waveSpacingDays: try c.decodeIfPresent(Int.self, forKey: .waveSpacingDays) ?? 4,
                requestsPerDay: try c.decodeIfPresent([Int].self, forKey: .requestsPerDay) ?? [20, 30],
                countries: try c.decodeIfPresent([String].self, forKey: .countries),
                modelSwitchHours: try c.decodeIfPresent(Double.self, forKey: .modelSwitchHours) ?? 14,
                keyRotationDays: try c.decodeIfPresent([Int].self, forKey: .keyRotationDays) ?? [3, 5],
                paymentCards: try c.decodeIfPresent(Int.self, forKey: .paymentCards),
                coverTraffic: try c.decodeIfPresent(Double.self, forKey: .coverTraffic) ?? 0.05)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seed, start, days, populations, campaigns
        case restrictedCountries = "restricted_countries"
        case newModel = "new_model"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decodeIfPresent(String.self, forKey: .name) ?? "custom",
            seed: try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1,
            start: try c.decodeIfPresent(String.self, forKey: .start) ?? "2026-04-01",
            days: try c.decode(Int.self, forKey: .days),
            restrictedCountries: try c.decodeIfPresent([String].self, forKey: .restrictedCountries)
                ?? ["KP", "IR", "CU", "SY", "RU"],
            newModel: try c.decodeIfPresent(NewModel.self, forKey: .newModel),
            populations: try c.decodeIfPresent([Population].self, forKey: .populations) ?? [],
            campaigns: try c.decodeIfPresent([Campaign].self, forKey: .campaigns) ?? [])
    }

    /// The first day of the window as days since 1970-01-01, or nil when `start` is malformed.
    public var startDay: Int? {
        let parts = start.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d), parts[0].count == 4
        else { return nil }
        return Timestamp.daysFromCivil(year: y, month: m, day: d)
    }
}
