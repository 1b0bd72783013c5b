import Testing

@testable import HydraguardSimulator

@Suite struct SeededRandomTests {
    @Test func sameCoordinatesGiveTheSameStream() {
        var a = SeededRandom(seed: 42, 7, 19)
        var b = SeededRandom(seed: 42, 7, 19)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func differentCoordinatesOrSeedsDiffer() {
        var a = SeededRandom(seed: 42, 7, 19)
        var b = SeededRandom(seed: 42, 19, 7)
        var c = SeededRandom(seed: 43, 7, 19)
        let x = (0..<8).map { _ in a.next() }
        #expect(x != (0..<8).map { _ in b.next() })
        #expect(x != (0..<8).map { _ in c.next() })
    }

    @Test func uniformDrawsStayInRangeAndCoverIt() {
        var rng = SeededRandom(seed: 1)
        var seen = Set<Int>()
        for _ in 0..<2_000 {
            let v = rng.int(in: 3..<13)
            #expect((3..<13).contains(v))
            seen.insert(v)
            let u = rng.unit()
            #expect(u >= 0 && u < 1)
        }
        #expect(seen.count == 10)
    }

    @Test func distributionsHaveTheirMeans() {
        var rng = SeededRandom(seed: 9)
        let n = 20_000
        let exp = (0..<n).reduce(0.0) { acc, _ in acc + rng.exponential(mean: 5) } / Double(n)
        #expect(abs(exp - 5) < 0.25)
        let small = (0..<n).reduce(0) { acc, _ in acc + rng.poisson(mean: 3) }
        #expect(abs(Double(small) / Double(n) - 3) < 0.1)
        let large = (0..<n).reduce(0) { acc, _ in acc + rng.poisson(mean: 200) }
        #expect(abs(Double(large) / Double(n) - 200) < 2)
        var logs = (0..<n).map { _ in rng.logNormal(median: 100, sigma: 0.5) }
        logs.sort()
        #expect(abs(logs[n / 2] - 100) < 4)
    }

    @Test func weightedPicksFollowWeights() {
        var rng = SeededRandom(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[rng.weighted([1, 2, 7])] += 1 }
        #expect(abs(Double(counts[2]) / 30_000 - 0.7) < 0.02)
        #expect(abs(Double(counts[0]) / 30_000 - 0.1) < 0.02)
    }

    @Test func hexHasTheAskedLength() {
        var rng = SeededRandom(seed: 5)
        for digits in [1, 4, 12, 16] {
            let h = rng.hex(digits)
            #expect(h.count == digits)
            #expect(h.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }
}
