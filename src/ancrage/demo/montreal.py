"""The Montréal demonstration network, as data and as a plan built from a seed (no database here).

Library branch names are those of Montréal's public libraries; every address, person, community
organization, institution, foundation and table is invented. `build_plan(seed)` draws all choices
from one `random.Random(seed)`, so one seed always yields the same network, row for row.
"""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from ancrage.core.choices import OrganizationKind as K
from ancrage.core.choices import Role
from ancrage.core.reference_data import BOROUGHS, LIAISON_PILOT_BOROUGHS
from ancrage.network.models import PartnershipKind as P

DEFAULT_SEED = 2026
DEMO_DOMAIN = "demo.ancrage.ca"
# Printed by `ancrage seed-demo` and in the README on purpose: it only opens synthetic accounts.
DEMO_PASSWORD = "ancrage-demo-2026"  # noqa: S105
SUPERUSER_EMAIL = f"admin@{DEMO_DOMAIN}"

BOROUGH_CODES = [code for code, _name in BOROUGHS]

# "de LaSalle", "d'Anjou", "du Plateau-Mont-Royal": the borough's name after "de", elided.
BOROUGH_OF = {
    "ahuntsic-cartierville": "d'Ahuntsic-Cartierville",
    "anjou": "d'Anjou",
    "cote-des-neiges-notre-dame-de-grace": "de Côte-des-Neiges–Notre-Dame-de-Grâce",
    "lachine": "de Lachine",
    "lasalle": "de LaSalle",
    "ile-bizard-sainte-genevieve": "de L'Île-Bizard–Sainte-Geneviève",
    "mercier-hochelaga-maisonneuve": "de Mercier–Hochelaga-Maisonneuve",
    "montreal-nord": "de Montréal-Nord",
    "outremont": "d'Outremont",
    "pierrefonds-roxboro": "de Pierrefonds-Roxboro",
    "plateau-mont-royal": "du Plateau-Mont-Royal",
    "riviere-des-prairies-pointe-aux-trembles": "de Rivière-des-Prairies–Pointe-aux-Trembles",
    "rosemont-la-petite-patrie": "de Rosemont–La Petite-Patrie",
    "saint-laurent": "de Saint-Laurent",
    "saint-leonard": "de Saint-Léonard",
    "sud-ouest": "du Sud-Ouest",
    "verdun": "de Verdun",
    "ville-marie": "de Ville-Marie",
    "villeray-saint-michel-parc-extension": "de Villeray–Saint-Michel–Parc-Extension",
}

# The 45 branches of Montréal's public library network, by borough.
LIBRARY_BRANCHES = {
    "ahuntsic-cartierville": ["Ahuntsic", "Cartierville", "Salaberry"],
    "anjou": ["Jean-Corbeil", "Haut-Anjou"],
    "cote-des-neiges-notre-dame-de-grace": [
        "Benny",
        "Côte-des-Neiges",
        "Interculturelle",
        "Notre-Dame-de-Grâce",
    ],
    "lachine": ["Saul-Bellow", "Saint-Pierre"],
    "lasalle": ["L'Octogone"],
    "ile-bizard-sainte-genevieve": ["L'Île-Bizard"],
    "mercier-hochelaga-maisonneuve": ["Maisonneuve", "Langelier", "Hochelaga", "Mercier"],
    "montreal-nord": ["Henri-Bourassa", "Belleville", "Charleroi", "Yves-Ryan"],
    "outremont": ["Robert-Bourassa"],
    "pierrefonds-roxboro": ["Pierrefonds", "Roxboro"],
    "plateau-mont-royal": ["du Mile End", "du Plateau-Mont-Royal"],
    "riviere-des-prairies-pointe-aux-trembles": [
        "de Rivière-des-Prairies",
        "de Pointe-aux-Trembles",
    ],
    "rosemont-la-petite-patrie": ["Rosemont", "de La Petite-Patrie", "Marc-Favreau"],
    "saint-laurent": ["du Boisé"],
    "saint-leonard": ["de Saint-Léonard"],
    "sud-ouest": ["Saint-Charles", "Marie-Uguay", "Georges-Vanier", "Saint-Henri"],
    "verdun": ["de Verdun", "Jacqueline-De Repentigny"],
    "ville-marie": ["Frontenac", "Père-Ambroise"],
    "villeray-saint-michel-parc-extension": [
        "de Saint-Michel",
        "de Parc-Extension",
        "Le Prévost",
        "de Villeray",
    ],
}

# Forward sortation areas (first half of the postal code) found in each borough.
POSTAL_AREAS = {
    "ahuntsic-cartierville": ["H2C", "H2M", "H3L", "H4J", "H4K"],
    "anjou": ["H1J", "H1K"],
    "cote-des-neiges-notre-dame-de-grace": ["H3S", "H3T", "H3W", "H4A", "H4B", "H4V"],
    "lachine": ["H8S", "H8T"],
    "lasalle": ["H8N", "H8P", "H8R"],
    "ile-bizard-sainte-genevieve": ["H9C", "H9E"],
    "mercier-hochelaga-maisonneuve": ["H1L", "H1M", "H1N", "H1V", "H1W"],
    "montreal-nord": ["H1G", "H1H"],
    "outremont": ["H2V"],
    "pierrefonds-roxboro": ["H8Y", "H8Z", "H9H", "H9K"],
    "plateau-mont-royal": ["H2H", "H2J", "H2T", "H2W"],
    "riviere-des-prairies-pointe-aux-trembles": ["H1A", "H1B", "H1C", "H1E"],
    "rosemont-la-petite-patrie": ["H1X", "H1Y", "H2G", "H2S"],
    "saint-laurent": ["H4L", "H4M", "H4N", "H4R", "H4S"],
    "saint-leonard": ["H1P", "H1R", "H1S"],
    "sud-ouest": ["H3J", "H3K", "H4C", "H4E"],
    "verdun": ["H3E", "H4G", "H4H"],
    "ville-marie": ["H2L", "H2X", "H2Z", "H3A", "H3B", "H3G"],
    "villeray-saint-michel-parc-extension": ["H1Z", "H2A", "H2E", "H2P", "H2R", "H3N"],
}
# Letters Canada Post never uses in postal codes.
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

