import HydraguardLog
import Testing

@testable import HydraguardDetection

@Suite("AccountAccumulator")
struct AccountAccumulatorTests {
    @Test("two shards of one account's events merge into what one pass sees")
    func mergeMatchesSinglePass() {
        var t = Traffic()
        t.add(
            "a",
            shape: .init(
                days: 10, perDay: 30, address: { d, i in "198.51.\(d).\(i % 7)" }, key: { "k\($0 / 3)" }, thinking: true,
                maxTokens: 8000, prompt: { d, i in honestPrompt(d * 100 + i) }))
        let events = t.events.sorted { $0.ts < $1.ts }
        var whole = AccountAccumulator()
        var left = AccountAccumulator()
        var right = AccountAccumulator()
        for (i, e) in events.enumerated() {
            whole.add(e, info: .unknown, restricted: false, sampleSize: 24)
            if i % 3 == 0 {
                left.add(e, info: .unknown, restricted: false, sampleSize: 24)
            } else {
                right.add(e, info: .unknown, restricted: false, sampleSize: 24)
            }
        }
        left.merge(right, sampleSize: 24)
        #expect(left.requests == whole.requests)
        #expect(left.outputTokens == whole.outputTokens)
        #expect(left.hours == whole.hours)
        #expect(left.days == whole.days)
        #expect(left.addressFirstDay == whole.addressFirstDay)
        #expect(left.networks == whole.networks)
        #expect(left.keys == whole.keys)
        #expect(left.models == whole.models)
        #expect(left.thinkingRequests == whole.thinkingRequests)
        #expect(left.first == whole.first && left.last == whole.last)
        // The bottom-k sample is order-independent: the same prompts, whatever the split.
        #expect(left.samples.map(\.rank) == whole.samples.map(\.rank))
        #expect(whole.samples.count == 24)
    }

    @Test("networks group IPv4 by /24 and IPv6 by /48")
    func networks() {
        #expect(AccountAccumulator.networkHash("198.51.100.7") == AccountAccumulator.networkHash("198.51.100.200"))
        #expect(AccountAccumulator.networkHash("198.51.100.7") != AccountAccumulator.networkHash("198.51.101.7"))
        #expect(AccountAccumulator.networkHash("2001:db8:1:2::1") == AccountAccumulator.networkHash("2001:db8:1:ffff::9"))
        #expect(AccountAccumulator.networkHash("2001:db8:1:2::1") != AccountAccumulator.networkHash("2001:db8:2:2::1"))
    }
}
