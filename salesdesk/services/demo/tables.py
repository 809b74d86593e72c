"""The demo company's fixed data: its name, branches, the names of people, customers'
countries, sectors and name stems, the product list, and the words around deals
(activities by stage, notes, lost reasons, expenses).

Plain tables, no logic: ``year`` draws from them with its seeded random generator, so
their order is part of what makes the demo deterministic (change an entry and the
same seed gives another company).
"""

from __future__ import annotations

COMPANY = "Northwind Trading"
COMPANY_DOMAIN = "northwind-trading.eu"
CURRENCY = "EUR"

# --------------------------------------------------------------------------- names

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uk": (
        ("Oliver", "Amelia", "Harry", "Isla", "George", "Emily", "Jack", "Sophie", "Charlotte", "James", "Hannah",
         "Thomas", "Lucy", "William", "Grace", "Daniel", "Megan", "Samuel", "Chloe", "Matthew", "Eleanor", "Callum",
         "Fiona", "Rhys", "Rebecca", "Alistair", "Joanne", "Gareth", "Natalie", "Ian"),
        ("Thompson", "Walker", "Hughes", "Clarke", "Evans", "Wright", "Robinson", "Wood", "Turner", "Hall", "Green",
         "Baker", "Harris", "Morgan", "Campbell", "Shaw", "Fletcher", "Barnes", "Davies", "Bennett", "Price",
         "Holloway", "Marshall", "Pearson", "Lloyd", "Ellis", "Fraser", "Atkinson", "Cooper", "Reid"),
    ),
    "ie": (
        ("Siobhan", "Ciaran", "Aoife", "Niamh", "Conor", "Declan", "Orla", "Eoin", "Grainne", "Padraig"),
        ("O'Brien", "Murphy", "Kelly", "Byrne", "Ryan", "O'Connor", "Walsh", "McCarthy", "Doyle", "Gallagher"),
    ),
    "de": (
        ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Maximilian", "Leon", "Hannah", "Paul", "Laura",
         "Tobias", "Katrin", "Stefan", "Julia", "Matthias", "Sabine", "Jan", "Miriam", "Florian", "Franziska",
         "Niklas", "Jana", "Jürgen", "Ulrike", "Björn", "Svenja", "Dominik", "Anke", "Moritz"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch",
         "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Krüger", "Hartmann", "Lange", "Vogel",
         "Braun", "Köhler", "Lehmann", "Kaiser", "Fuchs", "Brandt", "Graf", "Roth", "Seidel", "Winter"),
    ),
    "fr": (
        ("Camille", "Louis", "Léa", "Hugo", "Chloé", "Antoine", "Manon", "Julien", "Élodie", "Mathieu", "Inès",
         "Nicolas", "Pauline", "Théo", "Margaux", "Guillaume", "Aurélie", "Baptiste", "Céline", "Maxime",
         "Sébastien", "Amélie", "Romain", "Hélène", "Thibault"),
        ("Martin", "Bernard", "Dubois", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
         "Laurent", "Lefèvre", "Michel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine",
         "Rousseau", "Chevalier", "Mercier", "Blanc", "Guérin", "Faure"),
    ),
    "nl": (
        ("Daan", "Sanne", "Lars", "Femke", "Bram", "Lotte", "Sem", "Eva", "Thijs", "Anouk", "Ruben", "Fleur",
         "Jesse", "Iris", "Stijn", "Noor", "Joost", "Maaike", "Wouter", "Esmee", "Pieter", "Marloes"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer",
         "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
         "de Wit", "Kuipers", "Verhoeven"),
    ),
    "be": (
        ("Lieven", "Elke", "Wim", "Sofie", "Jeroen", "Nathalie", "Pieter", "Margot", "Geert", "Charlotte"),
        ("Peeters", "Janssens", "Maes", "Jacobs", "Willems", "Claes", "Goossens", "Wouters", "Dubois", "Lambert"),
    ),
    "es": (
        ("Lucía", "Javier", "Carmen", "Alejandro", "Marta", "Pablo", "Elena", "Sergio", "Laura", "Diego"),
        ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz", "Moreno"),
    ),
    "it": (
        ("Sofia", "Marco", "Giulia", "Luca", "Chiara", "Matteo", "Francesca", "Alessandro", "Valentina", "Davide"),
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti"),
    ),
    "dk": (
        ("Mikkel", "Freya", "Rasmus", "Ida", "Mads", "Signe", "Anders", "Mette", "Kasper", "Line"),
        ("Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
         "Poulsen"),
    ),
    "se": (
        ("Erik", "Ingrid", "Johan", "Astrid", "Oskar", "Maja", "Gustav", "Elin", "Henrik", "Karin"),
        ("Johansson", "Lindqvist", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Lindberg",
         "Berg", "Holm"),
    ),
    # Colleagues and contacts from further away, each with names of one origin.
    "in": (("Priya", "Arjun", "Ananya", "Rahul", "Deepa", "Vikram"),
           ("Sharma", "Mehta", "Iyer", "Kapoor", "Nair", "Rao")),
    "gh": (("Kwame", "Ama", "Kofi", "Abena"), ("Mensah", "Owusu", "Boateng", "Asante")),
    "ng": (("Amara", "Chidi", "Ngozi", "Tunde"), ("Okafor", "Adeyemi", "Eze", "Balogun")),
    "cn": (("Mei", "Wei", "Lin", "Jun", "Xiaoling"), ("Chen", "Zhang", "Wang", "Liu", "Huang")),
    "jp": (("Yuki", "Haruto", "Aiko", "Kenji"), ("Tanaka", "Sato", "Nakamura", "Watanabe")),
    "pt": (("Ana", "João", "Inês", "Tiago"), ("Silva", "Pereira", "Costa", "Ferreira")),
    "pl": (("Aleksandra", "Piotr", "Katarzyna", "Tomasz", "Magdalena"),
           ("Nowak", "Wójcik", "Mazur", "Krawczyk", "Kaczmarek")),
    "tr": (("Mehmet", "Elif", "Emre", "Zeynep"), ("Yılmaz", "Demir", "Kaya", "Şahin")),
    "ma": (("Fatima", "Omar", "Youssef", "Salma"), ("El Amrani", "Haddad", "Benali", "Tazi")),
    "gr": (("Nikos", "Giorgos", "Dimitris", "Kostas"), ("Papadopoulos", "Georgiou", "Nikolaidis", "Dimitriou")),
    "cz": (("Tomáš", "Jakub", "Petr", "Martin"), ("Novák", "Svoboda", "Dvořák", "Beneš")),
}
FOREIGN = ("in", "gh", "ng", "cn", "jp", "pt", "pl", "tr", "ma", "gr", "cz", "es", "it", "ie", "se", "dk")