STREETS = {
    "ahuntsic-cartierville": [
        "boulevard Henri-Bourassa Ouest",
        "rue Fleury Ouest",
        "boulevard Gouin Ouest",
        "rue Lajeunesse",
        "boulevard de l'Acadie",
        "rue Sauvé Ouest",
    ],
    "anjou": [
        "boulevard des Galeries-d'Anjou",
        "avenue de Chaumont",
        "boulevard Roi-René",
        "rue Bélanger",
    ],
    "cote-des-neiges-notre-dame-de-grace": [
        "chemin de la Côte-des-Neiges",
        "avenue Van Horne",
        "rue Sherbrooke Ouest",
        "avenue de Monkland",
        "chemin de la Côte-Sainte-Catherine",
        "avenue Victoria",
        "boulevard Décarie",
    ],
    "lachine": ["rue Notre-Dame", "boulevard Saint-Joseph", "avenue Provost", "rue Victoria"],
    "lasalle": [
        "boulevard Newman",
        "rue Dollard",
        "boulevard Champlain",
        "avenue Dollard",
        "rue Centrale",
    ],
    "ile-bizard-sainte-genevieve": [
        "rue Cherrier",
        "boulevard Jacques-Bizard",
        "boulevard Gouin Ouest",
    ],
    "mercier-hochelaga-maisonneuve": [
        "rue Ontario Est",
        "rue Sainte-Catherine Est",
        "rue Hochelaga",
        "boulevard Langelier",
        "rue Sherbrooke Est",
    ],
    "montreal-nord": [
        "boulevard Henri-Bourassa Est",
        "boulevard Léger",
        "rue de Charleroi",
        "boulevard Pie-IX",
        "avenue Pelletier",
    ],
    "outremont": [
        "avenue Van Horne",
        "avenue Bernard",
        "rue Laurier Ouest",
        "chemin de la Côte-Sainte-Catherine",
    ],
    "pierrefonds-roxboro": [
        "boulevard de Pierrefonds",
        "boulevard Gouin Ouest",
        "rue Centre Commercial",
        "boulevard Saint-Charles",
    ],
    "plateau-mont-royal": [
        "avenue du Mont-Royal",
        "rue Saint-Denis",
        "boulevard Saint-Laurent",
        "rue Rachel Est",
        "avenue Laurier Est",
    ],
    "riviere-des-prairies-pointe-aux-trembles": [
        "boulevard Maurice-Duplessis",
        "rue Notre-Dame Est",
        "boulevard Saint-Jean-Baptiste",
        "boulevard Perras",
    ],
    "rosemont-la-petite-patrie": [
        "boulevard Rosemont",
        "rue Beaubien Est",
        "rue Saint-Hubert",
        "rue Masson",
        "rue Bélanger",
    ],
    "saint-laurent": [
        "boulevard Décarie",
        "boulevard de la Côte-Vertu",
        "rue Du Collège",
        "boulevard Thimens",
        "rue Grenet",
    ],
    "saint-leonard": [
        "boulevard Lacordaire",
        "rue Jarry Est",
        "boulevard Langelier",
        "boulevard Robert",
    ],
    "sud-ouest": [
        "rue Centre",
        "rue Notre-Dame Ouest",
        "boulevard Monk",
        "rue Saint-Jacques",
        "rue Wellington",
    ],
    "verdun": ["rue Wellington", "boulevard LaSalle", "rue de Verdun", "boulevard René-Lévesque"],
    "ville-marie": [
        "rue Ontario Est",
        "rue Sainte-Catherine Est",
        "boulevard René-Lévesque Est",
        "rue Saint-Denis",
        "rue Wolfe",
    ],
    "villeray-saint-michel-parc-extension": [
        "rue Jarry Est",
        "boulevard Saint-Michel",
        "avenue Ogilvy",
        "rue Villeray",
        "rue Jean-Talon Ouest",
        "avenue Querbes",
        "rue Bélair",
    ],
}

# Neighbourhoods of each borough and their form after "de", for community organizations' names.
NEIGHBOURHOODS = {
    "ahuntsic-cartierville": [
        ("Ahuntsic", "d'Ahuntsic"),
        ("Cartierville", "de Cartierville"),
        ("Bordeaux-Cartierville", "de Bordeaux-Cartierville"),
        ("Sault-au-Récollet", "du Sault-au-Récollet"),
    ],
    "anjou": [("Anjou", "d'Anjou"), ("Haut-Anjou", "du Haut-Anjou")],
    "cote-des-neiges-notre-dame-de-grace": [
        ("Côte-des-Neiges", "de Côte-des-Neiges"),
        ("Notre-Dame-de-Grâce", "de Notre-Dame-de-Grâce"),
        ("Snowdon", "de Snowdon"),
        ("Darlington", "de Darlington"),
    ],
    "lachine": [("Lachine", "de Lachine"), ("Duff-Court", "de Duff-Court")],
    "lasalle": [
        ("LaSalle", "de LaSalle"),
        ("Airlie-Bayview", "d'Airlie-Bayview"),
        ("Cavendish", "de Cavendish"),
    ],
    "ile-bizard-sainte-genevieve": [
        ("L'Île-Bizard", "de L'Île-Bizard"),
        ("Sainte-Geneviève", "de Sainte-Geneviève"),
    ],
    "mercier-hochelaga-maisonneuve": [
        ("Hochelaga", "d'Hochelaga"),
        ("Mercier-Est", "de Mercier-Est"),
        ("Maisonneuve", "de Maisonneuve"),
        ("Tétreaultville", "de Tétreaultville"),
    ],
    "montreal-nord": [
        ("Montréal-Nord", "de Montréal-Nord"),
        ("Nord-Est", "du Nord-Est"),
        ("Saint-Vital", "de Saint-Vital"),
    ],
    "outremont": [("Outremont", "d'Outremont")],
    "pierrefonds-roxboro": [("Pierrefonds", "de Pierrefonds"), ("Roxboro", "de Roxboro")],
    "plateau-mont-royal": [("Plateau", "du Plateau"), ("Mile End", "du Mile End")],
    "riviere-des-prairies-pointe-aux-trembles": [
        ("Rivière-des-Prairies", "de Rivière-des-Prairies"),
        ("Pointe-aux-Trembles", "de Pointe-aux-Trembles"),
    ],
    "rosemont-la-petite-patrie": [
        ("Rosemont", "de Rosemont"),
        ("Petite-Patrie", "de la Petite-Patrie"),
    ],
    "saint-laurent": [
        ("Saint-Laurent", "de Saint-Laurent"),
        ("Chameran", "de Chameran"),
        ("Norman-McLaren", "de Norman-McLaren"),
        ("Place Benoît", "de Place Benoît"),
    ],
    "saint-leonard": [("Saint-Léonard", "de Saint-Léonard"), ("Viau", "de Viau")],
    "sud-ouest": [
        ("Pointe-Saint-Charles", "de Pointe-Saint-Charles"),
        ("Saint-Henri", "de Saint-Henri"),
        ("Petite-Bourgogne", "de la Petite-Bourgogne"),
        ("Ville-Émard", "de Ville-Émard"),
    ],
    "verdun": [("Verdun", "de Verdun"), ("L'Île-des-Sœurs", "de L'Île-des-Sœurs")],
    "ville-marie": [
        ("Centre-Sud", "du Centre-Sud"),
        ("Centre-ville", "du Centre-ville"),
        ("Quartier chinois", "du Quartier chinois"),
    ],
    "villeray-saint-michel-parc-extension": [
        ("Saint-Michel", "de Saint-Michel"),
        ("Parc-Extension", "de Parc-Extension"),
        ("Villeray", "de Villeray"),
        ("François-Perrault", "de François-Perrault"),
    ],
}

