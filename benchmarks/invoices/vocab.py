"""Names, streets, banks and items the generated invoices are made of."""

from __future__ import annotations

MONTHS_DE = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

DE_SURNAMES = [
    "Müller",
    "Schäfer",
    "Bergmann",
    "Köhler",
    "Weiß",
    "Grünwald",
    "Hoffmann",
    "Krüger",
    "Becker",
    "Lehmann",
    "Schröder",
    "Vogel",
    "Zimmermann",
    "Hartmann",
]
DE_TRADES = [
    "Haustechnik",
    "Büroservice",
    "Software",
    "Elektro",
    "Druck",
    "Logistik",
    "Gebäudereinigung",
    "Metallbau",
    "Beratung",
    "Medien",
    "Feinkost",
    "IT-Systeme",
]
DE_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "e.K.", "KG", "UG (haftungsbeschränkt)"]
DE_STREETS = [
    "Hauptstraße",
    "Bahnhofstr.",
    "Lindenweg",
    "Goethestraße",
    "Industriestraße",
    "Am Markt",
    "Schillerplatz",
    "Gartenstraße",
    "Mühlenweg",
    "Königsallee",
]
DE_CITIES = [
    "Berlin",
    "München",
    "Köln",
    "Hamburg",
    "Frankfurt am Main",
    "Stuttgart",
    "Leipzig",
    "Nürnberg",
    "Bremen",
    "Düsseldorf",
    "Würzburg",
    "Lüneburg",
]
DE_BANKS = [
    ("Commerzbank", "COBADEFFXXX"),
    ("Deutsche Bank", "DEUTDEDBXXX"),
    ("Sparkasse KölnBonn", "COLSDE33XXX"),
    ("Postbank", "PBNKDEFFXXX"),
    ("GLS Bank", "GENODEM1GLS"),
    ("Volksbank Mittelhessen", "VBMHDE5FXXX"),
]
EN_NAMES = [
    "Harper",
    "Brightwater",
    "Oakfield",
    "Northgate",
    "Kingsley",
    "Ashford",
    "Redwood",
    "Bluestone",
    "Whitfield",
    "Marlow",
    "Greenway",
    "Sterling",
]
EN_TRADES = [
    "Digital",
    "Consulting",
    "Supplies",
    "Systems",
    "Facilities",
    "Print",
    "Logistics",
    "Engineering",
    "Media",
    "Analytics",
]
UK_FORMS = ["Ltd", "Limited", "PLC", "LLP"]
US_FORMS = ["Inc.", "LLC", "Corp."]
UK_STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Mill Lane",
    "Park Avenue",
    "Queen Street",
    "King's Road",
]
UK_CITIES = [
    ("London", "EC1A 1BB"),
    ("Manchester", "M1 1AE"),
    ("Leeds", "LS1 4AP"),
    ("Bristol", "BS1 4DJ"),
    ("Birmingham", "B1 1AA"),
    ("Oxford", "OX1 2JD"),
]
UK_BANKS = [
    ("Barclays", "BARCGB22"),
    ("HSBC UK", "HBUKGB4B"),
    ("Lloyds Bank", "LOYDGB2L"),
    ("NatWest", "NWBKGB2L"),
]
US_STREETS = ["Market Street", "Main St", "Oak Avenue", "Elm Street", "Broadway"]
US_CITIES = [
    ("San Francisco", "CA", "94103"),
    ("Austin", "TX", "78701"),
    ("Chicago", "IL", "60601"),
    ("Denver", "CO", "80202"),
]
DE_ITEMS = [
    ("Beratung Projektphase 1", 19),
    ("Wartung Heizungsanlage", 19),
    ("Druckerpapier A4, 500 Blatt", 19),
    ("Toner schwarz HP 305A", 19),
    ("Montage vor Ort", 19),
    ("Softwarelizenz Jahresabo", 19),
    ("Fahrtkosten Pauschale", 19),
    ("Bio-Äpfel Kiste 10 kg", 7),
    ("Fachbuch Steuerrecht", 7),
    ("Schulung Mitarbeiter (Tagessatz)", 19),
    ("Netzwerkkabel Cat6 5 m", 19),
    ("Büroregal Buche", 19),
    ("Entsorgung Altgeräte", 19),
    ("Kaffeebohnen Röstung Süd", 7),
    ("Zeitschrift Abonnement", 7),
    ("Reparatur Türschloss", 19),
]
EN_ITEMS = [
    ("Consulting services", 20),
    ("Website maintenance (monthly)", 20),
    ("Printer paper A4, 500 sheets", 20),
    ("Black toner cartridge", 20),
    ("On-site installation", 20),
    ("Software licence, annual", 20),
    ("Travel expenses", 20),
    ("Training day", 20),
    ("Network cable Cat6 5m", 20),
    ("Office chair, ergonomic", 20),
    ("Cloud hosting", 20),
    ("Printed brochures", 20),
    ("Children's books", 0),
    ("Design workshop", 20),
]
