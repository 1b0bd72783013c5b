public import Foundation
@preconcurrency import Crypto

/// Makes API key secrets and their keyed hashes (HMAC-SHA256 under a server-side secret), and checks a
/// presented secret against a stored hash in constant time.
///
/// A secret looks like `hg_<key id>_<32 random base62 characters>`: the key id inside it finds the row
/// without scanning, and only the hash of the whole secret is stored.
///
/// ```swift
/// let hasher = KeyHasher(secret: Data("server pepper".utf8))
/// let (id, secret) = hasher.newKey()
/// let stored = hasher.hash(secret)
/// hasher.matches(secret, stored)  // true
/// ```
public struct KeyHasher: @unchecked Sendable {
    // @unchecked: SymmetricKey is an immutable value that Crypto does not mark Sendable.
    private let key: SymmetricKey

    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    /// A fresh key id and secret.
    public func newKey() -> (id: String, secret: String) {
        let id = "key_" + Self.random(12)
        return (id, "hg_\(id)_\(Self.random(32))")
    }

    /// The hex HMAC-SHA256 of a secret.
    public func hash(_ secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: key)
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in mac {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `secret` hashes to `storedHash`, compared in constant time.
    public func matches(_ secret: String, _ storedHash: String) -> Bool {
        let computed = Array(hash(secret).utf8)
        let stored = Array(storedHash.utf8)
        guard computed.count == stored.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<computed.count { diff |= computed[i] ^ stored[i] }
        return diff == 0
    }

    /// The key id a secret names, or nil when it is not in the `hg_<id>_<random>` shape.
    public static func keyID(inSecret secret: String) -> String? {
        guard secret.hasPrefix("hg_key_") else { return nil }
        let rest = secret.dropFirst(3)
        guard let underscore = rest.lastIndex(of: "_"), underscore > rest.startIndex else { return nil }
        let id = rest[..<underscore]
        guard id.count <= 64 else { return nil }
        return String(id)
    }

    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    private static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
