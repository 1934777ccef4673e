"""Long, rambling questions that nothing here answers are not answered (issue 12: a question
whose subject the knowledge base does not know is not answered with something that shares a
word with it). The confidence model counts a question's length (api/services/answer_features.py:
the evaluation sets' long questions are all in scope), so long off-topic and near-domain
questions are checked apart: written after the model was fitted, never tuned on. Runs in the
suite's ranking, and words only in `make test`'s words-only run.
"""

import pytest

QUESTIONS = [
    # out_of_domain
    (
        "My landlord keeps saying the heating in our flat will be fixed next week, it has been "
        "three weeks now and we are freezing, what can a tenant actually do about this?"
    ),
    # no_match
    (
        "I manage a small marketing agency and my boss asked me to find a way to make our "
        "weekly status meetings shorter and more useful for the account people, any tips?"
    ),
    # out_of_domain
    (
        "So my sister is starting nursing school in the fall and she keeps asking me whether "
        "night shifts at the hospital get easier after the first year, what do nurses say about"
        " that?"
    ),
    # out_of_domain
    (
        "we are planning a team offsite next month and honestly nobody can agree on whether to "
        "do hiking or an escape room, what is the best team building activity for a group of "
        "twelve people?"
    ),
    # out_of_domain
    (
        "Our company laptop policy says we have to return the machine on the last day, but I "
        "bought the charger myself, am I allowed to keep the charger when I leave the company?"
    ),
    # no_match
    (
        "tbh I have been thinking about switching careers into data science and I want to know "
        "which statistics courses and certificates hiring managers actually care about these "
        "days"
    ),
    # no_match
    (
        "My manager asked me to compare the pricing of AWS, Azure and Google Cloud for a small "
        "web shop with about two thousand visitors a day, which one is the cheapest option for "
        "us?"
    ),
    # out_of_domain
    (
        "I am writing a fantasy novel where a wizard has to debug an ancient spell, can you "
        "give me some ideas for how the plot could go and what the villain should want?"
    ),
    # no_match
    (
        "Our scrum master wants everyone to estimate stories in story points but half the team "
        "prefers hours, how should a scrum master settle this kind of disagreement in planning?"
    ),
    # out_of_domain
    (
        "I keep getting a yellow warning light on the dashboard of my car after I changed the "
        "tyres last weekend, does that mean the tyre pressure sensors need to be reset?"
    ),
    # out_of_domain
    (
        "What is the best way to learn to play the guitar as an adult with a full time job, I "
        "only have about thirty minutes each evening after the kids go to bed"
    ),
    # no_match
    (
        "As a UX designer on a product team, how do I convince the product owner to spend a "
        "sprint on user research interviews instead of building more features right away?"
    ),
    # out_of_domain
    (
        "Our finance department wants a forecast of next year's revenue by region and product "
        "line, which spreadsheet formulas or tools do accountants usually use to build such a "
        "forecast?"
    ),
    # out_of_domain
    (
        "my friend says you should always let sourdough starter sit at room temperature "
        "overnight before baking but the recipe I found says the fridge is fine, who is right "
        "about this?"
    ),
    # no_match
    (
        "I work in customer support and we get hundreds of tickets a week about password "
        "problems, how should a support team write better help center articles so people solve "
        "it themselves?"
    ),
    # out_of_domain
    (
        "The office printer on the third floor jams every single time someone prints double "
        "sided, is there a setting on the printer that we should change or do we need a new "
        "one?"
    ),
    # no_match
    (
        "I want to become a cybersecurity penetration tester, which hacking certifications like"
        " OSCP are worth the money and how long does it usually take to get the first job?"
    ),
    # out_of_domain
    (
        "Can you explain in simple words how the stock market works and whether someone in "
        "their twenties should put their savings in index funds or individual stocks?"
    ),
    # out_of_domain
    (
        "Our HR team is rewriting the parental leave policy and wants to know how many weeks "
        "other tech companies usually offer to new parents, what is normal these days?"
    ),
    # out_of_domain
    (
        "My teenage son wants to build his own gaming PC this summer, which graphics card and "
        "processor would give him the best value for about a thousand dollars?"
    ),
    # no_match
    (
        "As a database administrator I spend most of my week tuning slow queries and planning "
        "index changes, what does a typical career path look like for a DBA after ten years?"
    ),
    # no_match
    (
        "our QA tester keeps finding bugs right before release and the whole team gets "
        "stressed, how should a dedicated QA engineer plan manual test passes so this stops "
        "happening?"
    ),
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_long_question_nothing_covers_is_not_answered(client, question):
    body = client.get("/v1/answers", query_string={"q": question}).get_json()
    assert body["status"] in ("no_match", "out_of_domain"), (body["status"], body["confidence"])
