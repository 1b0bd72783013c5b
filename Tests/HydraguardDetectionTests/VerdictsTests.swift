import HydraguardLog
import Testing

@testable import HydraguardDetection

@Suite("Verdicts")
struct VerdictsTests {
    @Test("risk grades into verdicts at the documented thresholds", arguments: [
        (0.0, Findings.Verdict.allow), (0.249, .allow), (0.25, .watch), (0.449, .watch), (0.45, .throttle),
        (0.649, .throttle), (0.65, .challenge), (0.849, .challenge), (0.85, .block), (1.0, .block),
    ])
    func grading(risk: Double, verdict: Findings.Verdict) {
        #expect(Verdicts.grade(risk) == verdict)
    }

    @Test("an account alone that does not hide is capped below throttle, however heavy its use")
    func loneCap() {
        let signals = [
            Signal("reasoning_harvest", strength: 1, weight: 0.2, detail: ""),
            Signal("capability_targeting", strength: 1, weight: 0.15, detail: ""),
            Signal("round_the_clock", strength: 1, weight: 0.15, detail: ""),
        ]
        #expect(Verdicts.ownRisk(signals: signals, tier: .email) < Verdicts.throttle)
        let hiding = signals + [Signal("address_rotation", strength: 1, weight: 0.3, detail: "")]
        #expect(Verdicts.ownRisk(signals: hiding, tier: .email) >= Verdicts.challenge)
    }

    @Test("stronger verification discounts risk")
    func trust() {
        let signals = [
            Signal("address_rotation", strength: 1, weight: 0.3, detail: ""),
            Signal("reasoning_harvest", strength: 1, weight: 0.2, detail: ""),
        ]
        let free = Verdicts.ownRisk(signals: signals, tier: .free)
        #expect(Verdicts.ownRisk(signals: signals, tier: .id) == free * 0.75)
        #expect(Verdicts.ownRisk(signals: signals, tier: .enterprise) == free * 0.5)
    }
}
