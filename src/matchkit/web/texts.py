"""The page's own words in Dutch (the default) and English.

Reasons, field labels and approach descriptions come from the library in the language asked
for; these are only the words of the page around them. Templates read them as ``T.key``.
"""

from __future__ import annotations

from typing import Any, Final

from django.http import HttpRequest

LANGS: Final = ("nl", "en")

_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "app": ("matchkit — aanpakken bij bijstand", "matchkit — approaches for social assistance"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "login": ("Inloggen", "Log in"),
    "logout": ("Uitloggen", "Log out"),
    "username": ("Gebruikersnaam", "Username"),
    "password": ("Wachtwoord", "Password"),
    "login_failed": (
        "Gebruikersnaam of wachtwoord klopt niet.",
        "The username or password is not right.",
    ),
    "login_locked": (
        "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
        "Too many failed attempts. Try again in a quarter of an hour.",
    ),
    "my_clients": ("Mijn cliënten", "My clients"),
    "no_clients": ("Nog geen cliënten.", "No clients yet."),
    "new_client": ("Nieuwe cliënt", "New client"),
    "label": ("Naam of kenmerk", "Name or reference"),
    "label_help": (
        "Alleen voor uzelf, om de cliënt terug te vinden.",
        "For yourself only, to find the client again.",
    ),
    "create": ("Aanmaken", "Create"),
    "intake": ("Intake", "Intake"),
    "facts": ("Wat we weten", "What we know"),
    "unknown": ("onbekend", "unknown"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "save": ("Opslaan", "Save"),
    "saved": ("Opgeslagen.", "Saved."),
    "shortlist": ("Passende aanpakken", "Fitting approaches"),
    "shortlist_help": (
        "Werkt bij terwijl u gegevens invult. Onbekende gegevens zijn geen bezwaar: "
        "ze staan bij 'na te gaan'.",
        "Updates as you enter facts. Unknown facts count against nothing: they are listed "
        "under 'to verify'.",
    ),
    "need_age": (
        "Vul eerst de leeftijd in; daarna verschijnen de aanpakken.",
        "Enter the age first; the approaches appear then.",
    ),
    "not_offered": ("Zou passen, maar wordt hier niet aangeboden", "Would fit, not offered here"),
    "ineligible": ("Past niet", "Does not fit"),
    "status_eligible": ("past", "fits"),
    "status_verify": ("na te gaan", "to verify"),
    "status_ineligible": ("past niet", "does not fit"),
    "to_verify": ("Na te gaan", "To verify"),
    "to_arrange": ("Te regelen", "To arrange"),
    "print": ("Afdrukken voor het gesprek", "Print for the conversation"),
    "decide": ("Besluit vastleggen", "Record a decision"),
    "decision": ("Besluit", "Decision"),
    "own_choice": ("Geen van deze / eigen keuze", "None of these / own choice"),
    "reason": ("Korte reden", "Short reason"),
    "reason_help": (
        "Afwijken van de volgorde is normaal; noem kort waarom u dit kiest.",
        "Deviating from the order is normal; say briefly why you choose this.",
    ),
    "choose_one": ("Kies één aanpak of 'eigen keuze'.", "Choose one approach or 'own choice'."),
    "reason_required": ("Een reden is verplicht.", "A reason is required."),
    "timeline": ("Tijdlijn", "Timeline"),
    "no_decisions": ("Nog geen besluit.", "No decision yet."),
    "decided_by": ("vastgelegd door", "recorded by"),
    "outcome": ("Uitkomst vastleggen", "Record an outcome"),
    "outcomes": ("Uitkomsten", "Outcomes"),
    "benefit_ended": ("Uitkering beëindigd", "Benefit ended"),
    "paid_work": ("Betaald werk", "Paid work"),
    "ladder_up": (
        "Stap omhoog op de Participatieladder",
        "A step up on the Participatieladder",
    ),
    "dropped_out": ("Uitgevallen", "Dropped out"),
    "date": ("Datum", "Date"),
    "rank": ("plaats", "rank"),
    "err_choice": ("kies een van de opties", "choose one of the options"),
    "err_int": ("vul een heel getal in", "enter a whole number"),
    "err_float": ("vul een getal in", "enter a number"),
    "err_range": ("buiten het toegestane bereik", "outside the allowed range"),
    "err_codes": (
        "taalcodes van twee letters, gescheiden door komma's (bijv. ar, en)",
        "two-letter language codes separated by commas (e.g. ar, en)",
    ),
    "catalog": ("Aanpakken", "Approaches"),
    "offered": ("Aangeboden", "Offered"),
    "offered_here": ("wordt hier aangeboden", "offered here"),
    "not_offered_here": ("wordt hier niet aangeboden", "not offered here"),
    "set_offering": ("Aanbod opslaan", "Save the offering"),
    "offering": ("Lokaal aanbod", "Local offering"),
    "offering_help": (
        "Het aanbod geldt per gemeente of gebied; de gemeente van de cliënt bepaalt wat "
        "'hier niet aangeboden' is. Zonder gemeente geldt het voor alle overige gemeenten. "
        "Niets aangevinkt: de gemeente volgt het aanbod van de overige gemeenten.",
        "The offering is set per municipality or area; the client's municipality decides what "
        "is 'not offered here'. Without a municipality it holds for every other municipality. "
        "Nothing ticked: the municipality follows the offering of the others.",
    ),
    "area": ("Gemeente of gebied", "Municipality or area"),
    "area_default": ("alle overige gemeenten", "every other municipality"),
    "show": ("Tonen", "Show"),
    "offering_for": ("Aanbod voor", "Offering for"),
    "offered_in": ("Aangeboden in", "Offered in"),
    "offered_everywhere": (
        "overal (er is geen lokaal aanbod ingesteld)",
        "everywhere (no local offering is set)",
    ),
    "offered_nowhere": ("nergens", "nowhere"),
    "dashboard": ("Overzicht", "Dashboard"),
    "users": ("Gebruikers", "Users"),
    "users_help": (
        "Maak gebruikers aan, stel rol en team in, of zet iemand op inactief: die kan dan niet "
        "meer inloggen. Besluiten blijven bewaard. Elke wijziging komt in het auditlogboek.",
        "Create users, set their role and team, or make someone inactive: they can no longer "
        "log in. Their decisions are kept. Every change goes into the audit log.",
    ),
    "new_user": ("Nieuwe gebruiker", "New user"),
    "role": ("Rol", "Role"),
    "active": ("Actief", "Active"),
    "you": ("uzelf", "you"),
    "role_case_manager": ("klantmanager", "case manager"),
    "role_adviser": ("adviseur", "adviser"),
    "role_administrator": ("beheerder", "administrator"),
    "password_help": ("Minstens 8 tekens.", "At least 8 characters."),
    "err_role": ("Kies een rol.", "Choose a role."),
    "err_team": ("Een team heeft hoogstens 100 tekens.", "A team has at most 100 characters."),
    "err_username": (
        "Een gebruikersnaam heeft 1 tot 150 letters, cijfers of . @ + - _",
        "A username has 1 to 150 letters, digits or . @ + - _",
    ),
    "err_user_exists": ("Die gebruikersnaam bestaat al.", "That username exists already."),
    "err_password": (
        "Het wachtwoord moet minstens 8 tekens hebben.",
        "The password needs at least 8 characters.",
    ),
    "err_self": (
        "U kunt uzelf niet op inactief zetten of uw eigen beheerdersrol afnemen.",
        "You cannot make yourself inactive or take away your own administrator role.",
    ),
    "governance": ("Verantwoording", "Governance"),
    "export_json": ("Als JSON", "As JSON"),
    "deviation": ("Afwijking van plaats 1, per team", "Deviation from rank 1, per team"),
    "team": ("Team", "Team"),
    "decisions": ("Besluiten", "Decisions"),
    "deviating": ("Afwijkend", "Deviating"),
    "rate": ("Aandeel", "Share"),
    "withheld": (
        "niet getoond: minder dan twee mensen in dit team legden besluiten vast",
        "not shown: fewer than two people in this team recorded decisions",
    ),
    "clients": ("Cliënten", "Clients"),
    "language": ("Taal", "Language"),
    "back": ("Terug", "Back"),
    "report": ("Rapport van de caseload", "Caseload report"),
    "report_help": (
        "Pools, plan en toets uit het rapport van de bibliotheek, over alle cliënten.",
        "Pools, plan and audit from the library's report, over all clients.",
    ),
    "too_few": (
        "Te weinig cliënten met een leeftijd voor een rapport.",
        "Too few clients with an age for a report.",
    ),
}


def text(key: str, lang: str) -> str:
    """Return the page text ``key`` in ``lang`` (``nl`` or ``en``)."""
    nl, en = _TEXTS[key]
    return en if lang == "en" else nl


def texts(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``T`` (the texts in the request's language) and ``lang``."""
    lang = getattr(request, "lang", "nl")
    return {"T": {k: text(k, lang) for k in _TEXTS}, "lang": lang}