# Boroughs that share a boundary: where an organization extends its services first.
NEIGHBOURS = {
    "ahuntsic-cartierville": [
        "saint-laurent",
        "villeray-saint-michel-parc-extension",
        "montreal-nord",
        "cote-des-neiges-notre-dame-de-grace",
    ],
    "anjou": [
        "saint-leonard",
        "montreal-nord",
        "mercier-hochelaga-maisonneuve",
        "riviere-des-prairies-pointe-aux-trembles",
    ],
    "cote-des-neiges-notre-dame-de-grace": [
        "outremont",
        "ville-marie",
        "sud-ouest",
        "saint-laurent",
        "plateau-mont-royal",
        "lachine",
    ],
    "lachine": [
        "lasalle",
        "saint-laurent",
        "cote-des-neiges-notre-dame-de-grace",
        "pierrefonds-roxboro",
    ],
    "lasalle": ["lachine", "verdun", "sud-ouest", "cote-des-neiges-notre-dame-de-grace"],
    "ile-bizard-sainte-genevieve": ["pierrefonds-roxboro", "saint-laurent"],
    "mercier-hochelaga-maisonneuve": [
        "rosemont-la-petite-patrie",
        "anjou",
        "ville-marie",
        "saint-leonard",
        "riviere-des-prairies-pointe-aux-trembles",
    ],
    "montreal-nord": [
        "ahuntsic-cartierville",
        "villeray-saint-michel-parc-extension",
        "saint-leonard",
        "anjou",
        "riviere-des-prairies-pointe-aux-trembles",
    ],
    "outremont": [
        "cote-des-neiges-notre-dame-de-grace",
        "plateau-mont-royal",
        "villeray-saint-michel-parc-extension",
        "rosemont-la-petite-patrie",
    ],
    "pierrefonds-roxboro": ["ile-bizard-sainte-genevieve", "saint-laurent", "lachine"],
    "plateau-mont-royal": [
        "ville-marie",
        "rosemont-la-petite-patrie",
        "outremont",
        "villeray-saint-michel-parc-extension",
    ],
    "riviere-des-prairies-pointe-aux-trembles": [
        "montreal-nord",
        "anjou",
        "mercier-hochelaga-maisonneuve",
        "saint-leonard",
    ],
    "rosemont-la-petite-patrie": [
        "plateau-mont-royal",
        "villeray-saint-michel-parc-extension",
        "mercier-hochelaga-maisonneuve",
        "saint-leonard",
        "outremont",
    ],
    "saint-laurent": [
        "ahuntsic-cartierville",
        "cote-des-neiges-notre-dame-de-grace",
        "lachine",
        "pierrefonds-roxboro",
    ],
    "saint-leonard": [
        "montreal-nord",
        "anjou",
        "villeray-saint-michel-parc-extension",
        "rosemont-la-petite-patrie",
        "mercier-hochelaga-maisonneuve",
    ],
    "sud-ouest": ["verdun", "lasalle", "ville-marie", "cote-des-neiges-notre-dame-de-grace"],
    "verdun": ["sud-ouest", "lasalle", "ville-marie"],
    "ville-marie": [
        "plateau-mont-royal",
        "sud-ouest",
        "mercier-hochelaga-maisonneuve",
        "cote-des-neiges-notre-dame-de-grace",
        "verdun",
    ],
    "villeray-saint-michel-parc-extension": [
        "ahuntsic-cartierville",
        "montreal-nord",
        "saint-leonard",
        "rosemont-la-petite-patrie",
        "outremont",
        "plateau-mont-royal",
    ],
}

# Community organizations per borough (120 in all): more where more newcomers settle.
COMMUNITY_COUNTS = {
    "cote-des-neiges-notre-dame-de-grace": 14,
    "villeray-saint-michel-parc-extension": 14,
    "ahuntsic-cartierville": 11,
    "saint-laurent": 10,
    "montreal-nord": 10,
    "lasalle": 8,
    "saint-leonard": 6,
    "mercier-hochelaga-maisonneuve": 6,
    "ville-marie": 6,
    "rosemont-la-petite-patrie": 5,
    "sud-ouest": 5,
    "anjou": 4,
    "plateau-mont-royal": 4,
    "riviere-des-prairies-pointe-aux-trembles": 4,
    "pierrefonds-roxboro": 4,
    "lachine": 3,
    "verdun": 3,
    "outremont": 2,
    "ile-bizard-sainte-genevieve": 1,
}


@dataclass(frozen=True)
class Pattern:
    """How to name a kind of community organization, and what it says about itself."""

    name: str  # "{de}" is the neighbourhood after "de": "de Saint-Michel", "d'Ahuntsic"
    mission: str
    weight: int = 4
    kind: str = K.COMMUNITY_ORGANIZATION


