/// A fixed-seed 64-bit hash (FNV-1a with a final avalanche), so that prompt sketches and sampling
/// decisions are the same on every run and every machine (Swift's `Hasher` is seeded per process).
@inlinable
func stableHash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    var h = seed
    for b in bytes {
        h ^= UInt64(b)
        h &*= 0x100_0000_01b3
    }
    return mix64(h)
}

@inlinable
func stableHash(_ text: String, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    var text = text
    return text.withUTF8 { stableHash(UnsafeRawBufferPointer($0), seed: seed) }
}

/// splitmix64's finaliser.
@inlinable
func mix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9e37_79b9_7f4a_7c15
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
}
