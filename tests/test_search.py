"""Text search: normalisation, typos, aliases, weights, tie-breaks and the overdose rule."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from hrfind import catalog
from hrfind.model import Offer, Service, Strategy
from hrfind.intents import about_overdose, intents
from hrfind.search import query_words, resolve_offer, search
from hrfind.text import normalize, stem

OFFERS = {
    "naloxone": Offer(id="naloxone", label="Naloxone (Narcan)", aliases=["narcan", "overdose reversal kit"]),
    "syringe-services": Offer(id="syringe-services", label="Syringe services", aliases=["needle exchange"]),
}


def strategy(record_id, title, **fields):
    return Strategy(id=record_id, title=title, summary=fields.pop("summary", "A summary."), **fields)


def ids(hits):
    return [h.record.id for h in hits]


def test_normalize_folds_case_accents_and_punctuation():
    assert normalize("  Naloxóne, NARCAN!  (4mg)") == "naloxone narcan 4mg"
    assert normalize("ﬁnd") == "find"
    assert normalize("naïve—café") == "naive cafe"


def test_stem_folds_plurals():
    assert [stem(w) for w in ("strips", "signs", "class", "virus", "crisis", "gas")] == ["strip", "sign", "class", "virus", "crisis", "gas"]


def test_stem_folds_verb_endings_onto_the_same_form():
    for forms in (("dose", "dosing", "dosed", "doses"), ("inject", "injecting", "injected", "injects"),
                  ("overdose", "overdosing", "overdosed", "overdoses"), ("nod", "nodding", "nodded"),
                  ("test", "testing", "tested", "tests"), ("breathe", "breathing", "breathed")):
        assert len({stem(w) for w in forms}) == 1, forms


def test_stem_leaves_short_words_and_false_endings():
    assert [stem(w) for w in ("using", "use", "speed", "need", "bring", "gas")] == ["using", "use", "speed", "need", "bring", "gas"]


def test_stop_words_are_dropped_before_endings_are_folded():
    assert query_words("does it work") == ["work"]  # "does" is a stop word, not "doe"
    assert query_words("where can i get narcan") == ["narcan"]


def test_use_and_using_count_low_but_stay():
    from hrfind.search import query_terms

    terms = {t.word: t.weight for t in query_terms("using alone")}
    assert terms["alon"] == 1.0 and 0 < terms["using"] < 1.0


def test_a_whole_word_is_not_the_start_of_a_longer_one():
    records = [strategy("needles", "Clean needles"), strategy("help", "Help", body="If you need help, ask.")]
    assert ids(search(records, {}, "need")) == ["help"]
    assert ids(search(records, {}, "needl")) == ["needles"]  # a word being typed still finds its end


def test_a_short_word_that_only_looks_like_another_counts_little():
    records = [strategy("layers", "Layers of care"), strategy("naloxone", "Naloxone")]
    assert ids(search(records, {}, "naloxnoe")) == ["naloxone"]
    assert search(records, {}, "lawyer")[0].score < 0.6 * search(records, {}, "naloxnoe")[0].score


def test_a_query_with_an_unknown_word_needs_a_convincing_answer():
    records = [strategy("layers", "Layers of care", summary="Layer on layer."), strategy("wound-care", "Wound care"),
               strategy("naloxone", "Naloxone", aliases=["narcan"])]
    assert not search(records, {}, "dui lawyer near me")
    assert not search(records, {}, "medical marijuana card")
    assert ids(search(records, {}, "narcan spray thingy"))[0] == "naloxone"


def test_query_of_only_unmatched_words_falls_back_to_all_words():
    records = [strategy("the-who", "The Who")]
    assert ids(search(records, {}, "the who")) == ["the-who"]


def test_query_words_drop_stop_words_unless_that_is_all():
    assert query_words("how to use the nasal spray") == ["use", "nasal", "spray"]
    assert query_words("my friend won't wake up") == [stem("friend"), stem("wake"), "up"]
    assert query_words("the") == ["the"]


def test_title_beats_summary_beats_body():
    records = [
        strategy("in-body", "Alpha", body="xylazine is here"),
        strategy("in-summary", "Beta", summary="xylazine is here"),
        strategy("in-title", "Xylazine"),
    ]
    assert ids(search(records, {}, "xylazine")) == ["in-title", "in-summary", "in-body"]


def test_alias_and_offer_expansion():
    records = [
        strategy("naloxone", "Naloxone", aliases=["narcan"]),
        strategy("syringe-services", "Syringe services", offers=["syringe-services"]),
        Service(id="van", name="Harbor van", offers=["naloxone"]),
    ]
    assert ids(search(records, OFFERS, "narcan"))[0] == "naloxone"
    assert ids(search(records, OFFERS, "needle exchange")) == ["syringe-services"]
    assert "van" in ids(search(records, OFFERS, "narcan"))


def test_typos_still_find_the_record():
    records = [strategy("naloxone", "Naloxone"), strategy("syringe-services", "Syringe services"), strategy("other", "Other things")]
    assert ids(search(records, {}, "nalaxone"))[0] == "naloxone"
    assert ids(search(records, {}, "nalxone"))[0] == "naloxone"
    assert ids(search(records, {}, "syrnge"))[0] == "syringe-services"
    assert search(records, {}, "qqqzzz") == []


def test_exact_alias_outranks_a_fuzzy_title():
    records = [strategy("sample-principle", "A sample principle"), strategy("tool", "Tool", aliases=["sampler"])]
    assert ids(search(records, {}, "sampler"))[0] == "tool"


def test_ties_break_by_id():
    records = [strategy(i, "Same title") for i in ("c-record", "a-record", "b-record")]
    hits = search(records, {}, "same title")
    assert ids(hits) == ["a-record", "b-record", "c-record"]
    assert len({h.score for h in hits}) == 1


def test_scores_are_between_0_and_100_and_full_title_is_100():
    hits = search([strategy("x", "Fentanyl test strips")], {}, "fentanyl test strips")
    assert hits[0].score == 100.0


def test_overdose_queries_put_emergency_records_first():
    records = [
        strategy("overdose-response", "Respond", emergency=True),
        strategy("overdose-facts", "Overdose overdose facts"),
    ]
    assert ids(search(records, {}, "overdose"))[0] == "overdose-response"
    assert ids(search(records, {}, "OD"))[0] == "overdose-response"
    assert about_overdose("my friend is overdosing") and about_overdose("ovedrose")
    assert not about_overdose("naloxone") and not about_overdose("dose")


def test_offer_filter_and_limit():
    records = [strategy("a", "Kit a", offers=["naloxone"]), strategy("b", "Kit b"), strategy("c", "Kit c", offers=["naloxone"])]
    assert ids(search(records, OFFERS, "kit", offer="naloxone")) == ["a", "c"]
    assert len(search(records, OFFERS, "kit", limit=1)) == 1


def test_resolve_offer_accepts_ids_labels_and_aliases():
    assert resolve_offer(OFFERS, "narcan") == "naloxone"
    assert resolve_offer(OFFERS, "Needle  Exchange") == "syringe-services"
    assert resolve_offer(OFFERS, "naloxone (narcan)") == "naloxone"


def test_bundled_queries_people_type():
    loaded = catalog.load(catalog.layers(env={}))
    records = loaded.records()
    expectations = {
        "narcan": "naloxone",
        "needle exchange": "syringe-services",
        "nalaxone": "naloxone",
        "syrnge": "syringe-services",
        "fentanyl test strips": "drug-checking",
    }
    for query, expected in expectations.items():
        assert expected in ids(search(records, loaded.offers, query, limit=3)), query


RECORDS = [strategy("naloxone", "Naloxone", aliases=["narcan"], body="Give it fast."), Service(id="van", name="Harbor van", summary="Fictional.")]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_query_is_safe_and_well_ordered(query):
    hits = search(RECORDS, OFFERS, query)
    assert all(0 <= h.score <= 100 for h in hits)
    if not intents(query):
        from hrfind.search import Index
        from hrfind.store import build

        store = build.memory_store([*RECORDS, *OFFERS.values()])
        named = {store.record(n).id for n in Index(store).named(query)}
        keys = [(-h.score, h.record.id not in named, h.record.id) for h in hits]
        assert keys == sorted(keys)


def test_among_equal_scores_the_record_the_query_names_comes_first():
    records = [strategy("a-first-by-id", "Drug facts"), strategy("supply", "Supply", aliases=["what's in the drugs"])]
    assert ids(search(records, {}, "what's in the drugs")) == ["supply", "a-first-by-id"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Mn", "Pc", "Pd", "Zs"]), max_size=40))
def test_normalize_is_idempotent_and_case_blind(text):
    once = normalize(text)
    assert normalize(once) == once
    assert normalize(text.upper()) == normalize(text.lower()) or "ß" in text.lower() or "ı" in text.lower() or "ſ" in text.lower()


def test_index_vocabulary_covers_every_field():
    from hrfind.store import build

    store = build.memory_store([strategy("x", "Title", aliases=["alias"], body="body", steps=["stepword"], offers=["naloxone"]), *OFFERS.values()])
    assert all(store.has_word(stem(w)) for w in ("title", "alias", "body", "stepword", "narcan", "strategy"))


NALOXONE_PLACE = '''
[[service]]
id = "naloxone-pregnancy-clinic-baltimore"
name = "Naloxone and Pregnancy Clinic"
summary = "Listed as opioid treatment program (methadone). No hours listed: call ahead."
offers = ["methadone"]
access = ["in-person"]
verified = 2021-07-01
sources = [{ title = "SAMHSA OTP directory", url = "https://findtreatment.gov", publisher = "SAMHSA", date = "2021-07" }]
address = { street = "1 Main St", city = "Baltimore", region = "MD", postal_code = "21201", country = "US" }
lat = 39.29
lon = -76.62
'''


def test_knowledge_first_places_only_when_asked(tmp_path):
    from hrfind import catalog
    from hrfind.search import search_catalog

    place = tmp_path / "places.toml"
    place.write_text(NALOXONE_PLACE, encoding="utf-8")
    loaded = catalog.load(catalog.layers([place], env={}, user=tmp_path / "none"), use_cache=False)
    ids = lambda query, **kw: [h.record.id for h in search_catalog(loaded, query, **kw)]
    # A place named by a question's words is not an answer to it: the guidance, and no place.
    assert ids("naloxone")[0] == "naloxone" and "naloxone-pregnancy-clinic-baltimore" not in ids("naloxone")
    assert "naloxone-pregnancy-clinic-baltimore" not in ids("pregnancy")
    # A place word, --kind service or --offers asks for places: they come, after every other match.
    asked = ids("naloxone clinic")
    assert asked[-1] == "naloxone-pregnancy-clinic-baltimore" and "naloxone" in asked
    assert "naloxone-pregnancy-clinic-baltimore" in ids("naloxone", kinds=("service",))
    assert ids("naloxone facilities")[-1] == "naloxone-pregnancy-clinic-baltimore"  # words are compared folded
    assert "naloxone-pregnancy-clinic-baltimore" not in ids("naloxone near me")  # "near" alone does not ask
    assert ids("pregnancy", offer="methadone") == ["naloxone-pregnancy-clinic-baltimore"]
    # --offers moud finds a place listed under any one of the three medicines, as services does.
    moud = ids("pregnancy", offer="moud")
    assert moud[0] == "pregnancy-postpartum" and moud[-1] == "naloxone-pregnancy-clinic-baltimore"
