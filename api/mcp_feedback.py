"""The MCP server's one tool that writes: send_feedback, a vote on an answer it gave.

It posts to POST /v1/answers/feedback in process, like the read tools' GETs: the same
validation, and the API's problem+json as a tool error. Anonymous, like a chatbot's users:
every vote of one MCP server process counts as one client's (one vote per answer, replaced
when sent again), so a stdio server (one user) votes once per answer it gave.
"""

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

FEEDBACK = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
Reason = Literal["incorrect", "not_what_i_asked", "incomplete", "outdated", "other"]


def add_feedback_tool(server: MCPServer, app, problem_message) -> None:
    @server.tool(title="Say whether an answer helped", annotations=FEEDBACK)
    def send_feedback(
        answer_id: Annotated[
            str,
            Field(
                description="The `answer_id` of the answer_question result (or of the "
                "find_passages passage) the user reacted to, exactly as given."
            ),
        ],
        helpful: Annotated[bool, Field(description="Whether it helped the user.")],
        reason: Annotated[
            Reason | None,
            Field(description="Why not, when it did not help (optional)."),
        ] = None,
        comment: Annotated[
            str | None,
            Field(description="The user's own words about it, up to 500 characters (optional)."),
        ] = None,
    ) -> dict[str, Any]:
        """Record the user's verdict on an answer, for the knowledge base's editors.

        Call it when the user says an answer helped or did not ("thanks, that's it", "no,
        that's not what I asked", "that's out of date"): `helpful` true or false, and with
        false a `reason`: `incorrect`, `not_what_i_asked`, `incomplete`, `outdated` or
        `other`. Do not ask the user for feedback just to call it. Sending again replaces
        the earlier vote. Returns the vote as stored and the passage's `counts` (helpful,
        not_helpful). Votes never change which answers are given.
        Example: send_feedback(answer_id="<answer_id of the answer>", helpful=false,
        reason="outdated").
        """
        body = {"answer_id": answer_id, "helpful": helpful}
        if reason is not None:
            body["reason"] = reason
        if comment:
            body["comment"] = comment
        response = app.test_client().post(
            "/v1/answers/feedback", json=body, headers={"Accept": "application/json"}
        )
        result = response.get_json(silent=True)
        if response.status_code >= 400:
            raise ToolError(problem_message(response.status_code, result))
        return result
