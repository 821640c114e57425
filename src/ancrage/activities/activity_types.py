"""The Liaison program's own activity types: (code, French, English)."""

ACTIVITY_TYPES = [
    ("job-cafe", "Café-emploi", "Job Café"),
    ("french-conversation", "Atelier de conversation en français", "French conversation workshop"),
    ("coffee-and-chat", "Café-jasette", "Coffee and Chat"),
    ("computer-workshop", "Atelier d'informatique", "Computer workshop"),
    ("information-session", "Séance d'information", "Information session"),
    ("citizenship-exam", "Préparation à l'examen de citoyenneté", "Citizenship exam preparation"),
    ("resume-workshop", "Atelier de rédaction de CV", "Résumé workshop"),
    ("storytime", "Heure du conte", "Storytime"),
    ("reading-in-daycare", "Lecture en garderie", "Reading in daycare"),
    ("immigrant-women-committee", "Comité de femmes immigrantes", "Committee of immigrant women"),
    ("tea-and-knitting", "Thé et tricot", "Tea and knitting"),
    ("urban-agriculture", "Agriculture urbaine", "Urban agriculture"),
    (
        "intercultural-film-festival",
        "Festival de films interculturels",
        "Intercultural film festival",
    ),
    ("art-exhibition", "Exposition d'art", "Art exhibition"),
    ("event-booth", "Kiosque lors d'un événement", "Booth at an event"),
    ("partner-visit", "Visite chez un partenaire", "Visit to a partner"),
    (
        "newcomer-student-evening",
        "Soirée pour élèves nouvellement arrivés et leur famille",
        "Evening for newcomer students and families",
    ),
]
