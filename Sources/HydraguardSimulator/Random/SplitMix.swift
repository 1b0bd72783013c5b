import Foundation

/// A small, fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every stream of simulated behaviour draws from its own generator derived from the scenario's seed
/// and the stream's coordinates (account, day, event), so generation can run in any order, on any
/// number of cores, and still produce the same bytes.
///
/// ```swift
/// var rng = SeededRandom(seed: 42, 7, 19)   // seed, account 7, day 19
/// let hour = rng.int(in: 0..<24)
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for the stream named by `seed` and any number of coordinates.
    public init(seed: UInt64, _ coordinates: UInt64...) {
        self.init(key: SeededRandom.key(seed, coordinates))
    }

    init(key: UInt64) {
        var sm = key
        s0 = SeededRandom.splitMix(&sm)
        s1 = SeededRandom.splitMix(&sm)
        s2 = SeededRandom.splitMix(&sm)
        s3 = SeededRandom.splitMix(&sm)
    }

    /// Hashes a seed and coordinates into one 64-bit key (order matters).
    static func key(_ seed: UInt64, _ coordinates: [UInt64]) -> UInt64 {
        var h = mix(seed ^ 0x9E37_79B9_7F4A_7C15)
        for c in coordinates { h = mix(h ^ mix(c &+ 0x632B_E59B_D9B4_E019)) }
        return h
    }

    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in the range (Lemire's multiply-shift, no modulo bias worth measuring here).
    @inline(__always)
    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty)
        let span = UInt64(range.upperBound - range.lowerBound)
        return range.lowerBound + Int(next().multipliedFullWidth(by: span).high)
    }

    @inline(__always)
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        int(in: range.lowerBound..<(range.upperBound + 1))
    }

    @inline(__always)
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// True with probability `p`.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// One element, uniformly.
    @inline(__always)
    public mutating func pick<T>(_ items: [T]) -> T { items[int(in: 0..<items.count)] }

    /// An index drawn in proportion to `weights`.
    public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            x -= w
            if x < 0 { return i }
        }
        return weights.count - 1
    }

    /// Exponentially distributed with the given mean.
    @inline(__always)
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// Standard normal (Box-Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Log-normal around `median` with multiplicative spread `sigma` (in natural-log units).
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// Poisson-distributed count (inversion for small means, normal approximation for large ones).
    public mutating func poisson(mean: Double) -> Int {
        if mean <= 0 { return 0 }
        if mean > 40 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let l = exp(-mean)
        var k = 0
        var p = 1.0
        repeat {
            k += 1
            p *= unit()
        } while p > l
        return k - 1
    }

    /// 64 random bits as lowercase hex, `digits` long (at most 16).
    public mutating func hex(_ digits: Int) -> String {
        Hex.string(next(), digits: digits)
    }
}

/// Lowercase hex formatting without Foundation.
enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func string(_ value: UInt64, digits count: Int) -> String {
        precondition(count > 0 && count <= 16)
        return String(unsafeUninitializedCapacity: count) { buffer in
            var v = value
            for i in stride(from: count - 1, through: 0, by: -1) {
                buffer[i] = digits[Int(v & 0xF)]
                v >>= 4
            }
            return count
        }
    }
}