PATTERNS = [
    Pattern(
        "Carrefour d'accueil {de}",
        "Accueillir les personnes nouvellement arrivées {de} et les accompagner dans leurs premières démarches d'installation.",
        8,
    ),
    Pattern(
        "Centre des femmes immigrantes {de}",
        "Briser l'isolement des femmes immigrantes {de} et soutenir leur autonomie financière.",
        6,
    ),
    Pattern(
        "Maison de la famille {de}",
        "Offrir aux familles {de}, nouvellement arrivées ou non, un lieu d'entraide, d'activités parents-enfants et de répit.",
        6,
    ),
    Pattern(
        "Service d'aide à l'intégration {de}",
        "Soutenir l'intégration sociale et économique des personnes immigrantes {de} : logement, documents, services publics.",
        6,
    ),
    Pattern(
        "Centre d'orientation et d'emploi {de}",
        "Accompagner les personnes immigrantes {de} dans leur recherche d'emploi et la reconnaissance de leurs compétences.",
        5,
    ),
    Pattern(
        "Comité logement {de}",
        "Défendre le droit au logement des locataires {de} et informer les personnes nouvellement arrivées de leurs droits et responsabilités.",
        4,
    ),
    Pattern(
        "Halte-garderie interculturelle {de}",
        "Accueillir les tout-petits des familles nouvellement arrivées {de} pendant que leurs parents suivent des cours de français ou font leurs démarches.",
        3,
    ),
    Pattern(
        "Centre de francisation {de}",
        "Offrir des cours de français et des ateliers de conversation aux adultes nouvellement arrivés {de}.",
        5,
    ),
    Pattern(
        "Banque alimentaire {de}",
        "Lutter contre l'insécurité alimentaire des ménages {de} et orienter les personnes vers les ressources du quartier.",
        3,
    ),
    Pattern(
        "Réseau d'entraide {de}",
        "Créer des liens entre les résidentes et résidents {de}, d'ici et d'ailleurs, par le bénévolat et le jumelage interculturel.",
        4,
    ),
    Pattern(
        "Maison des jeunes {de}",
        "Offrir aux jeunes de 12 à 17 ans {de} un milieu de vie où s'exprimer, apprendre et s'engager.",
        3,
    ),
    Pattern(
        "Centre communautaire multiethnique {de}",
        "Rassembler les communautés culturelles {de} autour d'activités d'éducation populaire et de participation citoyenne.",
        4,
    ),
    Pattern(
        "Association des aînés {de}",
        "Briser l'isolement des personnes aînées immigrantes {de} et favoriser leur participation à la vie du quartier.",
        2,
    ),
    Pattern(
        "Clinique juridique communautaire {de}",
        "Informer les personnes immigrantes {de} de leurs droits et les accompagner dans leurs démarches d'immigration et de travail.",
        2,
    ),
    Pattern(
        "Centre de ressources pour nouveaux arrivants {de}",
        "Informer et orienter les personnes nouvellement arrivées {de} vers les services publics et communautaires.",
        5,
    ),
    Pattern(
        "Atelier d'alphabétisation {de}",
        "Offrir aux adultes {de} des ateliers d'alphabétisation et de littératie numérique en petits groupes.",
        3,
    ),
    Pattern(
        "Accueil parents-enfants {de}",
        "Soutenir les parents nouvellement arrivés {de} dans l'éducation de leurs enfants et leur lien avec l'école.",
        3,
    ),
    Pattern(
        "Regroupement interculturel {de}",
        "Favoriser le rapprochement interculturel entre les résidents {de} et lutter contre la discrimination.",
        3,
    ),
    Pattern(
        "Centre d'écoute et de référence {de}",
        "Offrir écoute, information et référence aux personnes en situation de vulnérabilité {de}, dans leur langue lorsque c'est possible.",
        3,
    ),
    Pattern(
        "Projet jeunesse {de}",
        "Accompagner les jeunes issus de l'immigration {de} dans leur parcours scolaire et leur insertion professionnelle.",
        3,
    ),
    Pattern(
        "Comité d'accueil des personnes réfugiées {de}",
        "Accompagner les personnes réfugiées et demandeuses d'asile {de} : hébergement temporaire, démarches, premiers pas.",
        3,
    ),
    Pattern(
        "Maison d'hébergement pour femmes {de}",
        "Héberger et accompagner les femmes et les enfants victimes de violence conjugale {de}, dont plusieurs femmes immigrantes.",
        1,
    ),
    Pattern(
        "Friperie solidaire {de}",
        "Entreprise d'économie sociale qui offre des vêtements à petit prix et des stages de travail aux personnes immigrantes {de}.",
        3,
        K.SOCIAL_ECONOMY,
    ),
    Pattern(
        "Entreprise d'insertion Tremplin {de}",
        "Offrir une première expérience de travail rémunérée au Québec aux personnes immigrantes {de}, avec formation et accompagnement.",
        3,
        K.SOCIAL_ECONOMY,
    ),
    Pattern(
        "Traiteur interculturel {de}",
        "Coopérative de travail qui emploie des cuisinières et cuisiniers immigrants {de} et fait découvrir les cuisines du monde.",
        2,
        K.SOCIAL_ECONOMY,
    ),
]

# The organization where most demo accounts work; always present, whatever the seed.
ANCHOR_PATTERN = PATTERNS[0]
ANCHOR_BOROUGH = "villeray-saint-michel-parc-extension"
ANCHOR_NAME = ANCHOR_PATTERN.name.format(de="de Saint-Michel")

# (name, acronym, borough or None for outside Montréal, mission)
CITY_SERVICES = [
    (
        "Service de la diversité sociale et des sports",
        "SDSS",
        "ville-marie",
        "Coordonner le programme des agents de liaison et les actions de la Ville en matière d'inclusion et de développement social.",
    ),
    (
        "Service des bibliothèques (Service de la culture)",
        "",
        "ville-marie",
        "Soutenir le réseau des 45 bibliothèques de Montréal et partager les outils et l'expérience entre bibliothèques.",
    ),
    (
        "Bureau d'intégration des nouveaux arrivants à Montréal",
        "BINAM",
        "ville-marie",
        "Favoriser l'intégration des personnes nouvellement arrivées à Montréal et gérer les appels à projets, dont « Montréal inclusive ».",
    ),
]
SDSS, LIBRARY_SERVICE, BINAM = (spec[0] for spec in CITY_SERVICES)

FUNDERS = [
    (
        "Ministère de l'Immigration, de la Francisation et de l'Intégration",
        "MIFI",
        None,
        "Financer les services d'accueil, d'intégration et de francisation des personnes immigrantes (PASI, PILI, PSM).",
    ),
    (
        "Centraide du Grand Montréal",
        "",
        "ville-marie",
        "Soutenir les organismes communautaires du Grand Montréal qui luttent contre la pauvreté et l'exclusion sociale.",
    ),
    (
        "Ministère de la Santé et des Services sociaux",
        "MSSS",
        None,
        "Financer la mission globale des organismes communautaires du réseau de la santé et des services sociaux (PSOC).",
    ),
]
MIFI = FUNDERS[0][0]

FOUNDATIONS = [
    (
        "Fondation Horizons Montréal",
        "",
        "ville-marie",
        "Appuyer des projets de quartier qui favorisent la participation des personnes nouvellement arrivées.",
    ),
    (
        "Fondation familiale Deslauriers-Nguyen",
        "",
        "outremont",
        "Soutenir la réussite éducative des enfants de familles immigrantes.",
    ),
    (
        "Fondation pour l'inclusion du Grand Montréal",
        "",
        "plateau-mont-royal",
        "Financer des initiatives contre la discrimination et pour l'emploi des personnes immigrantes.",
    ),
]

