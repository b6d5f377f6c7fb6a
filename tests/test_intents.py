"""Urgent queries: thoughts of suicide, overdoses and their signs, poisonings; what they pin and print."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrfind.human import CRISIS, EMERGENCY, POISON
from hrfind.intents import OVERDOSE, POISONING, SUICIDE, intents

SUICIDAL = ["i dont want to be alive anymore", "I want to die", "thinking about killing myself", "suicidal thoughts",
            "i wanna end it all", "thinking about ending it", "self harm", "i cant go on anymore",
            "no point in living", "everyone would be better off without me", "thinking about ending things", "no reason to live", "I don't want to wake up tomorrow"]
POISONINGS = ["kid swallowed pills", "toddler ate my suboxone", "my 2 year old drank bleach", "baby chewed a fentanyl patch",
              "breathed in chemical fumes", "poison help", "swallowed a button battery",
              "the baby got into my pills", "my 3yo got into the edibles", "gave my son a double dose of medicine",
              "the baby swallowed a coin", "mi nino se trago algo"]  # a child who swallowed anything
OVERDOSES = ["overdose", "my friend is ODing", "he won't wake up", "she is not breathing", "lips turning blue",
             "he fell out in the bathroom", "ovedrose",
             "friend passed out and her lips are blue", "he is unconscious after a shot"]
NEITHER = ["naloxone", "my son is drinking too much", "need to talk to someone about my drinking", "got into drugs", "my son got into drugs at school", "my kid is eating too much",
           "fentanyl test strips", "where can i get clean needles", "dose", "dying to know", "the who"]


@pytest.mark.parametrize("query", SUICIDAL)
def test_thoughts_of_suicide(query):
    assert intents(query)[0] == SUICIDE


@pytest.mark.parametrize("query", POISONINGS)
def test_poisonings(query):
    assert POISONING in intents(query)


@pytest.mark.parametrize("query", OVERDOSES)
def test_overdoses_and_their_signs(query):
    assert OVERDOSE in intents(query)


@pytest.mark.parametrize("query", NEITHER)
def test_ordinary_questions_are_not_urgent(query):
    assert intents(query) == []


def test_most_urgent_first():
    assert intents("i want to overdose and die") == [SUICIDE, OVERDOSE]
    assert intents("my kid swallowed pills and won't wake up") == [OVERDOSE, POISONING]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_read_safely(query):
    assert set(intents(query)) <= {SUICIDE, OVERDOSE, POISONING}


# --- through the command ------------------------------------------------------------------

def first(cli, query):
    result = cli("search", query, "--json")
    return json.loads(result.stdout)[0]["id"] if result.exit_code == 0 else None


@pytest.mark.parametrize("query", ["kid swallowed pills", "toddler ate my suboxone", "my 2 year old drank bleach"])
def test_poisoning_questions_put_poison_control_first(cli, query):
    assert first(cli, query) == "poison-control"


@pytest.mark.parametrize("query", ["i dont want to be alive anymore", "thinking about killing myself"])
def test_suicide_questions_put_988_first(cli, query):
    assert first(cli, query) == "lifeline-988"


@pytest.mark.parametrize("query", ["friend wont wake up", "ODing", "he fell out", "my friend overdosed"])
def test_signs_of_an_overdose_put_the_emergency_page_first(cli, query):
    assert first(cli, query) == "overdose-response"


def test_a_record_the_query_names_plainly_comes_before_the_emergency_page(cli):
    hits = json.loads(cli("search", "canada overdose response line", "--json").stdout)
    assert [h["id"] for h in hits[:2]] == ["nors-canada", "overdose-response"]
    assert first(cli, "naloxone overdose") == "overdose-response"  # naloxone alone does not outscore it plainly


def test_the_lines_printed_above_the_results_on_a_terminal(cli):
    env = {"NO_COLOR": "1"}
    crisis = cli("search", "i want to die", tty=True, env=env).stdout
    assert crisis.startswith(CRISIS[:40]) and "988" in CRISIS
    poison = cli("search", "kid swallowed pills", tty=True, env=env).stdout
    assert poison.startswith(POISON[:40]) and "1-800-222-1222" in POISON and "911" in POISON
    both = cli("search", "i want to overdose and die", tty=True, env=env).stdout
    assert both.index(CRISIS[:40]) < both.index(EMERGENCY[:40])
    assert CRISIS[:40] not in cli("search", "i want to die", "--plain").stdout


@pytest.mark.parametrize("query", ["dui lawyer near me", "medical marijuana card"])
def test_questions_outside_harm_reduction_find_nothing(cli, query):
    result = cli("search", query, "--json")
    assert result.exit_code == 1 and result.stdout == "[]\n"
