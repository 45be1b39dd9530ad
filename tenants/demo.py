"""The seven lauréate territories of the ASSETT call, for `seed_demo` and `make run`.

Their SIREN and kind are those of the official list (assett/data/intercommunalites.csv), checked by
tests/tenants/test_backoffice.py::test_the_demo_territories_have_the_siren_and_kind_of_the_official_list."""

DEMO_PASSWORD = "demo-assett-2026"  # demo accounts only; seed_demo never runs in production

DEMO_TERRITORIES = [
    {
        "name": "Grand Poitiers",
        "slug": "grand-poitiers",
        "kind": "cu",
        "siren": "200069854",
        "accent_color": "#0b6b3a",
        "programme_name": "Acteurs engagés pour la transition écologique",
        "presentation": (
            "Lancé en mai 2023 avec le Cerema et Efficacity, le programme accompagne les entreprises, associations "
            "et établissements publics de Grand Poitiers dans la mise en œuvre du Plan Climat Air Énergie "
            "Territorial : auto-évaluation, boîte à outils et rencontres régulières."
        ),
    },
    {
        "name": "Toulouse Métropole",
        "slug": "toulouse-metropole",
        "kind": "metropole",
        "siren": "243100518",
        "accent_color": "#8c1d40",
    },
    {
        "name": "Communauté de communes du Haut-Poitou",
        "slug": "haut-poitou",
        "kind": "cc",
        "siren": "200069763",
        "accent_color": "#5b4a14",
    },
    {
        "name": "Métropole Rouen Normandie",
        "slug": "rouen-normandie",
        "kind": "metropole",
        "siren": "200023414",
        "accent_color": "#1f4e79",
    },
    {
        "name": "Communauté de communes du Centre Ouest",
        "slug": "centre-ouest-mayotte",
        "kind": "cc",
        "siren": "200059871",
        "accent_color": "#006b6b",
        "time_zone": "Indian/Mayotte",
    },
    {
        "name": "Grand-Orly Seine Bièvre",
        "slug": "grand-orly-seine-bievre",
        "kind": "ept",
        "siren": "200058014",
        "accent_color": "#6a1b9a",
    },
    {
        "name": "Grand Besançon Métropole",
        "slug": "grand-besancon",
        "kind": "cu",  # a communauté urbaine named « Métropole » (the official list's « CU »)
        "siren": "242500361",
        "accent_color": "#9a3412",
    },
]
