"""The limits and patterns of the public contract, stated once.

The schemas validate and document them, the models size their columns with them, and the
services and routes rely on them. They live in schemas/ because schemas import nothing
from api/, while every layer of api/ may import schemas.
"""

API_PREFIX = "/v1"

# A slug: lowercase ASCII letters and digits, in words joined by single hyphens.
SLUG_WORDS = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SLUG_PATTERN = rf"^{SLUG_WORDS}$"
SLUG_MAX_LENGTH = 80
NAME_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 20_000
# A question as a chatbot passes it on: chat users ramble (the work is capped, not the user).
QUESTION_MAX_LENGTH = 2000

# Page numbers, versions and revision ids are 32-bit integers on both databases: a larger
# one cannot exist, and is answered as such rather than sent to the database.
MAX_INT32 = 2**31 - 1

# A change-feed cursor: "c" and a revision id (api/services/history.py encodes them).
CURSOR_PATTERN = r"^c[0-9]{1,12}$"

# The field that names an entry, first present wins: a name, a title, or an FAQ's question.
TITLE_FIELDS = ("name", "title", "question")