# --------------------------------------------------------------------------- the organisation

# name, city, region, country, phone prefix, team sizes under team leaders, salespeople
# reporting straight to the branch manager.
BRANCHES = (
    ("London", "London", "UK & Ireland", "uk", "+44 20 7946", (4, 3), 1),
    ("Manchester", "Manchester", "UK & Ireland", "uk", "+44 161 496", (4,), 1),
    ("Berlin", "Berlin", "DACH", "de", "+49 30 5550", (3, 3), 1),
    ("Lyon", "Lyon", "France & Southern Europe", "fr", "+33 4 72 55", (3,), 1),
    ("Amsterdam", "Amsterdam", "Benelux & Nordics", "nl", "+31 20 555", (2, 2), 1),
)

# --------------------------------------------------------------------------- customers

# country: phone code, top-level domain, legal forms, name pool, cities (name, area code, branch)
COUNTRIES: dict[str, tuple[str, str, tuple[str, ...], str, tuple[tuple[str, str, str], ...]]] = {
    "United Kingdom": ("+44", "co.uk", ("Ltd", "Ltd", "Ltd", "plc", "Group"), "uk", (
        ("London", "20", "London"), ("Birmingham", "121", "London"), ("Bristol", "117", "London"),
        ("Reading", "118", "London"), ("Cardiff", "29", "London"), ("Southampton", "23", "London"),
        ("Manchester", "161", "Manchester"), ("Leeds", "113", "Manchester"), ("Liverpool", "151", "Manchester"),
        ("Sheffield", "114", "Manchester"), ("Glasgow", "141", "Manchester"), ("Edinburgh", "131", "Manchester"),
        ("Nottingham", "115", "Manchester"), ("Newcastle upon Tyne", "191", "Manchester"))),
    "Ireland": ("+353", "ie", ("Ltd", "DAC"), "ie", (
        ("Dublin", "1", "London"), ("Cork", "21", "London"), ("Galway", "91", "Manchester"))),
    "Germany": ("+49", "de", ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG"), "de", (
        ("Berlin", "30", "Berlin"), ("Hamburg", "40", "Berlin"), ("München", "89", "Berlin"),
        ("Köln", "221", "Berlin"), ("Frankfurt am Main", "69", "Berlin"), ("Stuttgart", "711", "Berlin"),
        ("Düsseldorf", "211", "Berlin"), ("Leipzig", "341", "Berlin"), ("Hannover", "511", "Berlin"),
        ("Dresden", "351", "Berlin"))),
    "Austria": ("+43", "at", ("GmbH", "AG"), "de", (
        ("Wien", "1", "Berlin"), ("Graz", "316", "Berlin"), ("Linz", "732", "Berlin"))),
    "Switzerland": ("+41", "ch", ("AG", "GmbH", "SA"), "de", (
        ("Zürich", "44", "Berlin"), ("Basel", "61", "Berlin"), ("Genève", "22", "Lyon"))),
    "France": ("+33", "fr", ("SAS", "SAS", "SA", "SARL"), "fr", (
        ("Lyon", "4", "Lyon"), ("Paris", "1", "Lyon"), ("Marseille", "4", "Lyon"), ("Toulouse", "5", "Lyon"),
        ("Lille", "3", "Lyon"), ("Bordeaux", "5", "Lyon"), ("Nantes", "2", "Lyon"), ("Grenoble", "4", "Lyon"),
        ("Strasbourg", "3", "Lyon"))),
    "Belgium": ("+32", "be", ("NV", "BV", "SA"), "be", (
        ("Brussels", "2", "Amsterdam"), ("Antwerp", "3", "Amsterdam"), ("Ghent", "9", "Amsterdam"),
        ("Liège", "4", "Lyon"))),
    "Netherlands": ("+31", "nl", ("B.V.", "B.V.", "N.V."), "nl", (
        ("Amsterdam", "20", "Amsterdam"), ("Rotterdam", "10", "Amsterdam"), ("Utrecht", "30", "Amsterdam"),
        ("Den Haag", "70", "Amsterdam"), ("Eindhoven", "40", "Amsterdam"), ("Groningen", "50", "Amsterdam"))),
    "Spain": ("+34", "es", ("S.L.", "S.A."), "es", (
        ("Barcelona", "93", "Lyon"), ("Madrid", "91", "Lyon"), ("Valencia", "96", "Lyon"))),
    "Italy": ("+39", "it", ("S.p.A.", "S.r.l."), "it", (("Milano", "02", "Lyon"), ("Torino", "011", "Lyon"))),
    "Denmark": ("+45", "dk", ("A/S", "ApS"), "dk", (("København", "3", "Amsterdam"), ("Aarhus", "8", "Amsterdam"))),
    "Sweden": ("+46", "se", ("AB",), "se", (("Stockholm", "8", "Amsterdam"), ("Göteborg", "31", "Amsterdam"))),
}
HOME_CITIES = ("London", "Manchester", "Berlin", "Lyon", "Amsterdam")
BIG_CITIES = ("Birmingham", "Leeds", "Glasgow", "Dublin", "Hamburg", "München", "Frankfurt am Main", "Köln",
               "Wien", "Zürich", "Paris", "Marseille", "Brussels", "Antwerp", "Rotterdam", "Utrecht",
               "Barcelona", "Milano", "Stockholm", "København")

