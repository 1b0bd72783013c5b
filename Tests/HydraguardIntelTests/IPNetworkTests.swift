import Testing

@testable import HydraguardIntel

@Suite struct IPNetworkTests {
    @Test func parsesIPv4Networks() throws {
        let net = try IPNetwork(parsing: "10.0.0.0/8")
        #expect(net.isIPv4)
        #expect(net.prefixLength == 8)
        #expect(net.bits == 104)
        #expect(net.description == "10.0.0.0/8")
        #expect(net.last.description == "10.255.255.255")
        #expect(net.contains(IPAddress("10.200.1.1")!))
        #expect(!net.contains(IPAddress("11.0.0.0")!))
        #expect(!net.contains(IPAddress("::a00:1")!))
    }

    @Test func parsesIPv6Networks() throws {
        let net = try IPNetwork(parsing: "2001:db8::/32")
        #expect(!net.isIPv4)
        #expect(net.prefixLength == 32)
        #expect(net.last.description == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
        #expect(net.contains(IPAddress("2001:db8:1::5")!))
        #expect(!net.contains(IPAddress("2001:db9::")!))
    }

    @Test func bareAddressIsOneAddress() throws {
        #expect(try IPNetwork(parsing: "192.0.2.1").description == "192.0.2.1/32")
        #expect(try IPNetwork(parsing: "2001:db8::1").description == "2001:db8::1/128")
    }

    @Test func wholeSpaces() throws {
        let v4 = try IPNetwork(parsing: "0.0.0.0/0")
        #expect(v4.contains(IPAddress("255.1.2.3")!))
        #expect(!v4.contains(IPAddress("2001:db8::1")!))
        let v6 = try IPNetwork(parsing: "::/0")
        #expect(v6.contains(IPAddress("2001:db8::1")!) && v6.contains(IPAddress("1.2.3.4")!))
    }

    @Test func hostBitsAreRefusedWhenStrictAndClearedOtherwise() throws {
        #expect(throws: IntelError.self) { try IPNetwork(parsing: "10.0.0.1/8") }
        #expect(try IPNetwork(parsing: "10.0.0.1/8", strict: false).description == "10.0.0.0/8")
        #expect(try IPNetwork(parsing: "2001:db8::1/32", strict: false).description == "2001:db8::/32")
    }

    @Test(arguments: [
        "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "2001:db8::/129", "10.0.0.0/08", "x/8", "10.0.0/8", "/8",
    ])
    func refusesBadText(text: String) {
        #expect {
            try IPNetwork(parsing: text)
        } throws: { error in
            (error as? IntelError)?.kind == .badNetwork && "\(error)".contains(text)
        }
    }

    @Test func containsNetworks() throws {
        let wide = try IPNetwork(parsing: "10.0.0.0/8")
        let narrow = try IPNetwork(parsing: "10.1.0.0/16")
        #expect(wide.contains(narrow))
        #expect(!narrow.contains(wide))
    }
}