# (name, kind, borough, mission)
INSTITUTIONS = [
    (
        "CLSC des Érables",
        K.HEALTH_INSTITUTION,
        "montreal-nord",
        "Offrir des services de santé et des services sociaux de proximité, dont une équipe dédiée aux familles nouvellement arrivées.",
    ),
    (
        "CLSC du Ruisseau",
        K.HEALTH_INSTITUTION,
        "ahuntsic-cartierville",
        "Offrir des services de santé et des services sociaux de première ligne aux résidents du nord de l'île.",
    ),
    (
        "CLSC de la Montagne-Est",
        K.HEALTH_INSTITUTION,
        "cote-des-neiges-notre-dame-de-grace",
        "Offrir des services de santé de première ligne, dont une clinique pour les personnes demandeuses d'asile.",
    ),
    (
        "Clinique santé-accueil Pluriel",
        K.HEALTH_INSTITUTION,
        "villeray-saint-michel-parc-extension",
        "Évaluer la santé des personnes réfugiées à leur arrivée et les orienter vers le réseau.",
    ),
    (
        "Centre de services scolaire des Rivières",
        K.EDUCATION_INSTITUTION,
        "ahuntsic-cartierville",
        "Offrir l'enseignement primaire, secondaire et aux adultes, dont les classes d'accueil pour élèves allophones.",
    ),
    (
        "Centre de services scolaire du Sud-de-l'Île",
        K.EDUCATION_INSTITUTION,
        "lasalle",
        "Offrir l'enseignement primaire, secondaire et la francisation aux adultes dans le sud-ouest de l'île.",
    ),
    (
        "Centre d'éducation des adultes Le Tremplin",
        K.EDUCATION_INSTITUTION,
        "montreal-nord",
        "Offrir la formation générale des adultes et la francisation à temps plein et à temps partiel.",
    ),
    (
        "Cégep de la Traversée",
        K.EDUCATION_INSTITUTION,
        "villeray-saint-michel-parc-extension",
        "Offrir la formation collégiale et des attestations d'études pour personnes immigrantes qualifiées.",
    ),
    (
        "Observatoire universitaire des migrations et de l'inclusion",
        K.RESEARCH_INSTITUTION,
        "cote-des-neiges-notre-dame-de-grace",
        "Étudier les parcours d'intégration des personnes immigrantes et évaluer les programmes qui les soutiennent.",
    ),
]

# (name, borough, mission, boroughs whose organizations sit at the table; empty = all)
ROUND_TABLES = [
    (
        "Table sectorielle montréalaise réfugiés et immigrants",
        "ville-marie",
        "Regrouper les organismes au service des personnes réfugiées et immigrantes et porter leurs recommandations auprès des ministères.",
        (),
    ),
    (
        "Table de quartier de Saint-Michel",
        "villeray-saint-michel-parc-extension",
        "Réunir les organismes, les institutions et les résidents de Saint-Michel autour d'un plan de quartier.",
        ("villeray-saint-michel-parc-extension",),
    ),
    (
        "Table de concertation de Montréal-Nord",
        "montreal-nord",
        "Concerter les acteurs de Montréal-Nord pour améliorer les conditions de vie des familles.",
        ("montreal-nord",),
    ),
]

# Synthetic names, grouped by origin so a person's first and last names go together, weighted
# roughly like the sector's staff: (weight, feminine first names, masculine first names, last names).
NAME_ORIGINS = {
    "quebec": (
        30,
        [
            "Marie",
            "Julie",
            "Isabelle",
            "Geneviève",
            "Catherine",
            "Émilie",
            "Chloé",
            "Camille",
            "Sophie",
            "Nathalie",
            "Mélanie",
            "Véronique",
        ],
        [
            "Jean-François",
            "Mathieu",
            "Olivier",
            "Louis",
            "Simon",
            "Étienne",
            "Alexandre",
            "Philippe",
        ],
        [
            "Tremblay",
            "Gagnon",
            "Roy",
            "Côté",
            "Bouchard",
            "Gauthier",
            "Morin",
            "Lavoie",
            "Fortin",
            "Ouellet",
            "Pelletier",
            "Bélanger",
            "Lévesque",
            "Bergeron",
            "Paquette",
            "Girard",
            "Simard",
        ],
    ),
    "haiti": (
        14,
        [
            "Guerline",
            "Nadège",
            "Fabienne",
            "Mirlande",
            "Roseline",
            "Widlyne",
            "Marie-Carmelle",
            "Stéphanie",
        ],
        ["Jean-Robert", "Wilner", "Fritz", "Ricardo", "Dieudonné", "Jean-Baptiste", "Frantz"],
        [
            "Jean-Baptiste",
            "Pierre-Louis",
            "Joseph",
            "Désir",
            "Augustin",
            "Saint-Fleur",
            "Dorval",
            "Mondésir",
            "Exantus",
            "Fils-Aimé",
            "Célestin",
            "Lafleur",
        ],
    ),
    "maghreb": (
        18,
        [
            "Amina",
            "Fatima",
            "Nour",
            "Samira",
            "Yasmine",
            "Leïla",
            "Rania",
            "Meriem",
            "Salma",
            "Karima",
        ],
        ["Karim", "Youssef", "Mehdi", "Omar", "Samir", "Hicham", "Rachid", "Nabil", "Bilal"],
        [
            "Benali",
            "El Amrani",
            "Haddad",
            "Khalil",
            "Bouazza",
            "Mansour",
            "Saïdi",
            "Cherif",
            "Belkacem",
            "Nasser",
            "Zerrouki",
            "Bennani",
        ],
    ),
    "latin_america": (
        12,
        ["Carolina", "Valentina", "Lucía", "Gabriela", "Daniela", "Paola", "María José"],
        ["Carlos", "Andrés", "Diego", "Javier", "Santiago", "Luis Miguel"],
        [
            "García",
            "Rodríguez",
            "Martínez",
            "López",
            "Hernández",
            "González",
            "Ramírez",
            "Torres",
            "Vargas",
        ],
    ),
    "vietnam": (
        6,
        ["Linh", "Thảo", "Mai", "Ngọc Anh", "Hương"],
        ["Minh", "Tuấn", "Huy", "Quang", "Đức"],
        ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"],
    ),
    "south_asia": (
        6,
        ["Priya", "Anjali", "Harpreet", "Ayesha", "Farah"],
        ["Arjun", "Ravi", "Imran", "Gurpreet"],
        ["Singh", "Patel", "Sharma", "Khan", "Rahman", "Iqbal"],
    ),
    "iran": (
        4,
        ["Shirin", "Marjan", "Nasrin"],
        ["Darius", "Reza", "Kian"],
        ["Rahimi", "Hosseini", "Karimi", "Tehrani"],
    ),
    "china": (
        4,
        ["Xiaomei", "Jing", "Yan"],
        ["Haoran", "Wei", "Jun"],
        ["Chen", "Wang", "Zhang", "Li", "Liu"],
    ),
    "west_africa": (
        5,
        ["Aïssatou", "Fatoumata", "Ifeoma", "Awa"],
        ["Mamadou", "Ousmane", "Kofi", "Moussa"],
        ["Diallo", "Traoré", "Ndiaye", "Mensah", "Okafor", "Camara"],
    ),
    "ukraine": (
        3,
        ["Olena", "Oksana", "Iryna"],
        ["Bohdan", "Dmytro", "Andriy"],
        ["Kovalenko", "Shevchenko", "Bondarenko"],
    ),
    "brazil": (
        3,
        ["Ana Paula", "Juliana", "Fernanda"],
        ["João", "Rafael", "Thiago"],
        ["Silva", "Santos", "Oliveira", "Souza"],
    ),
}

