"""/v1/compare: roles side by side."""

from flask_smorest import abort
from marshmallow import RAISE

from schemas.compare import CompareArgs, ComparisonSchema

from .. import markdown
from ..extensions import db
from ..formats import representations
from ..services.compare import UnknownRoles, compare, load_roles
from .openapi_docs import READ_HEADERS, Blueprint


def compare_blueprint() -> Blueprint:
    blp = Blueprint("compare", __name__, description="Compare roles side by side.")

    @blp.route("/v1/compare")
    @representations(markdown=markdown.comparison)
    @blp.doc(
        operationId="compareRoles",
        summary="Compare two or more roles",
        description="Use this to answer 'what is the difference between X and Y'. Returns the "
        "roles (with `url` and `version` to cite), the comparison `matrix` (focus, output, "
        "philosophy, pain points, key metric, core tooling, daily activity, scale focus, "
        "automation: one row per aspect, one value per role), and for responsibilities, tools "
        "and metrics which are `shared` by every role, which `only` one role has, and (three "
        "roles or more) which some share (`partly`). An unknown role is 422 naming it. "
        "Example: `/v1/compare?roles=developer,devops-engineer`.",
    )
    @blp.arguments(CompareArgs, location="query", unknown=RAISE, as_kwargs=False)
    @blp.response(200, ComparisonSchema, headers=READ_HEADERS)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def compare_view(args):
        try:
            roles = load_roles(db.session, args["roles"])
        except UnknownRoles as unknown:
            names = ", ".join(repr(s) for s in unknown.slugs)
            abort(
                422,
                errors={"roles": [f"No such role: {names}. See /v1/roles for the role slugs."]},
            )
        return compare(roles)  # written through ComparisonSchema

    return blp
