"""The demo's public directory: about 230 services of Montréal's libraries and community organizations.

Runs after the network exists (`demo.services.demo_seed`): it reads the organizations and their sites
from the database, sorted by name, and draws every choice from one `random.Random(seed)`, so one
seed on one day gives the same directory. Each organization offers what its kind of organization
usually offers (a food bank, a Job Café, French classes…), in French and English, many also in
Spanish, Arabic or another language of Montréal's newcomers.

A few services are described in one language only — twelve only in French, twelve only in
English, each on a topic no other service covers — so the search can be seen (and tested) finding
a service described in the other language than the query's.

Every service is written through `directory.services.service_publish_content`, like an import;
then the search index is built.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TextIO

from django.utils import timezone
from django.utils.translation import gettext as _

from ancrage.core.choices import OrganizationKind as K
from ancrage.demo.montreal import BINAM, LIBRARY_SERVICE, SDSS, domain_label
from ancrage.directory.models import Service
from ancrage.directory.search import index_build
from ancrage.directory.services import service_publish_content
from ancrage.network.models import Organization, Site

# Languages staff speak besides French and English, weighted roughly like Montréal's newcomers.
OTHER_LANGUAGES = {
    "es": 14,
    "ar": 14,
    "ht": 6,
    "fa": 5,
    "zh-hans": 5,
    "pt": 3,
    "ru": 3,
    "vi": 3,
    "tl": 3,
    "uk": 3,
    "ur": 2,
    "ta": 2,
    "bn": 2,
    "ro": 1,
    "it": 1,
}
STALE_SHARE = 0.3  # about this share was last verified more than a year ago
UNVERIFIED_SHARE = 0.04


def t(fr: str = "", en: str = "", **others: str) -> dict[str, str]:
    """A translated text: {"fr": …, "en": …, "es": …}; `zh_hans=` stands for zh-hans."""
    texts = {"fr": fr, "en": en, **{k.replace("_", "-"): v for k, v in others.items()}}
    return {k: v for k, v in texts.items() if v}


WALK_IN = t(
    "Présentez-vous sur place pendant les heures d'ouverture, sans rendez-vous.",
    "Come in during opening hours; no appointment needed.",
    es="Venga durante el horario de atención, sin cita.",
    ar="تعال خلال ساعات العمل، دون موعد.",
)
CALL = t(
    "Téléphonez pour prendre rendez-vous avec une intervenante ou un intervenant.",
    "Call to make an appointment with a worker.",
    es="Llame para pedir una cita.",
    ar="اتصل لتحديد موعد.",
)
REGISTER = t(
    "Inscription obligatoire par téléphone ou sur place; places limitées.",
    "Registration required, by phone or in person; places are limited.",
)
REFERRAL = t(
    "Sur référence d'un organisme, d'un CLSC ou d'une école, ou en téléphonant directement.",
    "Referred by an organization, a CLSC or a school, or call us directly.",
)


@dataclass(frozen=True)
class Offer:
    """What one kind of organization offers: the content of a service, before it has a place."""

    key: str
    names: dict[str, str]
    descriptions: dict[str, str]
    needs: tuple[str, ...]
    audiences: tuple[str, ...] = ("newcomers", "immigrants")
    eligibility: dict[str, str] = field(default_factory=dict)
    application: dict[str, str] = field(default_factory=lambda: WALK_IN)
    fees: dict[str, str] = field(default_factory=dict)  # empty: free of charge
    # (freq, byday, opens, closes); MONTHLY bydays carry an ordinal: "2TU".
    hours: tuple[tuple[str, str, str, str], ...] = (("WEEKLY", "MO,TU,WE,TH", "09:00", "17:00"),)
    alternate_name: str = ""
    languages: tuple[str, ...] = ("fr", "en")
    minimum_age: int | None = None
    maximum_age: int | None = None
    statuses: tuple[str, ...] = ()
    max_years: int | None = None


OPEN_TO_ALL = t(
    "Toute personne immigrante, quel que soit son statut.",
    "Any immigrant, whatever their status.",
)
NEWCOMERS_5_YEARS = t(
    "Personnes arrivées au Canada depuis cinq ans ou moins.",
    "People who arrived in Canada five years ago or less.",
)

# --- What community organizations offer, by the start of their name --------------------------

SETTLEMENT = Offer(
    "settlement",
    t(
        "Accueil et accompagnement à l'installation",
        "Welcome and settlement support",
        es="Acogida y acompañamiento a la instalación",
        ar="الاستقبال والمرافقة في الاستقرار",
        zh_hans="接待与安顿支持",
    ),
    t(
        "Une intervenante vous rencontre dès votre arrivée pour faire le point sur vos besoins : "
        "logement, école des enfants, carte d'assurance maladie, numéro d'assurance sociale. "
        "Elle vous oriente ensuite vers les bons services du quartier.",
        "A settlement worker meets you soon after you arrive to go over your needs: housing, "
        "school for the children, health insurance card, social insurance number. Then she "
        "refers you to the right services in the neighbourhood.",
        es="Una consejera le recibe desde su llegada para evaluar sus necesidades: vivienda, "
        "escuela de los niños, tarjeta de seguro médico, número de seguro social.",
        ar="تستقبلك مرشدة منذ وصولك لتقييم احتياجاتك: السكن، مدرسة الأطفال، بطاقة التأمين "
        "الصحي، رقم التأمين الاجتماعي، ثم توجهك إلى خدمات الحي المناسبة.",
        zh_hans="安顿顾问在您抵达后与您会面，了解您的需求：住房、孩子入学、医疗保险卡、社会保险号码。",
    ),
    ("settlement-support", "first-steps", "documents-permits"),
    audiences=("newcomers",),
    eligibility=NEWCOMERS_5_YEARS,
    application=CALL,
    alternate_name="PASI",
    max_years=5,
)
PAPERWORK = Offer(
    "paperwork",
    t(
        "Aide aux démarches administratives",
        "Help with government paperwork",
        es="Ayuda con los trámites administrativos",
        ar="المساعدة في المعاملات الإدارية",
    ),
    t(
        "Nous vous aidons à remplir les formulaires du gouvernement : carte d'assurance "
        "maladie (RAMQ), allocations familiales, permis de travail, renouvellement de "
        "documents d'immigration.",
        "We help you fill in government forms: health insurance card (RAMQ), family "
        "allowances, work permits, renewal of immigration documents.",
        es="Le ayudamos a llenar los formularios del gobierno: tarjeta de seguro médico, "
        "asignaciones familiares, permisos de trabajo.",
        ar="نساعدك في ملء استمارات الحكومة: بطاقة التأمين الصحي، الإعانات العائلية، تصاريح العمل.",
    ),
    ("documents-permits", "public-services"),
    eligibility=OPEN_TO_ALL,
    application=CALL,
    hours=(("WEEKLY", "TU,TH", "09:30", "16:00"),),
)
OBJECTIF = Offer(
    "objectif",
    t(
        "Séances Objectif Intégration",
        "Objectif Intégration sessions",
    ),
    t(
        "Formation de 24 heures sur les valeurs de la société québécoise, le marché du travail "
        "et les droits des travailleurs, pour bien préparer sa recherche d'emploi.",
        "A 24-hour course on Québec society's values, the job market and workers' rights, to "
        "prepare your job search.",
    ),
    ("employment", "settlement-support"),
    eligibility=t(
        "Personnes immigrantes de 16 ans et plus, arrivées depuis moins de cinq ans.",
        "Immigrants aged 16 and over who arrived less than five years ago.",
    ),
    application=REGISTER,
    hours=(("WEEKLY", "MO,WE", "13:00", "16:00"),),
    minimum_age=16,
    max_years=5,
)
WOMEN_COFFEE = Offer(
    "women-coffee",
    t(
        "Café-rencontre des femmes",
        "Women's coffee gatherings",
        es="Café-encuentro de mujeres",
        ar="لقاءات قهوة للنساء",
        fa="دورهمی قهوه برای زنان",
    ),
    t(
        "Chaque semaine, des femmes d'ici et d'ailleurs se rencontrent autour d'un café pour "
        "briser l'isolement, échanger et découvrir les ressources du quartier. Halte-garderie sur place.",
        "Every week, women from here and elsewhere meet over coffee to break isolation, share "
        "and discover neighbourhood resources. Childcare on site.",
        es="Cada semana, mujeres de aquí y de otros lugares se reúnen para romper el aislamiento.",
        ar="كل أسبوع تلتقي نساء من هنا ومن أماكن أخرى حول فنجان قهوة لكسر العزلة.",
        fa="هر هفته زنان اینجا و جاهای دیگر دور هم جمع می‌شوند تا از تنهایی بیرون بیایند.",
    ),
    ("social-cultural-life",),
    audiences=("women", "newcomers", "immigrants"),
    eligibility=t("Toutes les femmes.", "All women."),
    hours=(("WEEKLY", "WE", "09:30", "11:30"),),
)
BUDGET = Offer(
    "budget",
    t("Ateliers budget et autonomie financière", "Budgeting and financial independence workshops"),
    t(
        "Faire un budget, ouvrir un compte, comprendre le crédit et éviter les arnaques : des "
        "ateliers en petits groupes pour gagner en autonomie.",
        "Making a budget, opening a bank account, understanding credit and avoiding scams: "
        "small-group workshops to become more independent.",
    ),
    ("settlement-support", "first-steps"),
    audiences=("women", "newcomers"),
    application=REGISTER,
    hours=(("MONTHLY", "2TU", "13:30", "15:30"),),
)
PARENT_CHILD = Offer(
    "parent-child",
    t(
        "Ateliers parents-enfants (0 à 5 ans)",
        "Parent and child workshops (ages 0 to 5)",
        es="Talleres para padres e hijos (0 a 5 años)",
        ar="ورش للآباء والأطفال (من 0 إلى 5 سنوات)",
    ),
    t(
        "Jeux, comptines et causeries pour les parents et leurs tout-petits. Un bon moyen de "
        "rencontrer d'autres familles et de préparer l'entrée à la garderie ou à l'école.",
        "Games, nursery rhymes and talks for parents and their little ones. A good way to meet "
        "other families and get ready for daycare or school.",
        es="Juegos, canciones infantiles y charlas para los padres y sus pequeños.",
        ar="ألعاب وأناشيد وأحاديث للآباء وأطفالهم الصغار.",
    ),
    ("childhood-family",),
    audiences=("families", "children"),
    eligibility=t("Parents et enfants de 0 à 5 ans.", "Parents and their children aged 0 to 5."),
    hours=(("WEEKLY", "TU,TH", "09:30", "11:30"),),
    maximum_age=5,
)
RESPITE = Offer(
    "respite",
    t("Halte-répit pour parents", "Respite drop-in childcare for parents"),
    t(
        "Vos enfants sont accueillis quelques heures par des éducatrices pendant que vous "
        "prenez un moment pour vous ou faites vos démarches.",
        "Educators look after your children for a few hours while you take a break or run errands.",
    ),
    ("childhood-family",),
    audiences=("families", "children"),
    application=REGISTER,
    fees=t("3 $ par demi-journée.", "$3 per half-day."),
    hours=(("WEEKLY", "MO,WE,FR", "08:30", "12:00"),),
    maximum_age=5,
)
HOUSING_SEARCH = Offer(
    "housing-search",
    t(
        "Aide à la recherche de logement",
        "Help finding housing",
        es="Ayuda para buscar vivienda",
        ar="المساعدة في البحث عن سكن",
        fa="کمک برای پیدا کردن مسکن",
        ht="Èd pou jwenn lojman",
    ),
    t(
        "Nous vous aidons à chercher un appartement, à préparer la visite, à comprendre le bail "
        "et à éviter les pièges, par exemple les dépôts demandés illégalement.",
        "We help you look for an apartment, prepare for visits, understand the lease and avoid "
        "traps such as illegal deposits.",
        es="Le ayudamos a buscar un apartamento, preparar las visitas y entender el contrato.",
        ar="نساعدك في البحث عن شقة والتحضير للزيارات وفهم عقد الإيجار.",
        fa="به شما کمک می‌کنیم آپارتمان پیدا کنید و قرارداد اجاره را بفهمید.",
        ht="Nou ede w chèche yon apatman, prepare vizit yo epi konprann kontra lwaye a.",
    ),
    ("housing",),
    eligibility=OPEN_TO_ALL,
    application=CALL,
    hours=(("WEEKLY", "MO,TU,TH", "09:00", "16:30"),),
)
TENANT_RIGHTS = Offer(
    "tenant-rights",
    t(
        "Information sur les droits des locataires",
        "Tenants' rights information",
        es="Información sobre los derechos de los inquilinos",
        ar="معلومات حول حقوق المستأجرين",
        ht="Enfòmasyon sou dwa lokatè yo",
    ),
    t(
        "Augmentation de loyer, réparations, insalubrité, reprise de logement : un conseiller "
        "vous explique vos droits et vous aide à écrire au propriétaire ou au Tribunal "
        "administratif du logement.",
        "Rent increase, repairs, unsanitary conditions, eviction: an advisor explains your "
        "rights and helps you write to the landlord or the Tribunal administratif du logement.",
        es="Aumento del alquiler, reparaciones, desalojo: un asesor le explica sus derechos.",
        ar="زيادة الإيجار، الإصلاحات، الإخلاء: يشرح لك مستشار حقوقك.",
        ht="Ogmantasyon lwaye, reparasyon, degèpisman: yon konseye esplike w dwa ou.",
    ),
    ("housing", "legal-aid-rights"),
    audiences=("newcomers", "immigrants", "families"),
    eligibility=t("Locataires du quartier.", "Tenants of the neighbourhood."),
    hours=(("WEEKLY", "MO,WE", "13:00", "17:00"),),
)
JOB_SEARCH = Offer(
    "job-search",
    t(
        "Accompagnement en recherche d'emploi",
        "Job search support",
        es="Acompañamiento en la búsqueda de empleo",
        ar="المرافقة في البحث عن عمل",
        zh_hans="求职辅导",
        uk="Супровід у пошуку роботи",
    ),
    t(
        "Un conseiller en emploi vous aide à définir votre objectif, à cibler les employeurs et "
        "à vous préparer aux entrevues, jusqu'à votre embauche.",
        "An employment counsellor helps you set your goal, target employers and prepare for "
        "interviews, until you are hired.",
        es="Un consejero de empleo le ayuda a definir su objetivo y a prepararse para las entrevistas.",
        ar="يساعدك مستشار توظيف على تحديد هدفك والاستعداد للمقابلات حتى يتم توظيفك.",
        zh_hans="就业顾问帮助您确定目标、联系雇主并准备面试，直到您被录用。",
        uk="Консультант із працевлаштування допоможе визначити мету та підготуватися до співбесід.",
    ),
    ("employment",),
    eligibility=t(
        "Personnes immigrantes en recherche d'emploi, avec un permis de travail valide.",
        "Immigrants looking for work, with a valid work permit.",
    ),
    application=CALL,
    alternate_name="SRE-IMM",
    statuses=("permanent-resident", "refugee", "temporary-worker", "citizen"),
)
CREDENTIALS = Offer(
    "credentials",
    t(
        "Reconnaissance des diplômes et des compétences",
        "Recognition of foreign credentials",
        es="Reconocimiento de diplomas y competencias",
        ar="الاعتراف بالشهادات والكفاءات",
        zh_hans="学历与技能认证",
    ),
    t(
        "Vous avez étudié ou travaillé à l'étranger? Nous vous aidons à obtenir l'évaluation "
        "comparative de vos études et à entreprendre les démarches auprès des ordres professionnels.",
        "Did you study or work abroad? We help you get a comparative evaluation of your studies "
        "and start the process with professional orders.",
        es="¿Estudió o trabajó en el extranjero? Le ayudamos a obtener la evaluación de sus estudios.",
        ar="هل درست أو عملت في الخارج؟ نساعدك في الحصول على تقييم مقارن لدراستك.",
        zh_hans="您在国外学习或工作过吗？我们帮助您获得学历比较评估并联系专业协会。",
    ),
    ("employment", "documents-permits"),
    application=CALL,
    hours=(("WEEKLY", "WE,TH", "09:00", "16:00"),),
)
RESUME = Offer(
    "resume",
    t("Ateliers CV et entrevue d'embauche", "Résumé and job interview workshops"),
    t(
        "Rédiger un CV adapté au Québec, écrire une lettre de présentation et s'exercer à "
        "l'entrevue avec des employeurs bénévoles.",
        "Write a résumé for Québec, write a cover letter and practise job interviews with "
        "volunteer employers.",
    ),
    ("employment",),
    application=REGISTER,
    hours=(("MONTHLY", "1WE,3WE", "13:30", "16:00"),),
)
FRENCH_PART_TIME = Offer(
    "french-part-time",
    t(
        "Cours de français à temps partiel",
        "Part-time French courses",
        es="Cursos de francés a tiempo parcial",
        ar="دروس اللغة الفرنسية بدوام جزئي",
        zh_hans="非全日制法语课程",
        fa="کلاس‌های پاره‌وقت زبان فرانسه",
        pt="Cursos de francês a tempo parcial",
    ),
    t(
        "Cours de français du niveau débutant au niveau intermédiaire, le jour ou le soir, en "
        "partenariat avec Francisation Québec. Matériel fourni.",
        "French courses from beginner to intermediate level, daytime or evening, in partnership "
        "with Francisation Québec. Materials provided.",
        es="Cursos de francés del nivel principiante al intermedio, de día o de noche.",
        ar="دروس فرنسية من المستوى المبتدئ إلى المتوسط، نهارًا أو مساءً.",
        zh_hans="从初级到中级的法语课程，白天或晚上上课。",
        fa="کلاس‌های فرانسه از سطح مبتدی تا متوسط، روز یا عصر.",
        pt="Cursos de francês do nível iniciante ao intermediário, de dia ou à noite.",
    ),
    ("french-courses",),
    eligibility=t(
        "Personnes immigrantes de 16 ans et plus, résidentes du Québec.",
        "Immigrants aged 16 and over living in Québec.",
    ),
    application=REGISTER,
    alternate_name="Francisation Québec",
    hours=(("WEEKLY", "MO,WE", "18:00", "21:00"), ("WEEKLY", "TU,TH", "09:00", "12:00")),
    minimum_age=16,
)
FRENCH_CONVERSATION = Offer(
    "french-conversation",
    t(
        "Ateliers de conversation en français",
        "French conversation workshops",
        es="Talleres de conversación en francés",
        ar="ورش محادثة باللغة الفرنسية",
    ),
    t(
        "Pratiquer le français oral en petits groupes, sur des sujets de la vie de tous les "
        "jours : l'épicerie, le médecin, le travail. Tous les niveaux sont bienvenus.",
        "Practise spoken French in small groups, on everyday topics: the grocery store, the "
        "doctor, work. All levels welcome.",
        es="Practicar el francés oral en pequeños grupos, sobre temas de la vida diaria.",
        ar="ممارسة الفرنسية الشفهية في مجموعات صغيرة حول مواضيع الحياة اليومية.",
    ),
    ("french-courses", "social-cultural-life"),
    hours=(("WEEKLY", "TH", "18:30", "20:00"),),
)
FRENCH_AT_WORK = Offer(
    "french-at-work",
    t("Français pour le travail", "French for the workplace"),
    t(
        "Cours de français spécialisé pour les secteurs de la santé, du commerce et de "
        "l'administration : vocabulaire, courriels, appels téléphoniques.",
        "Specialized French courses for health care, retail and office work: vocabulary, "
        "e-mails, phone calls.",
    ),
    ("french-courses", "employment"),
    eligibility=t(
        "Niveau intermédiaire de français (7 ou plus).", "Intermediate French (level 7 or more)."
    ),
    application=REGISTER,
    hours=(("WEEKLY", "SA", "09:00", "12:00"),),
)
FOOD_BANK = Offer(
    "food-bank",
    t(
        "Dépannage alimentaire",
        "Emergency food bank",
        es="Banco de alimentos de emergencia",
        ar="بنك الطعام للطوارئ",
        ht="Bank manje ijans",
        ur="ہنگامی فوڈ بینک",
    ),
    t(
        "Un panier d'épicerie gratuit par semaine pour les ménages à faible revenu : fruits, "
        "légumes, produits secs et, selon les arrivages, viande et produits laitiers.",
        "A free grocery basket each week for low-income households: fruit, vegetables, dry "
        "goods and, depending on donations, meat and dairy.",
        es="Una canasta de alimentos gratuita cada semana para hogares de bajos ingresos.",
        ar="سلة بقالة مجانية كل أسبوع للأسر ذات الدخل المنخفض.",
        ht="Yon panye manje gratis chak semèn pou fanmi ki gen ti revni.",
        ur="کم آمدنی والے گھرانوں کے لیے ہر ہفتے مفت راشن کی ٹوکری۔",
    ),
    ("food-security",),
    audiences=("newcomers", "immigrants", "families"),
    eligibility=t(
        "Ménages à faible revenu du quartier; apportez une preuve d'adresse.",
        "Low-income households of the neighbourhood; bring a proof of address.",
    ),
    hours=(("WEEKLY", "TH", "13:00", "16:00"),),
)
COMMUNITY_GROCERY = Offer(
    "community-grocery",
    t("Épicerie solidaire", "Low-cost community grocery"),
    t(
        "Des aliments frais et de base vendus à prix coûtant, pour les personnes dont le budget "
        "est serré. Carte de membre gratuite.",
        "Fresh and basic foods sold at cost, for people on a tight budget. Free membership card.",
    ),
    ("food-security",),
    audiences=("families", "seniors", "newcomers"),
    fees=t("Aliments à prix coûtant.", "Food sold at cost."),
    hours=(("WEEKLY", "TU,FR", "10:00", "18:00"),),
)
BUDDY = Offer(
    "buddy",
    t(
        "Jumelage interculturel",
        "Intercultural buddy program",
        es="Hermanamiento intercultural",
        ar="برنامج التوأمة بين الثقافات",
    ),
    t(
        "Nous jumelons une personne nouvellement arrivée avec une personne bénévole d'ici pour "
        "découvrir la ville, pratiquer le français et se faire un premier réseau.",
        "We match a newcomer with a local volunteer to discover the city, practise French and "
        "build a first network.",
        es="Emparejamos a una persona recién llegada con un voluntario local.",
        ar="نربط الوافد الجديد بمتطوع محلي لاكتشاف المدينة وممارسة الفرنسية.",
    ),
    ("social-cultural-life", "intercultural-mediation"),
    application=CALL,
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "10:00", "16:00"),),
)
VOLUNTEERING = Offer(
    "volunteering",
    t("Bénévolat pour personnes nouvellement arrivées", "Volunteering for newcomers"),
    t(
        "Faire du bénévolat pour acquérir une première expérience québécoise, se faire des "
        "références et pratiquer le français.",
        "Volunteer to gain a first Québec experience, get references and practise French.",
    ),
    ("employment", "social-cultural-life"),
    hours=(("WEEKLY", "WE", "13:00", "17:00"),),
)
YOUTH_CENTRE = Offer(
    "youth-centre",
    t("Milieu de vie pour les 12 à 17 ans", "Drop-in centre for ages 12 to 17"),
    t(
        "Un lieu gratuit après l'école pour se détendre, jouer, faire des projets et parler "
        "avec des animateurs. Sorties et camps pendant l'été.",
        "A free after-school place to relax, play, run projects and talk with youth workers. "
        "Outings and camps in the summer.",
    ),
    ("social-cultural-life", "childhood-family"),
    audiences=("youth",),
    eligibility=t("Jeunes de 12 à 17 ans.", "Young people aged 12 to 17."),
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "15:00", "20:00"),),
    minimum_age=12,
    maximum_age=17,
)
TEEN_HOMEWORK = Offer(
    "teen-homework",
    t("Aide aux devoirs pour les adolescents", "Homework help for teenagers"),
    t(
        "Des tuteurs bénévoles aident les élèves du secondaire en mathématiques, en français et "
        "en sciences, surtout ceux qui sortent des classes d'accueil.",
        "Volunteer tutors help high school students with math, French and science, especially "
        "those coming out of welcome classes.",
    ),
    ("education",),
    audiences=("youth",),
    hours=(("WEEKLY", "MO,WE", "16:00", "18:00"),),
    minimum_age=12,
    maximum_age=17,
)
PUBLIC_SERVICES_INFO = Offer(
    "public-services-info",
    t(
        "Séances d'information sur les services publics",
        "Information sessions on public services",
        es="Sesiones informativas sobre los servicios públicos",
        ar="جلسات إعلامية حول الخدمات العامة",
        vi="Buổi thông tin về các dịch vụ công",
    ),
    t(
        "Comment fonctionnent la santé, l'école, les impôts fonciers, la collecte des déchets et "
        "les élections municipales? Des séances en petits groupes avec interprètes.",
        "How do health care, schools, waste collection and municipal elections work? "
        "Small-group sessions with interpreters.",
        es="¿Cómo funcionan la salud, la escuela y la recolección de residuos? Sesiones con intérpretes.",
        ar="كيف تعمل الرعاية الصحية والمدارس وجمع النفايات؟ جلسات مع مترجمين.",
        vi="Y tế, trường học và thu gom rác hoạt động như thế nào? Các buổi có phiên dịch.",
    ),
    ("public-services", "first-steps"),
    audiences=("newcomers",),
    hours=(("MONTHLY", "2TH", "18:30", "20:30"),),
)
INTERCULTURAL_EVENTS = Offer(
    "intercultural-events",
    t("Activités et fêtes interculturelles", "Intercultural activities and celebrations"),
    t(
        "Repas partagés, soirées de contes et fêtes de quartier pour faire connaissance entre "
        "voisins de toutes origines.",
        "Potluck meals, storytelling evenings and neighbourhood parties to get to know neighbours "
        "of every background.",
    ),
    ("social-cultural-life", "intercultural-mediation"),
    audiences=("newcomers", "immigrants", "families"),
    hours=(("MONTHLY", "-1FR", "18:00", "21:00"),),
)
SENIORS = Offer(
    "seniors",
    t(
        "Rencontres pour personnes aînées immigrantes",
        "Gatherings for immigrant seniors",
        es="Encuentros para personas mayores inmigrantes",
        ar="لقاءات لكبار السن من المهاجرين",
        zh_hans="移民长者聚会",
    ),
    t(
        "Activités, exercices doux, sorties et conférences sur la santé pour briser l'isolement "
        "des personnes aînées, avec des bénévoles qui parlent leur langue.",
        "Activities, gentle exercise, outings and health talks to break seniors' isolation, with "
        "volunteers who speak their language.",
        es="Actividades, ejercicio suave y charlas de salud para romper el aislamiento.",
        ar="أنشطة وتمارين خفيفة ومحاضرات صحية لكسر عزلة كبار السن.",
        zh_hans="活动、轻度运动、外出和健康讲座，帮助长者摆脱孤独。",
    ),
    ("social-cultural-life", "health"),
    audiences=("seniors",),
    eligibility=t("Personnes de 60 ans et plus.", "People aged 60 and over."),
    hours=(("WEEKLY", "TU", "13:30", "16:00"),),
    minimum_age=60,
)
IMMIGRATION_LAW = Offer(
    "immigration-law",
    t(
        "Consultations juridiques en immigration",
        "Immigration legal consultations",
        es="Consultas jurídicas en inmigración",
        ar="استشارات قانونية في الهجرة",
        fa="مشاوره حقوقی مهاجرت",
        ht="Konsiltasyon legal sou imigrasyon",
    ),
    t(
        "Des avocates et des étudiants en droit supervisés répondent à vos questions sur le "
        "parrainage, la résidence permanente, les permis et les demandes d'asile.",
        "Lawyers and supervised law students answer your questions on sponsorship, permanent "
        "residence, permits and refugee claims.",
        es="Abogadas y estudiantes de derecho responden sus preguntas sobre patrocinio, residencia "
        "permanente y asilo.",
        ar="تجيب محاميات وطلاب حقوق تحت الإشراف على أسئلتك حول الكفالة والإقامة الدائمة واللجوء.",
        fa="وکلا و دانشجویان حقوق به سؤالات شما درباره حمایت، اقامت دائم و پناهندگی پاسخ می‌دهند.",
        ht="Avoka ak etidyan an dwa reponn kesyon w sou parenaj, rezidans pèmanan ak azil.",
    ),
    ("legal-aid-rights", "documents-permits"),
    eligibility=OPEN_TO_ALL,
    application=CALL,
    hours=(("WEEKLY", "WE", "13:00", "19:00"),),
)
WORKERS_RIGHTS = Offer(
    "workers-rights",
    t("Droits au travail", "Workers' rights"),
    t(
        "Salaire impayé, congédiement, accident de travail, permis fermé : nous vous informons "
        "de vos droits et vous aidons à porter plainte aux normes du travail.",
        "Unpaid wages, dismissal, workplace injury, closed work permit: we inform you of your "
        "rights and help you file a complaint with labour standards.",
    ),
    ("legal-aid-rights", "employment"),
    audiences=("immigrants", "newcomers"),
    statuses=("temporary-worker", "permanent-resident", "refugee", "asylum-seeker"),
    application=CALL,
    hours=(("WEEKLY", "TU,TH", "13:00", "17:00"),),
)
REFERRAL_DESK = Offer(
    "referral-desk",
    t(
        "Orientation vers les services du quartier",
        "Referral to neighbourhood services",
        es="Orientación hacia los servicios del barrio",
        ar="التوجيه إلى خدمات الحي",
    ),
    t(
        "Vous ne savez pas à qui vous adresser? Un intervenant écoute votre situation et vous "
        "dirige vers l'organisme ou le service public qui peut vous aider.",
        "Not sure where to go? A worker listens to your situation and points you to the "
        "organization or public service that can help.",
        es="¿No sabe a quién dirigirse? Un trabajador le escucha y le orienta.",
        ar="لا تعرف إلى من تتوجه؟ يستمع إليك موظف ويوجهك إلى الجهة المناسبة.",
    ),
    ("settlement-support", "public-services"),
    eligibility=OPEN_TO_ALL,
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "17:00"),),
)
LITERACY = Offer(
    "literacy",
    t("Alphabétisation en français pour adultes", "French literacy for adults"),
    t(
        "Apprendre à lire et à écrire en français, à son rythme, pour les adultes peu ou pas "
        "scolarisés dans leur pays d'origine.",
        "Learn to read and write in French at your own pace, for adults who had little or no "
        "schooling in their home country.",
    ),
    ("french-courses", "education"),
    audiences=("immigrants", "newcomers", "women"),
    application=REGISTER,
    hours=(("WEEKLY", "MO,WE", "09:00", "11:30"),),
)
DIGITAL_LITERACY = Offer(
    "digital-literacy",
    t(
        "Initiation à l'ordinateur et au téléphone intelligent",
        "Computer and smartphone basics",
        es="Iniciación a la computadora y al teléfono inteligente",
        ar="مبادئ استخدام الحاسوب والهاتف الذكي",
    ),
    t(
        "Allumer un ordinateur, créer une adresse courriel, utiliser une application de "
        "messagerie, prendre rendez-vous en ligne : des ateliers pour débutants.",
        "Turning on a computer, creating an e-mail address, using a messaging app, booking "
        "appointments online: workshops for beginners.",
        es="Encender una computadora, crear un correo electrónico, pedir citas en línea.",
        ar="تشغيل الحاسوب، إنشاء بريد إلكتروني، حجز المواعيد عبر الإنترنت.",
    ),
    ("digital-skills",),
    audiences=("seniors", "immigrants", "newcomers"),
    application=REGISTER,
    hours=(("WEEKLY", "FR", "13:30", "15:30"),),
)
SCHOOL_SYSTEM = Offer(
    "school-system",
    t(
        "Comprendre l'école québécoise",
        "Understanding Québec schools",
        es="Entender la escuela de Quebec",
        ar="فهم المدرسة في كيبيك",
    ),
    t(
        "Bulletins, rencontres avec l'enseignante, services de garde, transport scolaire : des "
        "rencontres pour les parents dont les enfants commencent l'école au Québec.",
        "Report cards, meeting the teacher, school daycare, school buses: meetings for parents "
        "whose children are starting school in Québec.",
        es="Boletines, reuniones con la maestra, guardería escolar: encuentros para padres.",
        ar="كشوف الدرجات ولقاءات المعلمة وخدمات الرعاية المدرسية: لقاءات للآباء.",
    ),
    ("education", "childhood-family"),
    audiences=("families", "newcomers"),
    hours=(("MONTHLY", "1TU", "18:30", "20:00"),),
)
MEDIATION = Offer(
    "mediation",
    t("Médiation interculturelle", "Intercultural mediation"),
    t(
        "Un malentendu avec l'école, un voisin ou un employeur? Une médiatrice interculturelle "
        "aide chacun à se comprendre et à trouver une solution.",
        "A misunderstanding with a school, a neighbour or an employer? An intercultural mediator "
        "helps everyone understand each other and find a solution.",
    ),
    ("intercultural-mediation",),
    application=CALL,
    hours=(("WEEKLY", "TU,WE,TH", "10:00", "16:00"),),
)
DISCRIMINATION = Offer(
    "discrimination",
    t("Soutien aux personnes victimes de discrimination", "Support after discrimination"),
    t(
        "Refus de logement, racisme au travail, profilage : nous vous écoutons et vous aidons à "
        "porter plainte à la Commission des droits de la personne.",
        "Refused an apartment, racism at work, profiling: we listen and help you file a "
        "complaint with the human rights commission.",
    ),
    ("legal-aid-rights", "intercultural-mediation"),
    application=CALL,
    hours=(("WEEKLY", "MO,TH", "10:00", "16:00"),),
)
LISTENING_LINE = Offer(
    "listening-line",
    t(
        "Écoute et référence multilingues",
        "Multilingual listening and referral",
        es="Escucha y orientación multilingüe",
        ar="الاستماع والتوجيه بعدة لغات",
        zh_hans="多语种倾听与转介",
        ru="Многоязычная поддержка и консультации",
    ),
    t(
        "Au téléphone ou sur place, une personne vous écoute en toute confidentialité quand ça "
        "ne va pas : stress, solitude, conflit familial. Interprètes sur demande.",
        "By phone or in person, someone listens to you in confidence when things are hard: "
        "stress, loneliness, family conflict. Interpreters on request.",
        es="Por teléfono o en persona, alguien le escucha con total confidencialidad.",
        ar="عبر الهاتف أو حضوريًا، يستمع إليك شخص بسرية تامة عندما تمر بوقت صعب.",
        zh_hans="通过电话或当面，有人在您困难时保密倾听：压力、孤独、家庭矛盾。",
        ru="По телефону или лично вас конфиденциально выслушают в трудную минуту.",
    ),
    ("health",),
    audiences=("newcomers", "immigrants", "seniors", "women"),
    eligibility=OPEN_TO_ALL,
    application=t(
        "Téléphonez ou venez sur place, sans rendez-vous.",
        "Call or come in; no appointment needed.",
    ),
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "21:00"),),
)
SCHOOL_PERSEVERANCE = Offer(
    "school-perseverance",
    t("Mentorat pour la persévérance scolaire", "Mentoring to stay in school"),
    t(
        "Un mentor accompagne les jeunes issus de l'immigration tout au long de l'année "
        "scolaire : motivation, méthodes de travail, choix de carrière.",
        "A mentor supports young people from immigrant families throughout the school year: "
        "motivation, study methods, career choices.",
    ),
    ("education",),
    audiences=("youth",),
    application=REFERRAL,
    hours=(("WEEKLY", "TU,TH", "16:00", "19:00"),),
    minimum_age=12,
    maximum_age=24,
)
FIRST_JOB = Offer(
    "first-job",
    t("Premier emploi pour les jeunes", "First job for young people"),
    t(
        "Préparation au marché du travail et stages payés pour les jeunes de 16 à 30 ans "
        "nouvellement arrivés.",
        "Job readiness and paid internships for young newcomers aged 16 to 30.",
    ),
    ("employment",),
    audiences=("youth", "newcomers"),
    application=REGISTER,
    hours=(("WEEKLY", "MO,WE,FR", "09:00", "15:00"),),
    minimum_age=16,
    maximum_age=30,
)
ASYLUM = Offer(
    "asylum",
    t(
        "Accompagnement des personnes demandeuses d'asile",
        "Support for refugee claimants",
        es="Acompañamiento de solicitantes de asilo",
        ar="مرافقة طالبي اللجوء",
        ht="Akonpayman pou moun k ap mande azil",
        fa="همراهی با پناهجویان",
    ),
    t(
        "Hébergement temporaire, préparation de l'audience, permis de travail, aide sociale : "
        "une équipe vous accompagne dans les premiers mois de votre demande d'asile.",
        "Temporary shelter, preparing for the hearing, work permit, social assistance: a team "
        "supports you through the first months of your refugee claim.",
        es="Alojamiento temporal, preparación de la audiencia, permiso de trabajo.",
        ar="سكن مؤقت، التحضير للجلسة، تصريح العمل، المساعدة الاجتماعية.",
        ht="Lojman tanporè, preparasyon odyans, pèmi travay, asistans sosyal.",
        fa="اسکان موقت، آمادگی برای جلسه، مجوز کار، کمک اجتماعی.",
    ),
    ("settlement-support", "documents-permits", "housing"),
    eligibility=t(
        "Personnes demandeuses d'asile et personnes réfugiées.",
        "Refugee claimants and refugees.",
    ),
    application=CALL,
    statuses=("asylum-seeker", "refugee"),
)
SHELTER = Offer(
    "shelter",
    t(
        "Hébergement d'urgence pour femmes et enfants",
        "Emergency shelter for women and children",
        es="Alojamiento de emergencia para mujeres y niños",
        ar="إيواء طارئ للنساء والأطفال",
    ),
    t(
        "Un lieu sûr et confidentiel pour les femmes victimes de violence conjugale et leurs "
        "enfants, avec accompagnement dans leurs démarches, dont l'immigration.",
        "A safe and confidential place for women facing domestic violence and their children, "
        "with support in their steps, immigration included.",
        es="Un lugar seguro y confidencial para mujeres víctimas de violencia y sus hijos.",
        ar="مكان آمن وسري للنساء ضحايا العنف الزوجي وأطفالهن.",
    ),
    ("housing", "legal-aid-rights", "health"),
    audiences=("women", "children"),
    eligibility=t(
        "Femmes victimes de violence, avec ou sans enfants, quel que soit leur statut.",
        "Women facing violence, with or without children, whatever their status.",
    ),
    application=t("Téléphonez à toute heure.", "Call at any time of day or night."),
    hours=(("WEEKLY", "MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59"),),
)
THRIFT_INTERNSHIP = Offer(
    "thrift-internship",
    t("Stages de travail en friperie", "Work placements in a thrift store"),
    t(
        "Des stages rémunérés de six mois en vente, tri et service à la clientèle pour acquérir "
        "une première expérience de travail au Québec.",
        "Six-month paid placements in sales, sorting and customer service, for a first work "
        "experience in Québec.",
    ),
    ("employment",),
    application=REGISTER,
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "09:00", "16:00"),),
)
INTEGRATION_JOB = Offer(
    "integration-job",
    t("Parcours d'insertion rémunéré", "Paid job integration program"),
    t(
        "Un parcours de 26 semaines payé au salaire minimum : formation en entrepôt et en "
        "manutention, français au travail et accompagnement vers un emploi durable.",
        "A 26-week program paid at minimum wage: warehouse and handling training, French at "
        "work and support towards a lasting job.",
    ),
    ("employment",),
    application=REFERRAL,
    alternate_name="Parcours Tremplin",
    hours=(("WEEKLY", "MO,TU,WE,TH,FR", "08:00", "16:00"),),
)
KITCHEN_TRAINING = Offer(
    "kitchen-training",
    t("Formation en cuisine commerciale", "Commercial kitchen training"),
    t(
        "Apprendre le métier d'aide-cuisinier dans une vraie cuisine de traiteur, avec la "
        "formation en hygiène et salubrité du MAPAQ.",
        "Learn to work as a kitchen helper in a real catering kitchen, with the MAPAQ food "
        "hygiene training.",
    ),
    ("employment",),
    application=REGISTER,
    hours=(("WEEKLY", "TU,WE,TH", "08:00", "14:00"),),
)

COMMUNITY_OFFERS = {
    "Carrefour d'accueil": [SETTLEMENT, PAPERWORK, OBJECTIF],
    "Centre des femmes immigrantes": [WOMEN_COFFEE, BUDGET],
    "Maison de la famille": [PARENT_CHILD, RESPITE],
    "Service d'aide à l'intégration": [PAPERWORK, HOUSING_SEARCH, SETTLEMENT],
    "Centre d'orientation et d'emploi": [JOB_SEARCH, CREDENTIALS, RESUME],
    "Comité logement": [TENANT_RIGHTS, HOUSING_SEARCH],
    "Halte-garderie interculturelle": [RESPITE, PARENT_CHILD],
    "Centre de francisation": [FRENCH_PART_TIME, FRENCH_CONVERSATION, FRENCH_AT_WORK],
    "Banque alimentaire": [FOOD_BANK, COMMUNITY_GROCERY],
    "Réseau d'entraide": [BUDDY, VOLUNTEERING],
    "Maison des jeunes": [YOUTH_CENTRE, TEEN_HOMEWORK],
    "Centre communautaire multiethnique": [PUBLIC_SERVICES_INFO, INTERCULTURAL_EVENTS],
    "Association des aînés": [SENIORS, DIGITAL_LITERACY],
    "Clinique juridique communautaire": [IMMIGRATION_LAW, WORKERS_RIGHTS],
    "Centre de ressources pour nouveaux arrivants": [REFERRAL_DESK, SETTLEMENT, PAPERWORK],
    "Atelier d'alphabétisation": [LITERACY, DIGITAL_LITERACY],
    "Accueil parents-enfants": [SCHOOL_SYSTEM, PARENT_CHILD],
    "Regroupement interculturel": [MEDIATION, DISCRIMINATION],
    "Centre d'écoute et de référence": [LISTENING_LINE, REFERRAL_DESK],
    "Projet jeunesse": [SCHOOL_PERSEVERANCE, FIRST_JOB],
    "Comité d'accueil des personnes réfugiées": [ASYLUM, HOUSING_SEARCH],
    "Maison d'hébergement pour femmes": [SHELTER],
    "Friperie solidaire": [THRIFT_INTERNSHIP],
    "Entreprise d'insertion Tremplin": [INTEGRATION_JOB],
    "Traiteur interculturel": [KITCHEN_TRAINING],
}
SECOND_OFFER_SHARE = 0.2

# --- What libraries offer, at some of their branches -------------------------------------------

STORYTIME = Offer(
    "storytime",
    t(
        "Heure du conte multilingue",
        "Multilingual storytime",
        es="Hora del cuento multilingüe",
        ar="ساعة الحكايات متعددة اللغات",
        zh_hans="多语种故事时间",
        ht="Lè istwa an plizyè lang",
        vi="Giờ kể chuyện đa ngôn ngữ",
    ),
    t(
        "Des histoires, des chansons et des comptines en français et dans une autre langue "
        "parlée par les familles du quartier. Pour les enfants de 3 à 6 ans et leurs parents.",
        "Stories, songs and rhymes in French and in another language spoken by the "
        "neighbourhood's families. For children aged 3 to 6 and their parents.",
        es="Cuentos, canciones y rimas en francés y en otro idioma de las familias del barrio.",
        ar="قصص وأغانٍ وأناشيد بالفرنسية وبلغة أخرى تتحدثها عائلات الحي، للأطفال من 3 إلى 6 سنوات.",
        zh_hans="用法语和社区家庭使用的另一种语言讲故事、唱歌和念童谣，适合3至6岁儿童及其父母。",
        ht="Istwa, chante ak kontin an fransè ak nan yon lòt lang fanmi nan katye a pale.",
        vi="Truyện, bài hát và đồng dao bằng tiếng Pháp và một ngôn ngữ khác của các gia đình.",
    ),
    ("childhood-family", "social-cultural-life"),
    audiences=("children", "families", "library-non-users"),
    eligibility=t("Enfants de 3 à 6 ans avec un parent.", "Children aged 3 to 6 with a parent."),
    hours=(("WEEKLY", "SA", "10:30", "11:30"),),
    minimum_age=3,
    maximum_age=6,
)
JOB_CAFE = Offer(
    "job-cafe",
    t("Café-emploi", "Job Café", es="Café-empleo", ar="مقهى التوظيف"),
    t(
        "Rencontres informelles avec des employeurs et des conseillers en emploi à la "
        "bibliothèque : offres du quartier, conseils sur le CV, réseautage autour d'un café.",
        "Informal meetings with employers and employment counsellors at the library: local job "
        "offers, résumé tips, networking over coffee.",
        es="Encuentros informales con empleadores y consejeros de empleo en la biblioteca.",
        ar="لقاءات غير رسمية مع أصحاب العمل ومستشاري التوظيف في المكتبة.",
    ),
    ("employment",),
    audiences=("newcomers", "immigrants", "library-non-users"),
    hours=(("MONTHLY", "2TU", "13:30", "15:30"),),
    alternate_name="CE-BIBLIO",
)
HOMEWORK_HELP = Offer(
    "homework-help",
    t(
        "Aide aux devoirs",
        "Homework help",
        es="Ayuda con las tareas escolares",
        ar="المساعدة في الواجبات المدرسية",
    ),
    t(
        "Des bénévoles aident les élèves du primaire à faire leurs devoirs et leurs lectures, "
        "dans le calme de la bibliothèque, après l'école.",
        "Volunteers help primary school pupils with their homework and reading, in the quiet of "
        "the library, after school.",
        es="Voluntarios ayudan a los alumnos de primaria con sus tareas después de la escuela.",
        ar="يساعد متطوعون تلاميذ المرحلة الابتدائية في واجباتهم بعد المدرسة.",
    ),
    ("education", "childhood-family"),
    audiences=("children", "families"),
    eligibility=t("Élèves de la 1re à la 6e année.", "Pupils in grades 1 to 6."),
    hours=(("WEEKLY", "MO,TU,WE,TH", "15:30", "17:30"),),
    minimum_age=6,
    maximum_age=12,
)
CONVERSATION_CLUB = Offer(
    "conversation-club",
    t(
        "Club de conversation française",
        "French conversation club",
        es="Club de conversación en francés",
        ar="نادي المحادثة الفرنسية",
        pt="Clube de conversação em francês",
    ),
    t(
        "Une heure et demie pour parler français en toute simplicité avec une animatrice et "
        "d'autres apprenants, à la bibliothèque. Sans inscription.",
        "An hour and a half of relaxed French conversation with a facilitator and other "
        "learners, at the library. No registration.",
        es="Una hora y media para hablar francés con una animadora y otros estudiantes.",
        ar="ساعة ونصف للتحدث بالفرنسية ببساطة مع منشطة ومتعلمين آخرين في المكتبة.",
        pt="Uma hora e meia para falar francês com uma animadora e outros alunos.",
    ),
    ("french-courses", "social-cultural-life"),
    audiences=("newcomers", "immigrants", "library-non-users"),
    hours=(("WEEKLY", "TH", "18:30", "20:00"),),
)
DIGITAL_WORKSHOPS = Offer(
    "digital-workshops",
    t(
        "Ateliers numériques : courriel et services en ligne",
        "Digital skills workshops: e-mail and online services",
        es="Talleres digitales: correo y servicios en línea",
        ar="ورش رقمية: البريد الإلكتروني والخدمات عبر الإنترنت",
    ),
    t(
        "Créer son dossier en ligne au gouvernement, chercher un emploi sur Internet, utiliser "
        "les services en ligne de la bibliothèque. Ordinateurs fournis.",
        "Set up your online government account, look for jobs on the Internet, use the "
        "library's online services. Computers provided.",
        es="Crear su cuenta en línea del gobierno y buscar empleo en Internet.",
        ar="إنشاء حسابك الحكومي عبر الإنترنت والبحث عن عمل على الإنترنت.",
    ),
    ("digital-skills",),
    audiences=("newcomers", "seniors", "library-non-users"),
    application=REGISTER,
    hours=(("WEEKLY", "SA", "13:30", "15:30"),),
)
LIBRARY_WELCOME = Offer(
    "library-welcome",
    t(
        "Visite d'accueil de la bibliothèque",
        "Library welcome tour",
        es="Visita de bienvenida a la biblioteca",
        ar="جولة تعريفية في المكتبة",
        tl="Pagbisita sa aklatan para sa mga bagong dating",
    ),
    t(
        "Découvrez tout ce que la bibliothèque offre gratuitement : prêt de livres dans votre "
        "langue, Internet, salles d'étude, activités. Abonnement gratuit sur place.",
        "Discover everything the library offers for free: books in your language, Internet, "
        "study rooms, activities. Free membership on the spot.",
        es="Descubra todo lo que la biblioteca ofrece gratis: libros en su idioma, Internet.",
        ar="اكتشف كل ما تقدمه المكتبة مجانًا: كتب بلغتك، إنترنت، قاعات دراسة.",
        tl="Tuklasin ang lahat ng libreng alok ng aklatan: mga aklat sa iyong wika, Internet.",
    ),
    ("first-steps", "social-cultural-life"),
    audiences=("newcomers", "library-non-users"),
    hours=(("MONTHLY", "1SA", "10:00", "11:00"),),
)
CITIZENSHIP = Offer(
    "citizenship",
    t(
        "Préparation à l'examen de citoyenneté",
        "Citizenship test preparation",
        es="Preparación para el examen de ciudadanía",
        ar="التحضير لامتحان الجنسية",
        zh_hans="入籍考试准备",
        fa="آمادگی برای آزمون شهروندی",
    ),
    t(
        "Réviser le guide « Découvrir le Canada » en groupe : histoire, géographie, droits et "
        "responsabilités, avec des examens blancs.",
        "Study the \u201cDiscover Canada\u201d guide in a group: history, geography, rights and "
        "responsibilities, with practice tests.",
        es="Estudiar la guía « Descubrir Canadá » en grupo, con exámenes de práctica.",
        ar="مراجعة دليل «اكتشف كندا» ضمن مجموعة مع امتحانات تجريبية.",
        zh_hans="小组学习《探索加拿大》指南：历史、地理、权利与责任，并进行模拟考试。",
        fa="مرور گروهی راهنمای «کانادا را کشف کنید» با آزمون‌های آزمایشی.",
    ),
    ("citizenship",),
    audiences=("immigrants",),
    eligibility=t(
        "Résidents permanents qui ont demandé ou vont demander la citoyenneté.",
        "Permanent residents who have applied or will apply for citizenship.",
    ),
    application=REGISTER,
    hours=(("WEEKLY", "MO", "18:00", "19:30"),),
    alternate_name="Découvrir le Canada",
    statuses=("permanent-resident",),
)
LIBRARY_OFFERS = [
    STORYTIME,
    JOB_CAFE,
    HOMEWORK_HELP,
    CONVERSATION_CLUB,
    DIGITAL_WORKSHOPS,
    LIBRARY_WELCOME,
    CITIZENSHIP,
]

# --- City services and institutions (by organization name) -----------------------------------

NAMED_OFFERS = {
    BINAM: [
        Offer(
            "newcomer-line",
            t(
                "Ligne d'information pour nouveaux arrivants",
                "Newcomer information line",
                es="Línea de información para recién llegados",
                ar="خط المعلومات للوافدين الجدد",
                zh_hans="新移民信息热线",
                ht="Liy enfòmasyon pou moun ki fèk rive",
            ),
            t(
                "Une ligne téléphonique de la Ville pour répondre à vos questions sur les "
                "services municipaux et vous diriger vers les organismes de votre arrondissement.",
                "A City phone line that answers your questions about municipal services and "
                "refers you to the organizations of your borough.",
                es="Una línea telefónica de la Ciudad para responder a sus preguntas.",
                ar="خط هاتفي للمدينة يجيب عن أسئلتك حول الخدمات البلدية.",
                zh_hans="市政府的电话热线，回答您关于市政服务的问题。",
                ht="Yon liy telefòn Vil la pou reponn kesyon w sou sèvis minisipal yo.",
            ),
            ("public-services", "first-steps"),
            eligibility=OPEN_TO_ALL,
            application=t("Téléphonez, sans rendez-vous.", "Just call; no appointment."),
            alternate_name="BINAM-INFO",
        )
    ],
    LIBRARY_SERVICE: [
        Offer(
            "library-card",
            t("Carte de bibliothèque gratuite", "Free library card"),
            t(
                "Une carte gratuite pour toute personne qui habite Montréal, quel que soit son "
                "statut : livres, films, Internet et activités dans les 45 bibliothèques.",
                "A free card for anyone living in Montréal, whatever their status: books, films, "
                "Internet and activities in all 45 libraries.",
            ),
            ("public-services", "social-cultural-life"),
            audiences=("newcomers", "library-non-users"),
            eligibility=t("Toute personne qui habite Montréal.", "Anyone who lives in Montréal."),
        )
    ],
    SDSS: [
        Offer(
            "liaison-officers",
            t("Agents de liaison en bibliothèque", "Liaison officers in libraries"),
            t(
                "Dans plusieurs bibliothèques, une agente de liaison accueille les personnes "
                "nouvellement arrivées et les met en lien avec les organismes du quartier.",
                "In several libraries, a liaison officer welcomes newcomers and connects them "
                "with neighbourhood organizations.",
            ),
            ("settlement-support", "social-cultural-life"),
            audiences=("newcomers", "library-non-users"),
        )
    ],
    "CLSC des Érables": [
        Offer(
            "family-follow-up",
            t("Suivi des familles nouvellement arrivées", "Follow-up for newly arrived families"),
            t(
                "Une infirmière et une travailleuse sociale suivent les familles à leur arrivée : "
                "vaccination des enfants, grossesse, inscription à un médecin de famille.",
                "A nurse and a social worker follow families when they arrive: children's "
                "vaccinations, pregnancy, registering with a family doctor.",
            ),
            ("health", "childhood-family"),
            audiences=("families", "children", "newcomers"),
            application=REFERRAL,
        )
    ],
    "CLSC de la Montagne-Est": [
        Offer(
            "asylum-clinic",
            t(
                "Clinique de santé pour personnes demandeuses d'asile",
                "Health clinic for refugee claimants",
                es="Clínica de salud para solicitantes de asilo",
                ar="عيادة صحية لطالبي اللجوء",
            ),
            t(
                "Consultations médicales et psychosociales pour les personnes demandeuses d'asile "
                "couvertes par le Programme fédéral de santé intérimaire.",
                "Medical and psychosocial consultations for refugee claimants covered by the "
                "Interim Federal Health Program.",
                es="Consultas médicas para solicitantes de asilo cubiertos por el programa federal.",
                ar="استشارات طبية ونفسية لطالبي اللجوء المشمولين بالبرنامج الفيدرالي المؤقت للصحة.",
            ),
            ("health",),
            application=CALL,
            alternate_name="PFSI",
            statuses=("asylum-seeker", "refugee"),
        )
    ],
    "Clinique santé-accueil Pluriel": [
        Offer(
            "refugee-health",
            t("Bilan de santé des personnes réfugiées", "Health assessment for refugees"),
            t(
                "Un bilan de santé complet dans les semaines qui suivent l'arrivée, puis une "
                "orientation vers un médecin de famille du quartier.",
                "A full health assessment in the weeks after arrival, then a referral to a "
                "family doctor in the neighbourhood.",
            ),
            ("health", "first-steps"),
            application=REFERRAL,
            statuses=("refugee",),
        )
    ],
    "Centre de services scolaire des Rivières": [
        Offer(
            "welcome-classes",
            t(
                "Classes d'accueil pour élèves allophones",
                "Welcome classes for students learning French",
                es="Clases de acogida para alumnos que aprenden francés",
                ar="فصول الاستقبال للتلاميذ الذين يتعلمون الفرنسية",
            ),
            t(
                "Les enfants qui ne parlent pas encore français apprennent la langue en classe "
                "d'accueil avant de rejoindre une classe ordinaire.",
                "Children who don't speak French yet learn it in a welcome class before joining "
                "a regular class.",
                es="Los niños que aún no hablan francés lo aprenden en una clase de acogida.",
                ar="يتعلم الأطفال الذين لا يتحدثون الفرنسية بعد اللغة في فصل الاستقبال.",
            ),
            ("education", "french-courses"),
            audiences=("children", "youth", "families"),
            application=t(
                "Inscription au bureau d'accueil du centre de services scolaire.",
                "Register at the school service centre's welcome office.",
            ),
            minimum_age=5,
            maximum_age=17,
        )
    ],
    "Centre d'éducation des adultes Le Tremplin": [
        Offer(
            "french-full-time",
            t(
                "Francisation à temps plein pour adultes",
                "Full-time French courses for adults",
                es="Francés a tiempo completo para adultos",
                ar="دروس الفرنسية بدوام كامل للبالغين",
            ),
            t(
                "Cinq jours par semaine de cours de français, avec une allocation de "
                "participation pour les personnes admissibles.",
                "French classes five days a week, with a participation allowance for those "
                "eligible.",
                es="Cursos de francés cinco días por semana, con una ayuda económica.",
                ar="دروس فرنسية خمسة أيام في الأسبوع مع منحة مشاركة للمؤهلين.",
            ),
            ("french-courses", "education"),
            application=REGISTER,
            alternate_name="Francisation Québec",
            hours=(("WEEKLY", "MO,TU,WE,TH,FR", "08:30", "14:30"),),
            minimum_age=16,
        ),
        Offer(
            "adult-education",
            t("Formation générale des adultes", "Adult high school education"),
            t(
                "Terminer son diplôme d'études secondaires ou obtenir les préalables pour le "
                "cégep ou une formation professionnelle.",
                "Finish your high school diploma or get the prerequisites for college or "
                "vocational training.",
            ),
            ("education",),
            audiences=("immigrants", "youth"),
            application=REGISTER,
            alternate_name="FGA",
            minimum_age=16,
        ),
    ],
    "Cégep de la Traversée": [
        Offer(
            "college-certificate",
            t(
                "Attestation d'études collégiales pour personnes immigrantes",
                "College certificate for skilled immigrants",
            ),
            t(
                "Des programmes courts en comptabilité, en soins infirmiers auxiliaires et en "
                "informatique, avec stage, pour intégrer rapidement le marché du travail.",
                "Short programs in accounting, practical nursing and computing, with an "
                "internship, to enter the job market quickly.",
            ),
            ("education", "employment"),
            application=REGISTER,
            alternate_name="AEC",
            fees=t("Droits de scolarité de 250 $ par session.", "Tuition of $250 per term."),
        )
    ],
}

# --- Described in one language only (each on a topic no other service covers) -----------------


@dataclass(frozen=True)
class SingleLanguageOffer:
    offer: Offer
    hosts: tuple[str, ...]  # organization name starts, in order of preference
    valid_days: tuple[int, int] | None = None  # seasonal: (began this many days ago, lasts)


def _single(
    key: str,
    language: str,
    name: str,
    description: str,
    needs: tuple[str, ...],
    hosts: tuple[str, ...],
    **options: Any,
) -> SingleLanguageOffer:
    eligibility = options.pop("eligibility", "")
    valid_days = options.pop("valid_days", None)
    return SingleLanguageOffer(
        Offer(
            key,
            {language: name},
            {language: description},
            needs,
            eligibility={language: eligibility} if eligibility else {},
            application={language: options.pop("application")} if "application" in options else {},
            fees={language: options.pop("fees")} if "fees" in options else {},
            languages=options.pop("languages", (language,)),
            **options,
        ),
        hosts,
        valid_days,
    )


FRENCH_ONLY = [
    _single(
        "tax-clinic",
        "fr",
        "Clinique d'impôts bénévole",
        "Des bénévoles remplissent gratuitement vos déclarations de revenus fédérale et "
        "provinciale si votre revenu est modeste. Apportez vos feuillets et votre avis de "
        "cotisation de l'an dernier.",
        ("public-services",),
        ("Centre de ressources pour nouveaux arrivants", "Carrefour d'accueil"),
        hours=(("WEEKLY", "TU,TH", "13:00", "19:00"),),
        eligibility="Personnes et familles à revenu modeste.",
    ),
    _single(
        "community-garden",
        "fr",
        "Jardin collectif",
        "Cultiver des légumes ensemble dans un jardin collectif, de mai à octobre, et partager "
        "la récolte. Aucune expérience en jardinage nécessaire.",
        ("food-security", "social-cultural-life"),
        ("Réseau d'entraide", "Banque alimentaire"),
        hours=(("WEEKLY", "SA", "09:00", "12:00"),),
    ),
    _single(
        "bike-repair",
        "fr",
        "Atelier de réparation de vélos",
        "Apprenez à réparer et à entretenir votre vélo avec des mécaniciens bénévoles : "
        "crevaisons, freins, dérailleur. Outils et pièces usagées sur place.",
        ("social-cultural-life",),
        ("Maison des jeunes", "Centre communautaire multiethnique"),
        hours=(("WEEKLY", "WE", "17:00", "20:00"),),
    ),
    _single(
        "driving-licence",
        "fr",
        "Échange du permis de conduire étranger",
        "Comprendre les étapes pour échanger votre permis de conduire obtenu à l'étranger contre "
        "un permis du Québec : documents à traduire, examen théorique et examen pratique à la SAAQ.",
        ("documents-permits",),
        ("Service d'aide à l'intégration", "Carrefour d'accueil"),
        hours=(("MONTHLY", "3WE", "13:30", "15:30"),),
    ),
    _single(
        "chess-club",
        "fr",
        "Club d'échecs",
        "Un club d'échecs ouvert à tous les âges : parties amicales, initiation pour les "
        "débutants et petits tournois le samedi.",
        ("social-cultural-life",),
        ("Bibliothèques",),
        hours=(("WEEKLY", "SA", "13:00", "16:00"),),
    ),
    _single(
        "grief-support",
        "fr",
        "Groupe de soutien au deuil",
        "Vous avez perdu un proche, ici ou dans votre pays d'origine, sans pouvoir lui dire "
        "adieu? Un groupe de parole accompagné par une intervenante, pour traverser le deuil.",
        ("health",),
        ("Centre d'écoute et de référence", "Centre des femmes immigrantes"),
        hours=(("WEEKLY", "MO", "18:30", "20:30"),),
    ),
    _single(
        "swimming",
        "fr",
        "Cours de natation pour adultes",
        "Apprendre à nager à l'âge adulte, en petits groupes et en toute confiance. Séances "
        "réservées aux femmes le dimanche matin.",
        ("health", "social-cultural-life"),
        ("Centre communautaire multiethnique", "Maison de la famille"),
        hours=(("WEEKLY", "SU", "09:00", "11:00"),),
        fees="40 $ pour dix cours; gratuit pour les personnes à faible revenu.",
        minimum_age=18,
    ),
    _single(
        "sewing",
        "fr",
        "Atelier de couture",
        "Apprendre à coudre à la machine : ourlets, réparations, puis confection de vêtements "
        "et de sacs. Machines à coudre prêtées.",
        ("social-cultural-life",),
        ("Centre des femmes immigrantes", "Friperie solidaire"),
        audiences=("women",),
        hours=(("WEEKLY", "TH", "13:00", "16:00"),),
    ),
    _single(
        "choir",
        "fr",
        "Chorale interculturelle",
        "Chanter ensemble des chansons du Québec et du monde entier, sans audition. Concert de "
        "fin d'année au parc du quartier.",
        ("social-cultural-life",),
        ("Regroupement interculturel", "Centre communautaire multiethnique"),
        hours=(("WEEKLY", "TU", "19:00", "21:00"),),
    ),
    _single(
        "first-aid",
        "fr",
        "Formation en premiers soins",
        "Une journée pour apprendre les gestes qui sauvent : réanimation cardiorespiratoire, "
        "étouffement, brûlures et allergies graves, avec attestation.",
        ("health",),
        ("Maison de la famille", "Accueil parents-enfants"),
        hours=(("MONTHLY", "1SA", "09:00", "16:00"),),
    ),
    _single(
        "winter-coats",
        "fr",
        "Distribution de manteaux d'hiver",
        "Manteaux, bottes, tuques et mitaines gratuits pour affronter votre premier hiver à "
        "Montréal, pour les adultes et les enfants.",
        ("first-steps",),
        ("Friperie solidaire", "Comité d'accueil des personnes réfugiées", "Carrefour d'accueil"),
        hours=(("WEEKLY", "SA", "10:00", "14:00"),),
        valid_days=(300, 120),
    ),
    _single(
        "woodworking",
        "fr",
        "Atelier de menuiserie communautaire",
        "Fabriquer ou réparer des meubles en bois avec l'aide d'un ébéniste bénévole : "
        "sécurité, outils, assemblage.",
        ("social-cultural-life",),
        ("Entreprise d'insertion Tremplin", "Réseau d'entraide"),
        hours=(("WEEKLY", "WE", "18:00", "21:00"),),
    ),
]
ENGLISH_ONLY = [
    _single(
        "public-speaking",
        "en",
        "Public speaking club",
        "Build confidence speaking in front of a group: short speeches, friendly feedback and "
        "practice for meetings and presentations at work.",
        ("employment",),
        ("Centre d'orientation et d'emploi", "Bibliothèques"),
        hours=(("WEEKLY", "WE", "19:00", "20:30"),),
    ),
    _single(
        "photo-walks",
        "en",
        "Neighbourhood photography walks",
        "Explore the neighbourhood with a camera or a phone: monthly photo walks with a "
        "photographer, then an exhibition of the best pictures.",
        ("social-cultural-life",),
        ("Réseau d'entraide", "Regroupement interculturel"),
        hours=(("MONTHLY", "2SU", "10:00", "12:30"),),
    ),
    _single(
        "knitting",
        "en",
        "Knitting circle for seniors",
        "Knit and crochet together over tea: scarves and blankets for families arriving in "
        "winter. Wool and needles provided; beginners welcome.",
        ("social-cultural-life",),
        ("Association des aînés", "Centre des femmes immigrantes"),
        audiences=("seniors",),
        hours=(("WEEKLY", "FR", "13:30", "15:30"),),
    ),
    _single(
        "eyeglasses",
        "en",
        "Free eyeglasses for children",
        "Eye exams and free eyeglasses for children aged 6 to 17 whose families cannot afford "
        "them, with an optometrist visiting every month.",
        ("health", "childhood-family"),
        ("CLSC du Ruisseau", "CLSC des Érables", "Maison de la famille"),
        audiences=("children", "families"),
        hours=(("MONTHLY", "1MO", "09:00", "16:00"),),
        minimum_age=6,
        maximum_age=17,
    ),
    _single(
        "furniture-bank",
        "en",
        "Furniture bank",
        "Beds, tables, chairs and kitchen items donated by Montrealers, delivered for free to "
        "refugee families moving into their first apartment.",
        ("settlement-support",),
        ("Comité d'accueil des personnes réfugiées", "Service d'aide à l'intégration"),
        application="Referral by a settlement worker.",
        hours=(("WEEKLY", "TU,TH", "10:00", "15:00"),),
    ),
    _single(
        "cricket",
        "en",
        "Youth cricket league",
        "Play cricket every summer weekend: teams for boys and girls, equipment lent and "
        "volunteer coaches. Matches at the park.",
        ("social-cultural-life",),
        ("Maison des jeunes", "Projet jeunesse"),
        audiences=("youth",),
        hours=(("WEEKLY", "SA,SU", "10:00", "13:00"),),
        minimum_age=10,
        maximum_age=18,
    ),
    _single(
        "podcast",
        "en",
        "Podcast workshop for teens",
        "Teenagers write, record and edit their own podcast episodes with professional "
        "microphones, then publish them online.",
        ("digital-skills", "social-cultural-life"),
        ("Bibliothèques", "Projet jeunesse"),
        audiences=("youth",),
        hours=(("WEEKLY", "FR", "16:00", "18:00"),),
        minimum_age=13,
        maximum_age=17,
    ),
    _single(
        "dental",
        "en",
        "Low-cost dental care",
        "Cleanings, fillings and extractions at a reduced price, by supervised dental students, "
        "for adults without dental insurance.",
        ("health",),
        ("Clinique santé-accueil Pluriel", "CLSC de la Montagne-Est"),
        fees="Sliding scale, from $10 per visit.",
        hours=(("WEEKLY", "MO,WE", "09:00", "15:00"),),
    ),
    _single(
        "doula",
        "en",
        "Birth and postpartum doula support",
        "A volunteer doula supports you during pregnancy, at the birth and in the weeks after, "
        "when your family is far away.",
        ("health", "childhood-family"),
        ("Maison de la famille", "Centre des femmes immigrantes"),
        audiences=("women", "families"),
        application="Call us from the fourth month of pregnancy.",
    ),
    _single(
        "skating",
        "en",
        "Learn to skate",
        "First steps on the ice for newcomers of all ages: skates and helmets lent, at the "
        "outdoor rink of the park every winter weekend.",
        ("social-cultural-life",),
        ("Centre communautaire multiethnique", "Maison des jeunes"),
        hours=(("WEEKLY", "SA,SU", "13:00", "15:00"),),
        valid_days=(320, 100),
    ),
    _single(
        "engineers",
        "en",
        "Mentoring for internationally trained engineers",
        "Engineers trained abroad are matched with a Québec engineer for six months, to prepare "
        "the Ordre des ingénieurs exams and find a job in their field.",
        ("employment",),
        ("Centre d'orientation et d'emploi", "Carrefour d'accueil"),
        application="Apply online; interviews every month.",
    ),
    _single(
        "board-games",
        "en",
        "Board game nights",
        "Friendly evenings of board games from around the world, a relaxed way to meet people "
        "and practise languages.",
        ("social-cultural-life",),
        ("Regroupement interculturel", "Bibliothèques"),
        hours=(("WEEKLY", "FR", "19:00", "22:00"),),
    ),
]


# --- Writing -------------------------------------------------------------------------------------


@dataclass
class DirectorySummary:
    services: int
    french_only: int
    english_only: int
    encoded: int


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


class _Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.assured: list[tuple[Service, Any]] = []

    def languages(self, offer: Offer) -> list[str]:
        codes = list(offer.languages)
        translated = [c for c in offer.names if c not in codes]
        codes += translated[: self.rng.randint(0, len(translated))]
        extra = self.rng.choices([0, 1, 2], weights=[45, 40, 15])[0]
        pool = [c for c in OTHER_LANGUAGES if c not in codes]
        for _turn in range(extra):
            code = self.rng.choices(pool, weights=[OTHER_LANGUAGES[c] for c in pool])[0]
            pool.remove(code)
            codes.append(code)
        return codes

    def schedules(self, offer: Offer, sites: list[Site], valid_days) -> list[dict[str, Any]]:
        schedules = []
        for i, site in enumerate(sites):
            for freq, byday, opens, closes in offer.hours:
                if i and freq == "WEEKLY" and len(byday) == 2:
                    # Another branch, another day of the week (not Sunday).
                    byday = ("MO", "TU", "WE", "TH", "FR", "SA")[
                        (("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(byday) + i) % 6
                    ]
                item = {
                    "freq": freq,
                    "byday": byday,
                    "opens_at": opens,
                    "closes_at": closes,
                    "site": str(site.hsds_id),
                }
                if valid_days:
                    ago, length = valid_days
                    start = self.today - timedelta(days=ago % 365)
                    item["valid_from"] = start.isoformat()
                    item["valid_to"] = (start + timedelta(days=length)).isoformat()
                schedules.append(item)
        return schedules

    def write(
        self,
        organization: Organization,
        offer: Offer,
        sites: list[Site],
        *,
        languages: list[str] | None = None,
        valid_days: tuple[int, int] | None = None,
    ) -> Service:
        contact_name = "Accueil" if "fr" in offer.names else "Reception"
        content = {
            "names": dict(offer.names),
            "descriptions": dict(offer.descriptions),
            "eligibility_descriptions": dict(offer.eligibility),
            "application_processes": dict(offer.application),
            "fees_descriptions": dict(offer.fees),
            "alternate_name": offer.alternate_name,
            "url": (
                f"https://{domain_label(organization.name)}.example/{offer.key}"
                if self.rng.random() < 0.5
                else ""
            ),
            "email": organization.email,
            "phone": organization.phone,
            "status": "active",
            "is_free": not offer.fees,
            "interpretation_services": "",
            "minimum_age": offer.minimum_age,
            "maximum_age": offer.maximum_age,
            "max_years_since_arrival": offer.max_years,
            "funding_source": "",
            "audiences": list(offer.audiences),
            "immigration_statuses": list(offer.statuses),
            "languages": languages or self.languages(offer),
            "needs": list(offer.needs),
            "locations": [{"site": str(site.hsds_id)} for site in sites],
            "schedules": self.schedules(offer, sites, valid_days),
            "contacts": [
                {"name": contact_name, "phone": organization.phone, "email": organization.email}
            ]
            if organization.phone or organization.email
            else [],
        }
        if len(content["languages"]) > 2 and self.rng.random() < 0.5:
            content["interpretation_services"] = "Interprètes sur demande / Interpreters on request"
        service = Service.objects.create(organization=organization)
        service_publish_content(service=service, content=content, actor=None, comment="Demo data")
        roll = self.rng.random()
        if roll < UNVERIFIED_SHARE:
            assured = None
        elif roll < UNVERIFIED_SHARE + STALE_SHARE:
            assured = self.today - timedelta(days=self.rng.randint(380, 900))
        else:
            assured = self.today - timedelta(days=self.rng.randint(5, 330))
        self.assured.append((service, assured))
        return service


def _pattern_of(name: str) -> str | None:
    return next((start for start in COMMUNITY_OFFERS if name.startswith(start)), None)


def seed_directory(*, seed: int, stdout: TextIO | None = None) -> DirectorySummary:
    """Write the demo directory for the organizations in the database, then build the index."""
    writer = _Writer(seed)
    rng = writer.rng
    organizations = list(Organization.objects.prefetch_related("sites").order_by("name"))
    _say(
        stdout,
        _("Describing the services of %(count)d organizations…") % {"count": len(organizations)},
    )
    rotation: dict[str, int] = {}
    written = 0
    for organization in organizations:
        sites = sorted(organization.sites.all(), key=lambda s: (s.kind != "head_office", s.name))
        pattern = _pattern_of(organization.name)
        if organization.kind in (K.COMMUNITY_ORGANIZATION, K.SOCIAL_ECONOMY) and pattern:
            offers = COMMUNITY_OFFERS[pattern]
            turn = rotation.get(pattern, 0)
            rotation[pattern] = turn + 1
            chosen = [offers[turn % len(offers)]]
            if len(offers) > 1 and rng.random() < SECOND_OFFER_SHARE:
                chosen.append(offers[(turn + 1) % len(offers)])
            for offer in chosen:
                # Most services are given at the head office; some at every point of service.
                places = sites if rng.random() < 0.3 else sites[:1]
                writer.write(organization, offer, places)
                written += 1
        elif organization.kind == K.LIBRARY and sites:
            count = rng.choice([2, 3, 3, 4])
            for offer in rng.sample(LIBRARY_OFFERS, count):
                places = rng.sample(sites, rng.randint(1, min(3, len(sites))))
                places.sort(key=lambda s: s.name)
                writer.write(organization, offer, places)
                written += 1
        for offer in NAMED_OFFERS.get(organization.name, []):
            writer.write(organization, offer, sites[:1])
            written += 1

    hosted: set[int] = set()
    single = 0
    for item in [*FRENCH_ONLY, *ENGLISH_ONLY]:
        host = _host(organizations, item.hosts, hosted)
        hosted.add(host.pk)
        sites = sorted(host.sites.all(), key=lambda s: (s.kind != "head_office", s.name))
        writer.write(
            host,
            item.offer,
            sites[:1],
            languages=list(item.offer.languages),
            valid_days=item.valid_days,
        )
        single += 1

    for service, assured in writer.assured:
        Service.objects.filter(pk=service.pk).update(
            assured_date=assured,
            assurer_email=service.email if assured else "",
        )
    _say(stdout, _("Building the search index…"))
    report = index_build()
    return DirectorySummary(
        services=written + single,
        french_only=len(FRENCH_ONLY),
        english_only=len(ENGLISH_ONLY),
        encoded=report.encoded,
    )


def _host(organizations: list[Organization], starts: tuple[str, ...], hosted: set[int]):
    """The first organization (by name) whose name starts with one of `starts`, not yet hosting."""
    for start in starts:
        for organization in organizations:
            if (
                organization.name.startswith(start)
                and organization.pk not in hosted
                and organization.sites.all()
            ):
                return organization
    # Whatever the seed drew, some community organization can host it.
    return next(
        o
        for o in organizations
        if o.kind == K.COMMUNITY_ORGANIZATION and o.pk not in hosted and o.sites.all()
    )