# Job titles by role, feminine then masculine.
TITLES = {
    Role.LIAISON_OFFICER: ("Agente de liaison en bibliothèque", "Agent de liaison en bibliothèque"),
    Role.INTAKE_WORKER: ("Intervenante à l'accueil", "Intervenant à l'accueil"),
    Role.COMMUNITY_WORKER: ("Intervenante communautaire", "Intervenant communautaire"),
    Role.DIRECTOR: ("Directrice générale", "Directeur général"),
    Role.DATA_STEWARD: ("Responsable des données", "Responsable des données"),
    Role.COORDINATOR: ("Conseillère en développement social", "Conseiller en développement social"),
    Role.FUNDER_ADVISOR: ("Conseillère en partenariat", "Conseiller en partenariat"),
    Role.GRANT_REVIEWER: (
        "Analyste des demandes de subvention",
        "Analyste des demandes de subvention",
    ),
    Role.ADMINISTRATOR: ("Administratrice de la plateforme", "Administrateur de la plateforme"),
}
LIBRARY_HEAD_TITLES = ("Cheffe de section des bibliothèques", "Chef de section des bibliothèques")


@dataclass(frozen=True)
class AccountSpec:
    role: str
    local_part: str
    organization: str
    feminine: bool


LIAISON_DEMO_BOROUGH = "villeray-saint-michel-parc-extension"

# The accounts to try the demo with, one per role (two coordinators: a round table and a funder),
# in the order they are listed to the person trying the demo.
DEMO_ACCOUNTS = [
    AccountSpec(
        Role.LIAISON_OFFICER,
        "agente.liaison",
        "Bibliothèques " + BOROUGH_OF[LIAISON_DEMO_BOROUGH],
        True,
    ),
    AccountSpec(Role.INTAKE_WORKER, "intervenante.accueil", ANCHOR_NAME, True),
    AccountSpec(Role.COMMUNITY_WORKER, "intervenant.communautaire", ANCHOR_NAME, False),
    AccountSpec(Role.DIRECTOR, "direction", ANCHOR_NAME, True),
    AccountSpec(Role.DATA_STEWARD, "donnees", ANCHOR_NAME, False),
    AccountSpec(Role.COORDINATOR, "coordination", SDSS, True),
    AccountSpec(Role.FUNDER_ADVISOR, "conseillere.mifi", MIFI, True),
    # Manages BINAM's calls for projects: the funder's side of the grants pages.
    AccountSpec(Role.COORDINATOR, "programmes.binam", BINAM, True),
    AccountSpec(Role.GRANT_REVIEWER, "analyste.binam", BINAM, False),
    AccountSpec(Role.ADMINISTRATOR, "administration", LIBRARY_SERVICE, False),
]


def demo_email(local_part: str) -> str:
    return f"{local_part}@{DEMO_DOMAIN}"


# --- The plan: what the seed builds -------------------------------------------------------------


@dataclass
class SiteSpec:
    name: str
    kind: str
    borough: str
    street_address: str
    postal_code: str


@dataclass
class OrganizationSpec:
    name: str
    kind: str
    borough: str | None
    mission: str
    acronym: str = ""
    boroughs_served: list[str] = field(default_factory=list)
    is_autonomous_community_action: bool = False
    email: str = ""
    phone: str = ""
    sites: list[SiteSpec] = field(default_factory=list)


@dataclass
class PersonSpec:
    email: str
    first_name: str
    last_name: str
    organization: str
    role: str
    title: str
    sites: list[str] = field(default_factory=list)
    started_on: date | None = None


@dataclass
class PartnershipSpec:
    organization: str
    partner: str
    kinds: list[str]
    description: str
    started_on: date


@dataclass
class DemoPlan:
    seed: int
    organizations: list[OrganizationSpec]
    people: list[PersonSpec]
    partnerships: list[PartnershipSpec]
    superuser_name: tuple[str, str]


def library_organization_name(borough: str) -> str:
    return "Bibliothèques " + BOROUGH_OF[borough]


def borough_organization_name(borough: str) -> str:
    return "Arrondissement " + BOROUGH_OF[borough]


def library_branch_name(branch: str) -> str:
    return f"Bibliothèque {branch}"


def ascii_slug(text: str) -> str:
    """'Thảo Nguyễn' -> 'thao-nguyen': for e-mail addresses."""
    plain = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return "-".join("".join(c if c.isalnum() else " " for c in plain).split())


def domain_label(name: str, limit: int = 50) -> str:
    """A DNS label (63 characters at most) from a name, cut at a word boundary."""
    label = ""
    for word in ascii_slug(name).split("-"):
        if label and len(label) + 1 + len(word) > limit:
            break
        label = f"{label}-{word}" if label else word
    return label[:limit]


# Partnership kinds that make sense with each kind of partner, and what they look like.
KINDS_WITH = {
    K.COMMUNITY_ORGANIZATION: [P.REFERENCE, P.RECRUITING, P.ACTIVITIES, P.SUPPORT, P.INFORMATION],
    K.SOCIAL_ECONOMY: [P.REFERENCE, P.RECRUITING, P.ACTIVITIES, P.INFORMATION],
    K.HEALTH_INSTITUTION: [P.REFERENCE, P.INFORMATION, P.ACTIVITIES, P.CONSULTATION],
    K.EDUCATION_INSTITUTION: [P.REFERENCE, P.ACTIVITIES, P.INFORMATION, P.RECRUITING],
    K.RESEARCH_INSTITUTION: [P.CONSULTATION, P.TRAINING, P.INFORMATION],
    K.CITY_SERVICE: [P.CONSULTATION, P.TRAINING, P.SUPPORT, P.INFORMATION],
    K.BOROUGH: [P.SUPPORT, P.CONSULTATION, P.ACTIVITIES, P.INFORMATION],
    K.ROUND_TABLE: [P.CONSULTATION, P.INFORMATION],
}
DESCRIPTIONS = {
    P.REFERENCE: [
        "Références mutuelles des personnes nouvellement arrivées vers les services de chacun."
    ],
    P.RECRUITING: ["Aide au recrutement de participantes et de participants pour les activités."],
    P.CONSULTATION: [
        "Rencontres régulières sur les besoins des personnes nouvellement arrivées du quartier."
    ],
    P.TRAINING: [
        "Formations croisées des équipes : accueil, services de la bibliothèque, ressources du quartier."
    ],
    P.INFORMATION: ["Diffusion mutuelle de l'information sur les activités et les services."],
    P.ACTIVITIES: [
        "Café-emploi mensuel à la bibliothèque.",
        "Heure du conte en plusieurs langues dans les locaux de l'organisme.",
        "Ateliers de conversation française.",
        "Séances d'information sur les droits et responsabilités.",
        "Ateliers d'informatique pour les personnes nouvellement arrivées.",
        "Soirées d'accueil des familles nouvellement arrivées à l'école du quartier.",
        "Tricot-thé pour les femmes immigrantes isolées.",
        "Festival interculturel de films à la bibliothèque.",
        "Lecture dans les services de garde en milieu familial.",
    ],
    P.SUPPORT: [
        "Soutien à l'organisation d'événements de quartier et kiosques aux fêtes de l'arrondissement."
    ],
}


