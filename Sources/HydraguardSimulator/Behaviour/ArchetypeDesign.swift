/// The statistics an archetype is designed to show, per account and active day (UTC days): what the
/// simulator promises and its tests check. Each range bounds the median over an archetype's account-days.
///
/// ```swift
/// Archetype.hydra.design.addressesPerDay   // 15...35: a new proxy exit for almost every request
/// ```
public struct ArchetypeDesign: Sendable, Hashable {
    /// Requests on a day the account is active.
    public var requestsPerDay: ClosedRange<Double>
    /// Distinct UTC hours with at least one request.
    public var hoursActive: ClosedRange<Double>
    /// Distinct client addresses.
    public var addressesPerDay: ClosedRange<Double>
    /// Output tokens over input tokens, summed over the day.
    public var outputInputRatio: ClosedRange<Double>
}

extension Archetype {
    public var design: ArchetypeDesign {
        switch self {
        case .casualChat, .vpnUser, .restrictedCountry:
            return ArchetypeDesign(
                requestsPerDay: 2...20, hoursActive: 1...4, addressesPerDay: 1...3, outputInputRatio: 0.15...2.5)
        case .codingAgent:
            return ArchetypeDesign(
                requestsPerDay: 100...3000, hoursActive: 3...14, addressesPerDay: 1...3, outputInputRatio: 0.003...0.1)
        case .enterpriseBatch:
            return ArchetypeDesign(
                requestsPerDay: 150...1500, hoursActive: 16...24, addressesPerDay: 2...6, outputInputRatio: 0.05...0.4)
        case .classCohort:
            return ArchetypeDesign(
                requestsPerDay: 2...25, hoursActive: 1...3, addressesPerDay: 1...1, outputInputRatio: 0.4...2.5)
        case .researchBenchmark:
            return ArchetypeDesign(
                requestsPerDay: 2...5000, hoursActive: 1...9, addressesPerDay: 1...3, outputInputRatio: 3...25)
        case .startup:
            return ArchetypeDesign(
                requestsPerDay: 50...1500, hoursActive: 12...24, addressesPerDay: 1...3, outputInputRatio: 0.2...1.5)
        case .honestReseller:
            return ArchetypeDesign(
                requestsPerDay: 1000...5000, hoursActive: 20...24, addressesPerDay: 3...8, outputInputRatio: 0.1...1)
        case .resellerConduit:
            return ArchetypeDesign(
                requestsPerDay: 1000...5000, hoursActive: 20...24, addressesPerDay: 3...8, outputInputRatio: 0.5...4)
        case .hydra:
            return ArchetypeDesign(
                requestsPerDay: 15...35, hoursActive: 14...24, addressesPerDay: 14...35, outputInputRatio: 5...25)
        case .stealth:
            return ArchetypeDesign(
                requestsPerDay: 15...60, hoursActive: 1...8, addressesPerDay: 1...1, outputInputRatio: 3...20)
        case .naiveExtractor:
            return ArchetypeDesign(
                requestsPerDay: 1500...5000, hoursActive: 23...24, addressesPerDay: 1...2, outputInputRatio: 5...25)
        }
    }
}
