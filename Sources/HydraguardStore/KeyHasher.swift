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
    // @unchecked: SymmetricKey and the keyed HMAC state are immutable values Crypto does not mark
    // Sendable; `keyed` is only ever copied (its hash contexts are copied on write), never mutated.
    private let key: SymmetricKey
    /// HMAC-SHA256 with the key already absorbed: each hash starts from a copy of it.
    private let keyed: HMAC<SHA256>

    public init(secret: Data) {
        key = SymmetricKey(data: secret)
        keyed = HMAC<SHA256>(key: key)
    }

    /// A fresh key id and secret.
    public func newKey() -> (id: String, secret: String) {
        let id = "key_" + Self.random(12)
        return (id, "hg_\(id)_\(Self.random(32))")
    }

    /// The hex HMAC-SHA256 of a secret.
    public func hash(_ secret: String) -> String {
        String(decoding: hexHash(secret), as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private func hexHash(_ secret: String) -> [UInt8] {
        var mac = keyed
        var secret = secret
        secret.withUTF8 { mac.update(data: $0) }
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in mac.finalize() {
            out.append(Self.hexDigits[Int(byte >> 4)])
            out.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return out
    }

    /// Whether `secret` hashes to `storedHash`, compared in constant time (every byte is compared,
    /// whatever the first difference).
    public func matches(_ secret: String, _ storedHash: String) -> Bool {
        var mac = keyed
        var secret = secret
        secret.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        let digest = mac.finalize()
        var stored = storedHash
        return stored.withUTF8 { stored -> Bool in
            guard stored.count == 64 else { return false }
            return digest.withUnsafeBytes { digest -> Bool in
                guard digest.count == 32 else { return false }
                var diff: UInt8 = 0
                for (i, byte) in digest.enumerated() {
                    diff |= Self.hexDigits[Int(byte >> 4)] ^ stored[2 * i]
                    diff |= Self.hexDigits[Int(byte & 0x0F)] ^ stored[2 * i + 1]
                }
                return diff == 0
            }
        }
    }

    /// The key id a secret names, or nil when it is not in the `hg_<id>_<random>` shape.
    public static func keyID(inSecret secret: String) -> String? {
        let utf8 = secret.utf8
        guard utf8.starts(with: "hg_key_".utf8) else { return nil }
        let rest = utf8.dropFirst(3)
        guard let underscore = rest.lastIndex(of: UInt8(ascii: "_")), underscore > rest.startIndex else { return nil }
        let id = rest[..<underscore]
        guard id.count <= 64 else { return nil }
        return String(Substring(id))
    }

    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    private static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
