/// A country of the simulated world: where people live, when their day starts, who connects them.
public struct Country: Sendable, Hashable {
    /// ISO 3166-1 alpha-2.
    public var code: String
    /// Hours east of UTC of the zones people live in (one is drawn per account).
    public var utcOffsets: [Double]
    /// Share of the honest population living here (relative).
    public var weight: Double
    /// Fixed-line ISPs: autonomous-system number and organisation.
    public var isps: [(asn: Int, org: String)]
    /// Mobile carriers.
    public var carriers: [(asn: Int, org: String)]

    public static func == (lhs: Country, rhs: Country) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension Country {
    /// The simulated world's countries, allowed and restricted alike (the scenario's geofence decides).
    public static let all: [Country] = [
        Country(code: "US", utcOffsets: [-8, -7, -6, -5, -5], weight: 30,
            isps: [(7922, "Comcast Cable Communications, LLC"), (20115, "Charter Communications"), (7018, "AT&T Services, Inc.")],
            carriers: [(21928, "T-Mobile USA, Inc.")]),
        Country(code: "GB", utcOffsets: [0], weight: 6,
            isps: [(2856, "British Telecommunications PLC"), (5089, "Virgin Media Limited")],
            carriers: [(25135, "Vodafone Limited")]),
        Country(code: "DE", utcOffsets: [1], weight: 6,
            isps: [(3320, "Deutsche Telekom AG"), (3209, "Vodafone GmbH")], carriers: [(6805, "Telefonica Germany GmbH")]),
        Country(code: "FR", utcOffsets: [1], weight: 4,
            isps: [(3215, "Orange S.A."), (12322, "Free SAS")], carriers: [(15557, "Societe Francaise du Radiotelephone")]),
        Country(code: "IN", utcOffsets: [5.5], weight: 9,
            isps: [(24560, "Bharti Airtel Ltd."), (9829, "National Internet Backbone")],
            carriers: [(55836, "Reliance Jio Infocomm Limited")]),
        Country(code: "BR", utcOffsets: [-3], weight: 4,
            isps: [(28573, "Claro NXT Telecomunicacoes Ltda"), (26599, "Telefonica Brasil S.A")], carriers: [(7738, "V tal")]),
        Country(code: "JP", utcOffsets: [9], weight: 4,
            isps: [(4713, "NTT Communications Corporation"), (2516, "KDDI Corporation")],
            carriers: [(17676, "SoftBank Corp.")]),
        Country(code: "KR", utcOffsets: [9], weight: 3,
            isps: [(4766, "Korea Telecom"), (9318, "SK Broadband Co Ltd")], carriers: [(17858, "LG POWERCOMM")]),
        Country(code: "CA", utcOffsets: [-8, -5, -5], weight: 3,
            isps: [(812, "Rogers Communications Canada Inc."), (577, "Bell Canada")], carriers: [(852, "TELUS Communications Inc.")]),
        Country(code: "AU", utcOffsets: [8, 10, 10], weight: 2,
            isps: [(1221, "Telstra Limited"), (4804, "Optus Internet Pty Ltd")], carriers: [(7545, "TPG Telecom Limited")]),
        Country(code: "NL", utcOffsets: [1], weight: 2,
            isps: [(1136, "KPN B.V."), (33915, "Vodafone Libertel B.V.")], carriers: [(50266, "Odido Netherlands B.V.")]),
        Country(code: "ES", utcOffsets: [1], weight: 2,
            isps: [(3352, "Telefonica de Espana S.A.U."), (12479, "Orange Espagne SA")], carriers: [(12430, "Vodafone Espana S.A.U.")]),
        Country(code: "IT", utcOffsets: [1], weight: 2,
            isps: [(3269, "Telecom Italia S.p.A."), (12874, "Fastweb SpA")], carriers: [(1267, "Wind Tre S.p.A.")]),
        Country(code: "PL", utcOffsets: [1], weight: 2,
            isps: [(5617, "Orange Polska Spolka Akcyjna"), (6830, "Liberty Global B.V.")], carriers: [(39375, "P4 Sp. z o.o.")]),
        Country(code: "MX", utcOffsets: [-6], weight: 2,
            isps: [(8151, "UNINET"), (22884, "TOTAL PLAY TELECOMUNICACIONES SA DE CV")], carriers: [(28403, "Radiomovil Dipsa")]),
        Country(code: "ID", utcOffsets: [7], weight: 2,
            isps: [(7713, "PT Telekomunikasi Indonesia")], carriers: [(23693, "PT. Telekomunikasi Selular")]),
        Country(code: "VN", utcOffsets: [7], weight: 2,
            isps: [(7552, "Viettel Group"), (45899, "VNPT Corp")], carriers: [(131445, "Viettel Mobile")]),
        Country(code: "TR", utcOffsets: [3], weight: 1.5,
            isps: [(9121, "Turk Telekomunikasyon Anonim Sirketi")], carriers: [(16135, "Turkcell Iletisim Hizmetleri A.S.")]),
        Country(code: "SG", utcOffsets: [8], weight: 1.5,
            isps: [(7473, "Singapore Telecommunications Ltd"), (4657, "StarHub Ltd")], carriers: [(9506, "Singtel Mobile")]),
        Country(code: "ZA", utcOffsets: [2], weight: 1,
            isps: [(37457, "Telkom SA Ltd.")], carriers: [(29975, "Vodacom")]),
        Country(code: "NG", utcOffsets: [1], weight: 1,
            isps: [(36873, "Airtel Networks Limited")], carriers: [(29465, "MTN NIGERIA Communication limited")]),
        Country(code: "SE", utcOffsets: [1], weight: 1,
            isps: [(3301, "Telia Company AB")], carriers: [(1257, "Tele2 Sverige AB")]),
        Country(code: "AR", utcOffsets: [-3], weight: 1,
            isps: [(7303, "Telecom Argentina S.A.")], carriers: [(27747, "Telecentro S.A.")]),
        Country(code: "CH", utcOffsets: [1], weight: 1,
            isps: [(3303, "Swisscom (Schweiz) AG")], carriers: [(15796, "Salt Mobile SA")]),
        // Countries a geofence commonly excludes.
        Country(code: "RU", utcOffsets: [3, 3, 7], weight: 0,
            isps: [(12389, "PJSC Rostelecom")], carriers: [(8359, "MTS PJSC")]),
        Country(code: "IR", utcOffsets: [3.5], weight: 0,
            isps: [(58224, "Iran Telecommunication Company PJS")], carriers: [(197207, "Mobile Communication Company of Iran PLC")]),
        Country(code: "KP", utcOffsets: [9], weight: 0,
            isps: [(131279, "Ryugyong-dong")], carriers: []),
        Country(code: "CU", utcOffsets: [-5], weight: 0,
            isps: [(27725, "Empresa de Telecomunicaciones de Cuba, S.A.")], carriers: []),
        Country(code: "SY", utcOffsets: [3], weight: 0,
            isps: [(29256, "Syrian Telecom")], carriers: []),
    ]

    static let byCode: [String: Country] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })

    /// Looks a country up by its ISO code.
    public static func named(_ code: String) -> Country? { byCode[code] }
}
