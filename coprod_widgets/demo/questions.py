"""The demo's site questions (learning point 8): three sites add their own, three run without.

Each form is an XLSForm kept here as a markdown table and read by the same reader as ``coprod questions
add``. Answers are made up, deterministically, as if partners filled the form in after some meetings.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from ..questions.answers import complete
from ..questions.library import checksum
from ..questions.xlsform import read_xlsform_text


@dataclass(frozen=True)
class SiteQuestions:
    name: str
    month_added: int  # months after the site's start
    form: str  # an XLSForm as a markdown table
    answers: tuple[dict, ...]  # one per set of answers, in order, a month apart


SALTMERE = """
| survey |
|  | type | name | label | hint | required | constraint | constraint_message | relevant |
|  | date | met_on | When did the group meet? |  | yes | . <= today() | The date cannot be in the future. |  |
|  | integer | came | How many people came? |  | yes | . >= 0 and . <= 60 | Enter a number from 0 to 60. |  |
|  | select_one yesno | tried_breathing | Did anyone try a new breathing exercise at home? |  |  |  |  | ${came} > 0 |
|  | range | confidence | How confident do people feel on a bad day? | 1 = not at all, 5 = very | | | | ${came} > 0 |
|  | text | what_helped | What helped most? |  |  |  |  | ${came} > 0 |
| choices |
|  | list_name | name | label |
|  | yesno | yes | Yes |
|  | yesno | no | No |
| settings |
|  | form_title | version |
|  | Breathlessness group check-in | 1 |
"""

BRACKENFORD = """
| survey |
|  | type | name | label | required | constraint | constraint_message | relevant | calculation |
|  | date | ward_visit | Date of the ward visit | yes | . <= today() | The date cannot be in the future. |  |  |
|  | integer | doses_due | Parkinson's doses due during the visit | yes | . >= 0 | Enter 0 or more. |  |  |
|  | integer | doses_on_time | Of those, on time | yes | . <= ${doses_due} | At most the doses due. |  |  |
|  | select_multiple reasons | late_reasons | Why were doses late? |  |  |  | ${doses_on_time} < ${doses_due} |  |
|  | calculate | on_time_share | Share on time (per cent) |  |  |  |  | SHARE |
| choices |
|  | list_name | name | label |
|  | reasons | drug_round | Waiting for the drug round |
|  | reasons | not_stocked | Medicine not stocked on the ward |
|  | reasons | nil_by_mouth | Nil by mouth, no alternative given |
|  | reasons | other | Another reason |
""".replace("SHARE", "if(${doses_due} > 0, round(${doses_on_time} * 100 div ${doses_due}), '')")

OXBOROUGH = """
| survey |
|  | type | name | label::English (en) | label::Cymraeg (cy) | required |
|  | select_one week | week_home | Which week home is this? | Pa wythnos adref yw hon? | yes |
|  | select_one yesno | knew_who | Did you know who to call with a worry? | Oeddech chi'n gwybod pwy i'w ffonio? | yes |
|  | text | one_change | One thing that would have made the week easier | Un peth fyddai wedi helpu | |
| choices |
|  | list_name | name | label::English (en) | label::Cymraeg (cy) |
|  | week | w1 | First week | Wythnos gyntaf |
|  | week | w2 | Second week | Ail wythnos |
|  | week | w3 | Third week or later | Trydedd wythnos neu wedyn |
|  | yesno | yes | Yes | Do |
|  | yesno | no | No | Naddo |
"""

SITE_QUESTIONS: dict[str, SiteQuestions] = {
    "Saltmere": SiteQuestions("Breathlessness group check-in", 4, SALTMERE, ()),
    "Brackenford": SiteQuestions("Ward visit: medicines on time", 3, BRACKENFORD, ()),
    "Oxborough": SiteQuestions("First weeks home", 5, OXBOROUGH, ()),
}


def demo_question_sets(site_name: str, start: dt.date) -> tuple[dict, list[dict]] | None:
    """The site's question set (a question_set record's values, site_id left out) and its answers, or None."""
    spec = SITE_QUESTIONS.get(site_name)
    if spec is None:
        return None
    form = read_xlsform_text(spec.form, name=spec.name)
    definition = form.to_json()
    added = _months_after(start, spec.month_added)
    question_set = {
        "name": spec.name,
        "version": 1,
        "source": f"{spec.name.lower().replace(' ', '-').replace(':', '')}.md",
        "checksum": checksum(definition),
        "definition": definition,
        "added": added,
    }
    rng = random.Random(f"coprod demo questions {site_name}")
    answers = []
    for number in range(6):
        day = _months_after(start, spec.month_added + number)
        raw = ANSWERS[site_name](rng, day)
        answers.append({"date": day, "answers": complete(form, raw, today=day)})
    return question_set, answers


def _months_after(start: dt.date, months: int) -> dt.date:
    return start + dt.timedelta(days=round(months * 30.4) + 7)


def _saltmere(rng: random.Random, day: dt.date) -> dict:
    came = rng.randint(4, 14)
    helped = rng.choice(["Pacing the stairs", "Hearing how others cope", "The fan trick", "Breathing out slowly"])
    return {
        "met_on": day.isoformat(),
        "came": came,
        "tried_breathing": rng.choice(["yes", "yes", "no"]),
        "confidence": rng.randint(2, 5),
        "what_helped": helped,
    }


def _brackenford(rng: random.Random, day: dt.date) -> dict:
    due = rng.randint(6, 14)
    on_time = rng.randint(due // 2, due)
    reasons = sorted(rng.sample(["drug_round", "not_stocked", "nil_by_mouth", "other"], k=rng.randint(1, 2)))
    answers = {"ward_visit": day.isoformat(), "doses_due": due, "doses_on_time": on_time}
    if on_time < due:
        answers["late_reasons"] = reasons
    return answers


def _oxborough(rng: random.Random, day: dt.date) -> dict:
    change = rng.choice(["A named nurse to ring", "Someone to help with the stairs", "", "Knowing the therapy dates"])
    week, knew = rng.choice(["w1", "w2", "w3"]), rng.choice(["yes", "no", "yes"])
    return {"week_home": week, "knew_who": knew, "one_change": change}


ANSWERS = {"Saltmere": _saltmere, "Brackenford": _brackenford, "Oxborough": _oxborough}