# sector: weight, words that end a company name, product weight by series
SECTORS: dict[str, tuple[int, tuple[str, ...], dict[str, float]]] = {
    "Software": (12, ("Software", "Systems", "Digital", "Labs", "Technologies"),
                 {"Hardware": 0.2, "Services": 1.5, "Modules": 1.3}),
    "Retail": (14, ("Retail", "Stores", "Home & Garden", "Fashion", "Markets"),
               {"Hardware": 2.2, "Modules": 1.4}),
    "Manufacturing": (16, ("Manufacturing", "Industries", "Components", "Engineering", "Metalworks", "Plastics"),
                      {"Hardware": 1.6, "Services": 1.2}),
    "Healthcare": (9, ("Health", "Medical", "Care", "Clinics", "Pharma"), {"Hardware": 0.8, "Support": 1.4}),
    "Finance": (8, ("Finance", "Capital", "Insurance", "Leasing", "Partners"),
                {"Hardware": 0.2, "Services": 1.4, "Support": 1.3}),
    "Logistics": (14, ("Logistics", "Freight", "Transport", "Distribution", "Shipping"),
                  {"Hardware": 3.0, "Modules": 1.3}),
    "Food & Beverage": (8, ("Foods", "Beverages", "Bakeries", "Dairy"), {"Hardware": 1.8}),
    "Construction": (6, ("Construction", "Building", "Infrastructure"), {"Hardware": 1.2}),
    "Energy": (4, ("Energy", "Power", "Solar", "Utilities"), {"Services": 1.3}),
    "Professional Services": (9, ("Consulting", "Advisory", "Associates"), {"Hardware": 0.3, "Services": 1.3}),
}
STEMS = (
    "Kessler", "Brightwater", "Nordlicht", "Alder", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite",
    "Harbour", "Ironside", "Juniper", "Keystone", "Lumen", "Meridian", "Northgate", "Orchard", "Pinnacle",
    "Quarry", "Redwood", "Silverline", "Thornbury", "Unity", "Vantage", "Westbrook", "Zenith", "Atlas",
    "Blauwal", "Ceder", "Donau", "Elbe", "Fjord", "Gironde", "Hanse", "Isar", "Jura", "Loire", "Maas",
    "Rhône", "Seine", "Tamar", "Avon", "Clyde", "Mersey", "Severn", "Alpen", "Baltic", "Castell", "Dorset",
    "Eifel", "Flanders", "Garonne", "Helvetia", "Ibex", "Kestrel", "Linden", "Mistral", "Nimbus", "Oakridge",
    "Polaris", "Quantum", "Riverside", "Solent", "Tidal", "Uplands", "Veritas", "Willow", "Yarrow", "Zephyr",
    "Aurora", "Bergmann", "Crown", "Dunmore", "Evergreen", "Fairfield", "Greenway", "Highland", "Kingsbridge",
    "Lakeside", "Marlow", "Newhaven", "Oberland", "Pioneer", "Rheinland", "Sterling", "Trident", "Valmont",
)
CONTACT_TITLES = (
    "Head of Procurement", "Purchasing Manager", "CFO", "CEO", "Managing Director", "IT Director",
    "Operations Manager", "Head of Logistics", "Finance Director", "COO", "Head of IT", "Warehouse Manager",
    "Buyer", "Project Manager", "Head of Sales Operations",
)

