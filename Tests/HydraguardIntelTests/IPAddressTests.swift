import Testing

@testable import HydraguardIntel

@Suite struct IPAddressTests {
    @Test func parsesIPv4IntoTheMappedSpace() throws {
        let a = try IPAddress(parsing: "8.8.4.4")
        #expect(a.isIPv4)
        #expect(a.ipv4 == 0x0808_0404)
        #expect(a.value == (0xffff << 32 | 0x0808_0404))
        #expect(a.description == "8.8.4.4")
        #expect(IPAddress("0.0.0.0")?.ipv4 == 0)
        #expect(IPAddress("255.255.255.255")?.ipv4 == 0xffff_ffff)
    }

    @Test func mappedIPv6FormIsTheSameAddress() {
        #expect(IPAddress("::ffff:8.8.8.8") == IPAddress("8.8.8.8"))
        #expect(IPAddress("::FFFF:0808:0808") == IPAddress("8.8.8.8"))
        #expect(IPAddress("::ffff:8.8.8.8")?.description == "8.8.8.8")
    }

    @Test(arguments: [
        ("2001:db8::1", "2001:db8::1"),
        ("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("fe80::1:2", "fe80::1:2"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
    ])
    func parsesAndFormatsIPv6(text: String, expected: String) throws {
        let a = try IPAddress(parsing: text)
        #expect(!a.isIPv4)
        #expect(a.description == expected)
        #expect(IPAddress(a.description) == a)
    }

    @Test func ipv6ValueIsBigEndianGroups() {
        #expect(IPAddress("2001:db8::1")?.value == (UInt128(0x2001_0db8) << 96 | 1))
        #expect(IPAddress("::")?.value == 0)
        #expect(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")?.value == UInt128.max)
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "1..2.3", "a.b.c.d", " 1.2.3.4",
        "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::2", "1:2:3:4:5:6:7:", "12345::", "g::1", "::ffff:1.2.3",
        "1:2:3:4:5:6:7::8", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0",
    ])
    func refusesBadText(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func errorNamesTheText() {
        #expect {
            try IPAddress(parsing: "10.0.0.300")
        } throws: { error in
            (error as? IntelError)?.kind == .badAddress && "\(error)".contains("\"10.0.0.300\"")
        }
    }

    @Test func sortsIPv4BeforeMostIPv6() throws {
        let sorted = ["2001:db8::1", "10.0.0.2", "::1", "10.0.0.1"].compactMap(IPAddress.init).sorted()
        #expect(sorted.map(\.description) == ["::1", "10.0.0.1", "10.0.0.2", "2001:db8::1"])
    }

    @Test func groupsByPrefix() {
        #expect(IPAddress("203.0.113.77")?.groupingNetwork.description == "203.0.113.0/24")
        #expect(IPAddress("2001:db8:1:2::1")?.groupingNetwork.description == "2001:db8:1::/48")
        #expect(IPAddress("203.0.113.77")?.groupingKey == IPAddress("203.0.113.1")?.groupingKey)
        #expect(IPAddress("203.0.113.77")?.groupingKey != IPAddress("203.0.114.77")?.groupingKey)
        #expect(IPAddress("2001:db8:1:ffff::")?.groupingKey == IPAddress("2001:db8:1::9")?.groupingKey)
        #expect(IPAddress("2001:db8:2::")?.groupingKey != IPAddress("2001:db8:1::")?.groupingKey)
    }
}

#if canImport(Glibc)
    import Glibc

    extension IPAddressTests {
        /// The parser agrees with the C library's inet_pton on generated text, valid and broken.
        @Test func agreesWithInetPton() {
            var rng = SplitMix(seed: 5)
            let alphabet = Array("0123456789abcdefABCDEF:.:.:".utf8)
            func pton(_ text: String) -> IPAddress? {
                var v4 = in_addr()
                if inet_pton(AF_INET, text, &v4) == 1 { return IPAddress(ipv4: UInt32(bigEndian: v4.s_addr)) }
                var v6 = in6_addr()
                guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
                let bytes = withUnsafeBytes(of: v6) { Array($0) }
                return IPAddress(value: bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
            }
            var texts: [String] = []
            for _ in 0..<3000 {
                // Well-formed addresses, printed in every style, then mutated.
                let value = UInt128(rng.next()) << 64 | UInt128(rng.next())
                let zeroed = value & ~(UInt128(0xffff_ffff) << (16 * (rng.next() % 6)))
                texts.append(IPAddress(value: zeroed).description)
                texts.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next())).description)
                var bytes = Array(IPAddress(value: zeroed).description.utf8)
                bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                texts.append(String(decoding: bytes, as: UTF8.self))
                let random = (0..<Int(rng.next() % 16 + 1)).map { _ in
                    alphabet[Int(rng.next() % UInt64(alphabet.count))]
                }
                texts.append(String(decoding: random, as: UTF8.self))
            }
            for text in texts {
                #expect(IPAddress(text) == pton(text), "\(text)")
            }
        }
    }
#endif
