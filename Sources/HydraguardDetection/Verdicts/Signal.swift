/// One piece of evidence about an account or a campaign: how strongly it fired, in [0, 1], how
/// much it counts, and what was seen, in numbers a person can check against the logs.
public struct Signal: Sendable, Hashable {
    public var name: String
    public var strength: Double
    public var weight: Double
    public var detail: String

    public init(_ name: String, strength: Double, weight: Double, detail: String) {
        self.name = name
        self.strength = min(1, max(0, strength))
        self.weight = weight
        self.detail = detail
    }

    public var contribution: Double { strength * weight }
}

@inlinable
func ramp(_ value: Double, from low: Double, to high: Double) -> Double {
    guard high != low else { return value >= high ? 1 : 0 }
    return min(1, max(0, (value - low) / (high - low)))
}

func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

func oneDecimal(_ value: Double) -> String {
    let scaled = (value * 10).rounded() / 10
    return scaled == scaled.rounded() ? "\(Int(scaled))" : "\(scaled)"
}