# --------------------------------------------------------------------------- products

# code, name, series, price in EUR, recurring (renewable), sold per unit (quantity follows the budget)
PRODUCTS = (
    ("PLT-STD", "Platform Standard (annual)", "Platform", 4800, True, False),
    ("PLT-PRO", "Platform Professional (annual)", "Platform", 12000, True, False),
    ("PLT-ENT", "Platform Enterprise (annual)", "Platform", 36000, True, False),
    ("MOD-ANA", "Analytics Module", "Modules", 6000, False, False),
    ("MOD-INV", "Inventory Module", "Modules", 7500, False, False),
    ("MOD-ECO", "E-commerce Connector", "Modules", 3900, False, False),
    ("MOD-MOB", "Mobile Sales App (10 users)", "Modules", 2400, False, True),
    ("MOD-PAY", "Payroll Module", "Modules", 5400, False, False),
    ("HW-HS200", "Handheld Scanner HS-200", "Hardware", 890, False, True),
    ("HW-LP40", "Label Printer LP-40", "Hardware", 1250, False, True),
    ("HW-RT10", "Rugged Tablet RT-10", "Hardware", 1690, False, True),
    ("HW-GW1", "Warehouse Gateway GW-1", "Hardware", 3200, False, True),
    ("HW-DS5", "Docking Station DS-5", "Hardware", 240, False, True),
    ("SRV-IMP", "Implementation Day", "Services", 1200, False, True),
    ("SRV-MIG", "Data Migration Package", "Services", 8500, False, False),
    ("SRV-TRN", "Training Day", "Services", 950, False, True),
    ("SRV-INT", "Custom Integration", "Services", 14000, False, False),
    ("SUP-STD", "Support Standard (annual)", "Support", 2800, True, False),
    ("SUP-PRM", "Support Premium (annual)", "Support", 6900, True, False),
    ("SUP-HST", "Managed Hosting (annual)", "Support", 9600, True, False),
)
SERIES_WEIGHT = {"Platform": 1.0, "Modules": 1.0, "Hardware": 1.0, "Services": 0.7, "Support": 0.5}
TITLES_BY_SERIES = {
    "Platform": ("{p} rollout", "ERP replacement", "Platform upgrade", "{p}", "New platform for {city}"),
    "Modules": ("{p}", "{p} extension", "Reporting project", "{p} pilot"),
    "Hardware": ("Scanner refresh", "Warehouse hardware", "{q} × {p}", "Devices for the {city} site", "{p}"),
    "Services": ("Implementation project", "Data migration", "Integration project", "Training programme", "{p}"),
    "Support": ("Support contract", "{p}", "Hosting move"),
}

# --------------------------------------------------------------------------- words around deals

