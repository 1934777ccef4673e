"""FAQ entries and tags."""

from marshmallow import ValidationError, fields, validate

from .base import EntrySchema, embedded_field, list_args
from .catalog import owner_roles, role_filter
from .fields import NO_NUL, NO_NUL_PATTERN, Slug, SlugList, name_field, text_field
from .sources import sources_field

EXAMPLES_MIN, EXAMPLES_MAX = 3, 6
EXAMPLE_MIN_LENGTH, EXAMPLE_MAX_LENGTH = 8, 200


def same_words(text: str) -> str:
    """A question as compared with others: case and spacing do not count."""
    return " ".join(text.casefold().split())


class ExampleList(fields.List):
    """Other ways people ask an FAQ's question: none, or 3 to 6 distinct strings.

    Distinct means distinct once case and spacing are ignored, from each other and from the
    entry's own `question` (in the same body).
    """

    def __init__(self, **kwargs):
        item = fields.String(
            validate=[validate.Length(EXAMPLE_MIN_LENGTH, EXAMPLE_MAX_LENGTH), NO_NUL],
            metadata={"pattern": NO_NUL_PATTERN, "example": "do devops folks even code?"},
        )
        super().__init__(item, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # Too many is said once, before any item is looked at (a long list costs nothing).
        if isinstance(value, list) and len(value) > EXAMPLES_MAX:
            raise ValidationError(self._count_message(len(value)))
        examples = super()._deserialize(value, attr, data, **kwargs)
        if examples and len(examples) < EXAMPLES_MIN:
            raise ValidationError(self._count_message(len(examples)))
        question = data.get("question") if isinstance(data, dict) else None
        seen = {same_words(question): "the question"} if isinstance(question, str) else {}
        errors = {}
        for index, example in enumerate(examples):
            key = same_words(example)
            if key in seen:
                errors[index] = [f"Repeats {seen[key]} (case and spacing aside)."]
            else:
                seen[key] = f"example {index}"
        if errors:
            raise ValidationError(errors)
        return examples

    @staticmethod
    def _count_message(count: int) -> str:
        return f"Give {EXAMPLES_MIN} to {EXAMPLES_MAX} example questions (or none); got {count}."


def examples_field() -> ExampleList:
    return ExampleList(
        load_default=list,
        metadata={
            "description": f"Other ways people ask the question, in their own words: "
            f"{EXAMPLES_MIN} to {EXAMPLES_MAX} distinct strings of {EXAMPLE_MIN_LENGTH} to "
            f"{EXAMPLE_MAX_LENGTH} characters, none equal to `question` or to another "
            "(case and spacing aside). Searched with the entry. Optional in a write, where "
            "leaving it out (or `[]`) means none; every FAQ in the fixtures has them.",
            "maxItems": EXAMPLES_MAX,
            "uniqueItems": True,
            "example": [
                "do devops folks even code?",
                "is writing software part of an ops engineer's job",
                "my manager asked if our devops hire will be programming",
            ],
        },
    )


class TagSchema(EntrySchema):
    """A tag grouping FAQ entries by concept."""

    COLLECTION = "tags"
    RELATED = {"faqs": "faqs?tag={slug}", "topics": "topics?tag={slug}"}
    EXPAND = {"faqs": "FaqSchema"}

    name = name_field(required=True, metadata={"example": "CALMS"})
    summary = text_field(required=True)
    faqs = SlugList(dump_only=True, metadata={"description": "Slugs of the FAQ entries tagged."})
    sources = sources_field()
    embedded = embedded_field("Tag", EXPAND)


class FaqSchema(EntrySchema):
    """A question and its answer, linked to roles and tagged by concept."""

    COLLECTION = "faqs"
    RELATED = {"roles": "roles?faq={slug}"}
    EXPAND = {"roles": "RoleSchema", "tags": "TagSchema"}

    question = text_field(required=True, metadata={"example": "Do DevOps engineers write code?"})
    answer = text_field(required=True)
    examples = examples_field()
    roles = owner_roles("Slugs of the roles the question is about.")
    tags = SlugList(load_default=list, metadata={"description": "Tag slugs.", "example": ["iac"]})
    sources = sources_field()
    embedded = embedded_field("Faq", EXPAND)

    @staticmethod
    def fixture_errors(data: dict) -> dict[str, list[str]]:
        """What the fixtures need beyond a valid write: every FAQ there has its examples."""
        if len(data.get("examples") or []) >= EXAMPLES_MIN:
            return {}
        return {
            "examples": [
                f"A fixture FAQ needs {EXAMPLES_MIN} to {EXAMPLES_MAX} example questions "
                "(other ways people ask it, in their words)."
            ]
        }


TagListArgs = list_args(TagSchema, sort=("name",))
FaqListArgs = list_args(
    FaqSchema,
    sort=("question",),
    role=role_filter("FAQ entries"),
    tag=Slug(metadata={"description": "Only FAQ entries with this tag (a tag slug)."}),
)
