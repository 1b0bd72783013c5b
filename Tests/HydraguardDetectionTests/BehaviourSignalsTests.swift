import HydraguardLog
import Testing

@testable import HydraguardDetection

@Suite("BehaviourSignals")
struct BehaviourSignalsTests {
    func signals(of id: String, in result: AuditResult) -> [String: Signal] {
        let judged = result.judged.first { $0.profile.accountID == id }!
        return Dictionary(judged.signals.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test("a flat round-the-clock line fires round_the_clock; a working day does not")
    func rhythm() {
        var t = Traffic()
        t.add("flat", shape: .init(hours: Array(0..<24)))
        t.add("office", shape: .init(hours: [9, 10, 11, 13, 14, 15, 16, 17]))
        let result = t.audit()
        #expect((signals(of: "flat", in: result)["round_the_clock"]?.strength ?? 0) > 0.9)
        #expect(signals(of: "office", in: result)["round_the_clock"] == nil)
        let flat = result.profiles.first { $0.accountID == "flat" }!
        #expect(abs(flat.busiest12HourShare - 0.5) < 0.01)
        #expect(flat.activeHours == 24)
    }

    @Test("a fresh address for every request fires address_rotation; one home address does not")
    func addresses() {
        var t = Traffic()
        t.add("rotating", shape: .init(address: { d, i in "198.51.\(d).\(i + 1)" }))
        t.add("home", shape: .init(address: { _, _ in "192.0.2.10" }))
        t.add("daily", shape: .init(address: { d, _ in "198.18.\(d).9" }))
        let result = t.audit()
        let rotating = signals(of: "rotating", in: result)["address_rotation"]
        #expect((rotating?.strength ?? 0) == 1)
        #expect(rotating?.detail.contains("336 addresses") == true)
        #expect(signals(of: "home", in: result)["address_rotation"] == nil)
        // One sticky address a day, new every day: churn, even with one address a day.
        #expect((signals(of: "daily", in: result)["address_rotation"]?.strength ?? 0) >= 0.7)
    }

    @Test("rotation through a VPN or a mobile carrier is not counted as evasion")
    func anonymisersAndMobile() {
        var t = Traffic()
        t.add("vpn", shape: .init(address: { d, i in "10.8.\(d).\(i + 1)" }))
        let resolver = TableResolver(table: [("10.8.", AddressInfo(country: "NL", asn: 9009, kind: .vpn))])
        let result = t.audit(resolver: resolver)
        #expect(signals(of: "vpn", in: result)["address_rotation"] == nil)
        #expect(signals(of: "vpn", in: result)["country_spread"] == nil)
    }

    @Test("a key every two days fires key_rotation; one key does not")
    func keys() {
        var t = Traffic()
        t.add("rotator", shape: .init(key: { "k-\($0 / 2)" }))
        t.add("steady", shape: .init())
        let result = t.audit()
        let s = signals(of: "rotator", in: result)["key_rotation"]
        #expect((s?.strength ?? 0) == 1)
        #expect(s?.detail.hasPrefix("7 API keys") == true)
        #expect(signals(of: "steady", in: result)["key_rotation"] == nil)
    }

    @Test("visible reasoning with high caps and long answers fires reasoning_harvest")
    func reasoning() {
        var t = Traffic()
        t.add("harvest", shape: .init(thinking: true, maxTokens: 32_000, inputTokens: 300, outputTokens: 6000))
        t.add("chat", shape: .init())
        let result = t.audit()
        #expect((signals(of: "harvest", in: result)["reasoning_harvest"]?.strength ?? 0) == 1)
        #expect(signals(of: "chat", in: result)["reasoning_harvest"] == nil)
    }

    @Test("direct connections from a restricted country fire restricted_country and block")
    func restricted() {
        var t = Traffic()
        t.add("direct", shape: .init(address: { _, _ in "175.45.176.1" }))
        t.add("viaVPN", shape: .init(address: { _, _ in "10.9.0.1" }))
        let resolver = TableResolver(table: [
            ("175.45.", AddressInfo(country: "KP", asn: 131279, kind: .residential)),
            ("10.9.", AddressInfo(country: "KP", asn: 1, kind: .vpn)),
        ])
        let result = t.audit(resolver: resolver)
        #expect(signals(of: "direct", in: result)["restricted_country"]?.strength == 1)
        #expect(result.judged.first { $0.profile.accountID == "direct" }?.verdict == .block)
        #expect(signals(of: "viaVPN", in: result)["restricted_country"] == nil)
    }

    @Test("a move to a newly released model within hours fires early_model_switch")
    func modelSwitch() {
        var t = Traffic()
        // Background users make the release visible: the new model first appears on day 7.
        for u in 0..<5 {
            t.add("user\(u)", shape: .init(days: 7, perDay: 5, hours: [10, 11, 12, 13, 14]))
        }
        var before = Traffic.Shape(days: 7)
        before.model = "claude-sonnet-4-5"
        t.add("switcher", shape: before)
        var after = Traffic.Shape(days: 7)
        after.model = "claude-opus-5"
        let shift = t.events.count
        t.add("switcher-late", shape: after)
        for i in shift..<t.events.count {
            t.events[i].accountID = "switcher"
            t.events[i].ts = t.events[i].ts.adding(seconds: 7 * 86_400 + 3600)
        }
        t.accounts.removeLast()
        let result = t.audit()
        let s = signals(of: "switcher", in: result)["early_model_switch"]
        #expect(s != nil)
        #expect(s?.detail.contains("claude-opus-5") == true)
    }

    @Test("hiding while harvesting fires hidden_harvest; either alone does not")
    func hiddenHarvest() {
        var t = Traffic()
        t.add(
            "both",
            shape: .init(address: { d, _ in "198.18.\(d).9" }, thinking: true, maxTokens: 16_000, outputTokens: 4000))
        t.add("hidesOnly", shape: .init(address: { d, _ in "198.19.\(d).9" }))
        t.add("harvestsOnly", shape: .init(thinking: true, maxTokens: 16_000, outputTokens: 4000))
        let result = t.audit()
        #expect(signals(of: "both", in: result)["hidden_harvest"] != nil)
        #expect(signals(of: "hidesOnly", in: result)["hidden_harvest"] == nil)
        #expect(signals(of: "harvestsOnly", in: result)["hidden_harvest"] == nil)
    }
}