STAGE_WORK: dict[str, tuple[tuple[str, str], ...]] = {
    "Contact": (("call", "Intro call with {c}"), ("email", "Intro email to {c}"), ("call", "Cold call {c}")),
    "Information Exchange": (("email", "Send product overview to {c}"), ("call", "Call {c}: current setup")),
    "Lead Generation": (("call", "Qualify interest with {c}"), ("meeting", "Coffee with {c}"),
                        ("email", "Send case study to {c}")),
    "Identification": (("meeting", "Needs analysis at {a}"), ("meeting", "Site visit at {a}")),
    "Qualification": (("call", "Budget and timeline check with {c}"), ("meeting", "Demo for the {a} team")),
    "Proposal": (("task", "Write proposal for {a}"), ("email", "Send proposal to {c}"),
                 ("call", "Walk {c} through the proposal")),
    "Negotiation": (("meeting", "Negotiation meeting with {c}"), ("call", "Call {c} about terms"),
                    ("email", "Revised offer to {c}")),
    "Deal": (("task", "Contract signed: hand {a} over to onboarding"), ("email", "Welcome email to {c}")),
    "After Sales": (("call", "Onboarding check-in with {c}"), ("meeting", "Quarterly review at {a}")),
    "Renewal Due": (("email", "Renewal reminder to {c}"), ("call", "Call {c} about the renewal")),
    "Review": (("meeting", "Usage review with {c}"), ("task", "Prepare usage report for {a}")),
    "Renewed": (("task", "Renewal confirmed: update the {a} contract"),),
}
GENERIC_WORK = (("call", "Follow-up call with {c}"), ("email", "Follow-up email to {c}"),
                 ("meeting", "Meeting at {a}"), ("task", "Update notes for {a}"))
ACTIVITY_NOTES = (
    "Asked for references in their sector.", "Decision maker was on holiday; rescheduled.",
    "Wants a price for three years up front.", "IT security questionnaire to fill in.",
    "Good meeting, positive about the timeline.", "They compare us with two other suppliers.",
    "Needs sign-off from group procurement.", "Sent the slides afterwards.",
)
DEAL_NOTES = (
    "Referral from an existing customer.", "Met at the trade fair.", "Pilot in one site first.",
    "Decision expected after the board meeting.", "Needs approval from group IT.",
    "Came in through the website.", "Incumbent supplier contract ends this year.",
    "Strong champion in operations.", "Procurement runs a formal tender.",
)
LOST_WEIGHTS = {
    "Price too high": 25, "Chose a competitor": 25, "No budget": 15, "No decision / went silent": 15,
    "Timing: not now": 10, "Product does not fit": 7, "Other": 3,
}
LOST_NOTES = {
    "Price too high": ("A competitor came in 20% cheaper.", "Licence cost above their ceiling.",
                       "Could not match the discount they asked for."),
    "Chose a competitor": ("Went with the incumbent after a long evaluation.", "Chose a local supplier.",
                           "Lost to a bundle offer from their ERP vendor."),
    "No budget": ("Budget frozen until next fiscal year.", "Spending freeze after a weak quarter."),
    "No decision / went silent": ("No reply after three follow-ups.", "Champion left the company."),
    "Timing: not now": ("Revisit next year; they are mid-merger.", "Busy with a system migration first."),
    "Product does not fit": ("Needs on-premise hosting we do not offer.", "Missing a module for their sector."),
    "Other": ("Company acquired; purchasing moved to head office.", "Project cancelled after a reorganisation."),
}

EXPENSES = (
    # category, weight, (description, lowest, highest amount in EUR)
    ("Travel", 45, (("Train to {city} for customer visits", 40, 260), ("Flight to {city}: customer meetings", 120, 650),
                    ("Hotel in {city}, two nights", 160, 480), ("Taxi and parking, {city}", 15, 90))),
    ("Client entertainment", 20, (("Lunch with {acct}", 40, 180), ("Dinner with the {acct} team", 120, 420),
                                  ("Coffee and cake for the {acct} workshop", 25, 80))),
    ("Events & trade fairs", 5, (("Trade fair stand, {city}", 1500, 6000),
                                  ("Sponsoring a logistics meetup", 500, 1500))),
    ("Marketing materials", 10, (("Printed brochures", 150, 900), ("Demo kit for customer visits", 200, 1500))),
    ("Training", 5, (("Negotiation training", 400, 1800), ("Product certification course", 250, 1200))),
    ("Software & subscriptions", 10, (("Company data subscription", 90, 300), ("Video-call licences", 20, 120))),
    ("Mileage", 5, (("Mileage: visits around {city}", 20, 250),)),
)
