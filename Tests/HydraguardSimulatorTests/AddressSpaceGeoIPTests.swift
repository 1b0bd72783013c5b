import Foundation
import HydraguardIntel
import HydraguardLog
import Testing

@testable import HydraguardSimulator

/// `simulate --geoip`: the world placed inside a "real" database (here a small one written for the test, with
/// networks of sizes a real database has, none of them where the synthetic layout puts its blocks).
@Suite struct AddressSpaceGeoIPTests {
    static let countries: [String] = Array(Set(AddressSpace.standard.ranges.map(\.country))).sorted()

    /// Per country: one IPv4 /11 and one IPv6 /28, laid out far from the synthetic blocks (which sit on /16s
    /// of the first octets the cursor hands out); Amazon's AS 16509 owns a /14 inside the US network.
    static func databases(leaveOut: String? = nil) throws -> (country: MMDBReader, asn: MMDBReader, usNetwork: IPNetwork, aws: IPNetwork) {
        var countryNetworks: [(IPNetwork, String)] = []
        var us: IPNetwork?
        for (i, code) in countries.enumerated() where code != leaveOut {
            // 100.64/10 is shared space the synthetic cursor never uses; start well past it, one /11 each.
            let v4 = try IPNetwork(parsing: "\(150 + i / 8).\((i % 8) * 32).0.0/11")
            let v6 = try IPNetwork(parsing: String(format: "2c0f:%x::/28", 0x100 + i * 16))
            countryNetworks.append((v4, code))
            countryNetworks.append((v6, code))
            if code == "US" { us = v4 }
        }
        let usNetwork = try #require(us)
        let aws = IPNetwork(address: usNetwork.address, prefixLength: 14)
        let country = try MMDBReader(bytes: try MMDBWriter.country(countryNetworks).build(), path: "real-country.mmdb")
        let asn = try MMDBReader(
            bytes: try MMDBWriter.asn([
                (IPNetwork(address: usNetwork.address, prefixLength: 11), 7922, "Comcast"),  // the broad one first
                (aws, 16509, "Amazon.com, Inc."),
            ]).build(),
            path: "real-asn.mmdb")
        return (country, asn, usNetwork, aws)
    }

    @Test func everyBlockGeolocatesToItsCountryAndNoneOverlap() throws {
        let (countryDB, asnDB, _, aws) = try Self.databases()
        let standard = AddressSpace.standard
        let placed = try standard.placed(in: countryDB, asn: asnDB)
        #expect(placed.ranges.count == standard.ranges.count)
        var intervals: [(UInt128, UInt128)] = []
        for range in placed.ranges {
            let network = try IPNetwork(parsing: range.cidr)
            #expect(try countryDB.countryCode(for: network.address) == range.country, "\(range.cidr)")
            #expect(try countryDB.countryCode(for: network.last) == range.country, "\(range.cidr)")
            #expect(network.prefixLength == (range.isIPv6 ? 32 : standard.ranges.first { $0.provider == range.provider && $0.kind == range.kind }!.prefixLength))
            for (lo, hi) in intervals { #expect(hi < network.address.value || network.last.value < lo, "\(range.cidr) overlaps") }
            intervals.append((network.address.value, network.last.value))
        }
        // Amazon's US blocks went into Amazon's own network and say so; other blocks keep what the ASN
        // database says of them (Comcast for the rest of the US /11) or their synthetic AS.
        let amazonUS = placed.ranges.filter { $0.provider == "Amazon Web Services" && $0.country == "US" && !$0.isIPv6 }
        #expect(amazonUS.count == 2)
        for range in amazonUS {
            #expect(aws.contains(try IPNetwork(parsing: range.cidr)))
            #expect(range.asn == 16509 && range.organization == "Amazon.com, Inc.")
        }
        let german = placed.ranges.first { $0.country == "DE" && $0.kind == .residential && !$0.isIPv6 }!
        #expect(german.asn == standard.ranges.first { $0.provider == german.provider && $0.kind == .residential }!.asn)
    }

    @Test func placementDependsOnlyOnTheDatabases() throws {
        let (countryDB, asnDB, _, _) = try Self.databases()
        let a = try AddressSpace.standard.placed(in: countryDB, asn: asnDB)
        let b = try AddressSpace.standard.placed(in: countryDB, asn: asnDB)
        #expect(a.ranges == b.ranges)
        #expect(a.rangeListCSV != AddressSpace.standard.rangeListCSV)
    }

    @Test func simulatedTrafficUsesOnlyPlacedAddresses() throws {
        let (countryDB, asnDB, _, _) = try Self.databases()
        let space = try AddressSpace.standard.placed(in: countryDB, asn: asnDB)
        let simulation = try Simulation(scenario: TestScenarios.everyArchetype(days: 2), seed: 5, space: space)
        let events = simulation.events(day: 0) + simulation.events(day: 1)
        #expect(events.count > 1000)
        var v6 = 0
        for event in events {
            let ip = try #require(IPAddress(event.ip), "\(event.ip)")
            if !ip.isIPv4 { v6 += 1 }
            #expect(try countryDB.countryCode(for: ip) != nil, "\(event.ip) is outside the real database")
            #expect(space.range(of: event.ip) != nil, "\(event.ip) is outside the placed ranges")
        }
        #expect(v6 > 0)
        // Every account's sign-up address is placed too.
        for record in simulation.accountRecords() {
            if let signup = record.signupIP { #expect(try countryDB.countryCode(for: IPAddress(parsing: signup)) != nil) }
        }
    }

    @Test func aCountryMissingFromTheDatabaseIsNamed() throws {
        let (countryDB, _, _, _) = try Self.databases(leaveOut: "JP")
        #expect {
            _ = try AddressSpace.standard.placed(in: countryDB)
        } throws: { error in
            let text = "\(error)"
            return text.contains("real-country.mmdb") && text.contains("country JP")
        }
    }

    @Test func anASNDatabaseGivenAsTheCountryOneIsNamedAsSuch() throws {
        let (_, asnDB, _, _) = try Self.databases()
        #expect {
            _ = try AddressSpace.standard.placed(in: asnDB)
        } throws: { error in
            let text = "\(error)"
            return text.contains("real-asn.mmdb") && text.contains("is it a country database?")
        }
    }

    @Test func ipv6BlocksWithoutARealHomeAreLeftOut() throws {
        // Only IPv4 networks: every IPv6 block goes, and the simulator falls back to IPv4 addresses.
        let networks = Self.countries.enumerated().map { i, code in
            (try! IPNetwork(parsing: "\(150 + i / 8).\((i % 8) * 32).0.0/11"), code)
        }
        let countryDB = try MMDBReader(bytes: try MMDBWriter.country(networks).build(), path: "v4-only.mmdb")
        let placed = try AddressSpace.standard.placed(in: countryDB)
        #expect(placed.ranges.allSatisfy { !$0.isIPv6 })
        #expect(placed.ranges.count == AddressSpace.standard.ranges.filter { !$0.isIPv6 }.count)
        let simulation = try Simulation(scenario: TestScenarios.everyArchetype(days: 1), seed: 5, space: placed)
        #expect(simulation.events(day: 0).allSatisfy { IPAddress($0.ip)?.isIPv4 == true })
    }
}