class _Planner:
    """Draws the whole network from one random generator, in a fixed order."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.organizations: dict[str, OrganizationSpec] = {}
        self.people: list[PersonSpec] = []
        self.partnerships: list[PartnershipSpec] = []
        self._pairs: set[frozenset[str]] = set()
        self._emails: set[str] = set()

    # Small drawing helpers.

    def address(self, borough: str) -> tuple[str, str]:
        rng = self.rng
        street = f"{rng.randrange(100, 12000, 2)}, {rng.choice(STREETS[borough])}"
        letters = POSTAL_LETTERS
        postal = f"{rng.choice(POSTAL_AREAS[borough])} {rng.randint(0, 9)}{rng.choice(letters)}{rng.randint(0, 9)}"
        return street, postal

    def phone(self) -> str:
        # 555-01xx numbers are reserved for fiction in North America.
        return f"514 555-01{self.rng.randint(0, 99):02d}"

    def day(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, (last - first).days))

    def person_name(self, feminine: bool | None = None) -> tuple[str, str, bool]:
        if feminine is None:
            feminine = self.rng.random() < 0.7  # the sector's staff are mostly women
        origins = list(NAME_ORIGINS.values())
        _weight, women, men, last_names = self.rng.choices(
            origins, weights=[o[0] for o in origins]
        )[0]
        return self.rng.choice(women if feminine else men), self.rng.choice(last_names), feminine

    def unique_email(self, first: str, last: str) -> str:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        candidate, n = base, 1
        while demo_email(candidate) in self._emails:
            n += 1
            candidate = f"{base}{n}"
        return demo_email(candidate)

    def add_org(self, spec: OrganizationSpec) -> OrganizationSpec:
        if spec.name in self.organizations:
            raise ValueError(f"Duplicate demo organization: {spec.name}")
        self.organizations[spec.name] = spec
        return spec

    def add_person(
        self,
        *,
        organization: str,
        role: str,
        feminine: bool | None = None,
        local_part: str = "",
        sites: list[str] | None = None,
        title: tuple[str, str] | None = None,
    ) -> PersonSpec:
        first, last, feminine = self.person_name(feminine)
        email = demo_email(local_part) if local_part else self.unique_email(first, last)
        self._emails.add(email)
        titles = title or TITLES[role]
        person = PersonSpec(
            email=email,
            first_name=first,
            last_name=last,
            organization=organization,
            role=role,
            title=titles[0] if feminine else titles[1],
            sites=sites or [],
            started_on=self.day(date(2018, 1, 8), date(2025, 9, 1)),
        )
        self.people.append(person)
        return person

    def partner(
        self, organization: str, partner: str, *, started_after: date = date(2013, 1, 1)
    ) -> bool:
        """Record a partnership unless the two already have one (in either direction)."""
        pair = frozenset((organization, partner))
        if organization == partner or pair in self._pairs:
            return False
        self._pairs.add(pair)
        choices = KINDS_WITH[self.organizations[partner].kind]
        picked = set(self.rng.sample(choices, self.rng.randint(1, min(3, len(choices)))))
        kinds = [k.value for k in P if k in picked]
        description = self.rng.choice(DESCRIPTIONS[P(kinds[0])])
        if P.ACTIVITIES in picked and kinds[0] != P.ACTIVITIES:
            description += " " + self.rng.choice(DESCRIPTIONS[P.ACTIVITIES])
        self.partnerships.append(
            PartnershipSpec(
                organization=organization,
                partner=partner,
                kinds=kinds,
                description=description,
                started_on=self.day(started_after, date(2025, 6, 30)),
            )
        )
        return True

    # The network, part by part.

    def public_bodies(self) -> None:
        for name, acronym, borough, mission in CITY_SERVICES:
            self.add_org(
                OrganizationSpec(
                    name,
                    K.CITY_SERVICE,
                    borough,
                    mission,
                    acronym,
                    boroughs_served=list(BOROUGH_CODES),
                )
            )
        for name, acronym, borough, mission in FUNDERS:
            self.add_org(
                OrganizationSpec(
                    name, K.FUNDER, borough, mission, acronym, boroughs_served=list(BOROUGH_CODES)
                )
            )
        for name, acronym, borough, mission in FOUNDATIONS:
            self.add_org(
                OrganizationSpec(
                    name,
                    K.FOUNDATION,
                    borough,
                    mission,
                    acronym,
                    boroughs_served=list(BOROUGH_CODES),
                )
            )
        for code in BOROUGH_CODES:
            self.add_org(
                OrganizationSpec(
                    borough_organization_name(code),
                    K.BOROUGH,
                    code,
                    "Offrir les services de proximité aux résidents de l'arrondissement, dont les bibliothèques, "
                    "les loisirs et la culture.",
                    boroughs_served=[code],
                )
            )

    def libraries(self) -> None:
        for code in BOROUGH_CODES:
            sites = []
            for branch in LIBRARY_BRANCHES[code]:
                street, postal = self.address(code)
                sites.append(
                    SiteSpec(library_branch_name(branch), "library_branch", code, street, postal)
                )
            self.add_org(
                OrganizationSpec(
                    library_organization_name(code),
                    K.LIBRARY,
                    code,
                    "Offrir à toutes et à tous, dont les personnes nouvellement arrivées, un accès libre et gratuit "
                    "à la lecture, à l'information et à la culture.",
                    boroughs_served=[code],
                    phone=self.phone(),
                    sites=sites,
                )
            )

    def institutions_and_tables(self) -> None:
        for name, kind, borough, mission in INSTITUTIONS:
            served = [borough] + self.rng.sample(NEIGHBOURS[borough], self.rng.randint(0, 2))
            street, postal = self.address(borough)
            self.add_org(
                OrganizationSpec(
                    name,
                    kind,
                    borough,
                    mission,
                    boroughs_served=served,
                    phone=self.phone(),
                    sites=[SiteSpec("Siège social", "head_office", borough, street, postal)],
                )
            )
        for name, borough, mission, served in ROUND_TABLES:
            self.add_org(
                OrganizationSpec(
                    name,
                    K.ROUND_TABLE,
                    borough,
                    mission,
                    boroughs_served=list(served or BOROUGH_CODES),
                    is_autonomous_community_action=True,
                )
            )

    def community_organization(
        self, borough: str, pattern: Pattern, neighbourhood: tuple[str, str]
    ) -> None:
        rng = self.rng
        de = neighbourhood[1]
        name = pattern.name.format(de=de)
        size = rng.choices([1, 2, 3, 4, 5], weights=[30, 30, 20, 12, 8])[0]
        served = [borough] + rng.sample(
            NEIGHBOURS[borough], min(size - 1, len(NEIGHBOURS[borough]))
        )
        site_count = rng.choices([1, 2, 3, 4], weights=[55, 25, 13, 7])[0]
        street, postal = self.address(borough)
        sites = [SiteSpec("Siège social", "head_office", borough, street, postal)]
        places = [
            (code, hood)
            for code in served
            for hood, _de in NEIGHBOURHOODS[code]
            if hood != neighbourhood[0]
        ]
        for code, hood in rng.sample(places, min(site_count - 1, len(places))):
            street, postal = self.address(code)
            sites.append(
                SiteSpec(f"Point de service {hood}", "point_of_service", code, street, postal)
            )
        social_economy = pattern.kind == K.SOCIAL_ECONOMY
        self.add_org(
            OrganizationSpec(
                name,
                pattern.kind,
                borough,
                pattern.mission.format(de=de),
                boroughs_served=served,
                is_autonomous_community_action=not social_economy and rng.random() < 0.85,
                email=f"info@{domain_label(name)}.example",
                phone=self.phone(),
                sites=sites,
            )
        )

    def community_organizations(self) -> None:
        rng = self.rng
        weights = [p.weight for p in PATTERNS]
        anchor_hood = next(h for h in NEIGHBOURHOODS[ANCHOR_BOROUGH] if h[0] == "Saint-Michel")
        self.community_organization(ANCHOR_BOROUGH, ANCHOR_PATTERN, anchor_hood)
        for code in BOROUGH_CODES:
            made = 1 if code == ANCHOR_BOROUGH else 0
            while made < COMMUNITY_COUNTS[code]:
                pattern = rng.choices(PATTERNS, weights=weights)[0]
                # The first neighbourhoods listed are the larger ones: more organizations there.
                hoods = NEIGHBOURHOODS[code]
                hood = rng.choices(hoods, weights=range(len(hoods), 0, -1))[0]
                if pattern.name.format(de=hood[1]) in self.organizations:
                    continue
                self.community_organization(code, pattern, hood)
                made += 1

    def staff(self) -> None:
        rng = self.rng
        orgs = self.organizations
        for spec in DEMO_ACCOUNTS:
            sites = []
            if spec.role == Role.LIAISON_OFFICER:
                sites = [s.name for s in orgs[spec.organization].sites]
            self.add_person(
                organization=spec.organization,
                role=spec.role,
                feminine=spec.feminine,
                local_part=spec.local_part,
                sites=sites,
            )
        # The other three liaison officers, one per pilot borough, serving all its branches.
        for code in LIAISON_PILOT_BOROUGHS:
            library = library_organization_name(code)
            if code != LIAISON_DEMO_BOROUGH:
                self.add_person(
                    organization=library,
                    role=Role.LIAISON_OFFICER,
                    sites=[s.name for s in orgs[library].sites],
                )
            self.add_person(organization=library, role=Role.COORDINATOR, title=LIBRARY_HEAD_TITLES)
        for _ in range(2):
            self.add_person(organization=MIFI, role=Role.FUNDER_ADVISOR)
        self.add_person(organization=ANCHOR_NAME, role=Role.INTAKE_WORKER)
        # Staff for a subset of community organizations, mostly in the pilot boroughs.
        community = [
            o
            for o in orgs.values()
            if o.kind in (K.COMMUNITY_ORGANIZATION, K.SOCIAL_ECONOMY) and o.name != ANCHOR_NAME
        ]
        pilot = [o for o in community if o.borough in LIAISON_PILOT_BOROUGHS]
        elsewhere = [o for o in community if o.borough not in LIAISON_PILOT_BOROUGHS]
        staffed = rng.sample(pilot, 18) + rng.sample(elsewhere, 12)
        for org in staffed:
            self.add_person(organization=org.name, role=Role.DIRECTOR)
            for role in rng.sample(
                [Role.INTAKE_WORKER, Role.COMMUNITY_WORKER, Role.DATA_STEWARD], rng.randint(1, 3)
            ):
                self.add_person(organization=org.name, role=role)

    def network(self) -> None:
        rng = self.rng
        orgs = list(self.organizations.values())
        community = [o for o in orgs if o.kind in (K.COMMUNITY_ORGANIZATION, K.SOCIAL_ECONOMY)]
        institutions = [
            o
            for o in orgs
            if o.kind in (K.HEALTH_INSTITUTION, K.EDUCATION_INSTITUTION, K.RESEARCH_INSTITUTION)
        ]
        tables = [o for o in orgs if o.kind == K.ROUND_TABLE]
        sector_table, neighbourhood_tables = tables[0], tables[1:]
        city = [name for name, *_rest in CITY_SERVICES]
        # Pilot libraries: the Liaison program's whole web of internal and external partners.
        for code in LIAISON_PILOT_BOROUGHS:
            library = library_organization_name(code)
            for name in [*city, borough_organization_name(code)]:
                self.partner(library, name, started_after=date(2012, 1, 1))
            for org in community:
                if (org.borough == code and rng.random() < 0.85) or (
                    org.borough != code and code in org.boroughs_served and rng.random() < 0.3
                ):
                    self.partner(library, org.name, started_after=date(2012, 1, 1))
            for org in institutions:
                if org.borough == code or org.kind == K.RESEARCH_INSTITUTION:
                    self.partner(library, org.name, started_after=date(2012, 1, 1))
            for org in tables:
                if code in org.boroughs_served:
                    self.partner(library, org.name, started_after=date(2012, 1, 1))
        # Other libraries: their borough and a few organizations nearby.
        for code in BOROUGH_CODES:
            if code in LIAISON_PILOT_BOROUGHS:
                continue
            library = library_organization_name(code)
            self.partner(library, borough_organization_name(code))
            local = [o for o in community if o.borough == code]
            for org in rng.sample(local, min(len(local), rng.randint(1, 4))):
                self.partner(library, org.name)
        # Community organizations refer people to one another, mostly nearby.
        for org in community:
            nearby = [
                o for o in community if o.borough in org.boroughs_served and o.name != org.name
            ]
            for other in rng.sample(nearby, min(len(nearby), rng.choice([0, 1, 1, 2, 2, 3]))):
                self.partner(org.name, other.name)
            health = [
                i
                for i in institutions
                if i.kind == K.HEALTH_INSTITUTION
                and (i.borough == org.borough or org.borough in i.boroughs_served)
            ]
            if health and rng.random() < 0.5:
                self.partner(org.name, rng.choice(health).name)
            for table in neighbourhood_tables:
                if org.borough in table.boroughs_served:
                    self.partner(org.name, table.name)
        for org in rng.sample(community, 30):
            self.partner(org.name, sector_table.name)

    def plan(self) -> DemoPlan:
        self.public_bodies()
        self.libraries()
        self.institutions_and_tables()
        self.community_organizations()
        self.staff()
        self.network()
        first, last, _feminine = self.person_name()
        return DemoPlan(
            self.seed,
            list(self.organizations.values()),
            self.people,
            self.partnerships,
            superuser_name=(first, last),
        )


def build_plan(seed: int = DEFAULT_SEED) -> DemoPlan:
    """The whole demo network for this seed; the same seed always gives the same plan."""
    return _Planner(seed).plan()
