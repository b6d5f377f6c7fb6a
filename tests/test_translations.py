"""Languages (issue 13): choosing one, translations in data files and their checks, the Spanish
views and JSON, and Spanish search."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, strategies as st

from hrfind import i18n
from hrfind.check import DIGITS, build_records, translated
from hrfind.model import Strategy, Translation

# --- choosing the language --------------------------------------------------------------------


@pytest.mark.parametrize("option,environ,expected", [
    (None, {}, "en"),
    ("es", {}, "es"),
    ("ES", {}, "es"),
    ("es-US", {}, "es"),
    ("es.UTF-8", {}, "es"),                                     # as a locale is written, like LANG
    (None, {"HRFIND_LANG": "es@euro"}, "es"),
    ("en", {"HRFIND_LANG": "es"}, "en"),                       # the option before the variable
    (None, {"HRFIND_LANG": "es", "LANG": "en_US.UTF-8"}, "es"),  # the variable before the locale
    (None, {"LANG": "es_US.UTF-8"}, "es"),
    (None, {"LANG": "es_MX"}, "es"),
    (None, {"LC_ALL": "en_US.UTF-8", "LANG": "es_US.UTF-8"}, "en"),  # LC_ALL first, as POSIX reads it
    (None, {"LC_MESSAGES": "es_ES.UTF-8", "LANG": "en_US"}, "es"),
    (None, {"LC_ALL": "", "LC_MESSAGES": "es_ES"}, "es"),        # an empty variable is not set
    (None, {"LANG": "fr_FR.UTF-8"}, "en"),                     # a locale only suggests
    (None, {"LANG": "C"}, "en"),
    (None, {"HRFIND_LANG": " "}, "en"),
])
def test_the_language_is_the_option_then_the_variable_then_the_locale(option, environ, expected):
    assert i18n.choose(option, environ) == expected


@pytest.mark.parametrize("option,environ", [("xx", {}), (None, {"HRFIND_LANG": "fr"})])
def test_a_language_hrfind_does_not_have_is_refused_naming_the_ones_it_has(option, environ):
    with pytest.raises(ValueError, match=r"en \(English\), es \(español\)"):
        i18n.choose(option, environ)


def test_a_very_long_unknown_language_is_quoted_short():
    with pytest.raises(ValueError) as raised:
        i18n.choose("e" * 5000, {})
    assert len(str(raised.value)) < 120 and "eee..." in str(raised.value)


def test_lang_xx_exits_2_listing_the_languages(cli):
    result = cli("--lang", "xx", "search", "naloxone")
    assert result.exit_code == 2 and result.stdout == ""
    assert "en (English), es (español)" in result.stderr
    assert cli("search", "naloxone", env={"HRFIND_LANG": "klingon"}).exit_code == 2


@pytest.mark.parametrize("args,env", [(("--lang", "xx", "overdose"), None), (("od",), {"HRFIND_LANG": "fr"}),
                                      (("911", "--lang", "español"), None)])
def test_a_language_hrfind_does_not_have_never_hides_the_emergency_page(cli, args, env):
    # A French speaker's HRFIND_LANG=fr, set long ago, must not stand between anyone and the steps.
    result = cli(*args, env=env)
    assert "CALL 911 NOW" in result.stdout and "7. " in result.stdout
    assert result.exit_code == 2 and "en (English), es (español)" in result.stderr


def test_lang_goes_before_or_after_the_command(cli):
    before = cli("--lang", "es", "show", "naloxone", "--plain").stdout
    after = cli("show", "naloxone", "--plain", "--lang", "es").stdout
    assert before == after and "Naloxona" in before


def test_one_run_in_spanish_does_not_make_the_next_spanish(cli):
    assert "LLAME AL 911" in cli("--lang", "es", "overdose").stdout
    assert "CALL 911 NOW" in cli("overdose").stdout


# --- the emergency page -----------------------------------------------------------------------


def test_spanish_emergency_page_is_laid_out_as_the_english_one(cli):
    english = cli("overdose").stdout.splitlines()
    spanish = cli("--lang", "es", "overdose").stdout.splitlines()
    assert spanish[2] == "LLAME AL 911 AHORA." and english[2] == "CALL 911 NOW."
    steps = [line for line in spanish if re.match(r"\d\. ", line)]
    assert [s[:3] for s in steps] == [f"{n}. " for n in range(1, 8)]
    assert spanish.index(steps[-1]) < 24  # every step on the first screen of a piped page, as in English
    assert "(en inglés)" not in "\n".join(spanish[:12])
    assert not re.search(r"\x1b\[", "\n".join(spanish))  # piped: no colour


def test_spanish_emergency_page_on_a_terminal_has_911_and_every_step_first(cli):
    out = cli("--lang", "es", "overdose", "--color", "never", tty=True, env={"COLUMNS": "80", "LINES": "24"}).stdout
    first = "\n".join(out.splitlines()[:24])
    assert "LLAME AL 911 AHORA" in first
    assert all(f"{n}." in first for n in range(1, 8))


def test_emergency_json_is_spanish_with_the_same_keys_and_numbers(cli):
    english = json.loads(cli("overdose", "--json").stdout)
    spanish = json.loads(cli("--lang", "es", "overdose", "--json").stdout)
    assert [list(r) for r in english] == [list(r) for r in spanish]
    assert [r["id"] for r in english] == [r["id"] for r in spanish]
    assert spanish[0]["lang"] == "es" and english[0]["lang"] == "en"
    for mine, theirs in zip(spanish[0]["steps"], english[0]["steps"]):
        assert sorted(DIGITS.findall(mine)) == sorted(DIGITS.findall(theirs))
    assert [r.get("phone") for r in english] == [r.get("phone") for r in spanish]


# --- translations in data files -----------------------------------------------------------------

STEPS = ["Call 911.", "Give 1 dose; wait 2-3 minutes."]
RECORD = Strategy(id="demo", title="Demo", summary="Call 988 or 1-800-662-4357.", steps=STEPS, body="Since 2023.")


def _translation(**fields) -> Translation:
    return Translation("es", "strategy", "demo", "es.toml", 0, fields)


def test_a_translation_replaces_text_and_adds_aliases_and_sources_first():
    source = {"title": "Fuente", "url": "https://www.cdc.gov/es/x.html", "publisher": "CDC"}
    record, problems = translated(RECORD, _translation(title="Demostración", summary="Llame al 988 o al 1-800-662-4357.",
                                                       steps=["Llame al 911.", "Dé 1 dosis; espere 2-3 minutos."],
                                                       aliases=["demo es"], sources=[source]))
    assert problems == [] and record.lang == "es" and record.title == "Demostración"
    assert record.body == "Since 2023."  # a field not translated stays English
    assert record.aliases == ["demo es"] and record.sources[0].url == source["url"]


@pytest.mark.parametrize("fields,field,says", [
    ({"summary": "Llame al 989 o al 1-800-662-4357."}, "summary", "numbers"),
    ({"steps": ["Llame al 911."]}, "steps", "the strategy has 2"),
    ({"steps": ["Llame al 112.", "Dé 1 dosis; espere 2-3 minutos."]}, "steps[0]", "numbers"),
    ({"body": "Desde 2024."}, "body", "numbers"),
    ({"summary": "Llame al 988 o al 1-800-662-4357. https://example.org"}, "summary", "web addresses"),
])
def test_a_translation_whose_numbers_differ_is_reported_and_english_is_used(fields, field, says):
    record, problems = translated(RECORD, _translation(**fields))
    assert record is None
    assert [p.field for p in problems][0] == field and says in problems[0].message
    assert "English text is used" in problems[0].message and problems[0].file == "es.toml"


def test_a_translation_whose_id_is_not_a_string_says_so_not_that_it_is_missing():
    _, problems = build_records("es.toml", {"lang": "es", "strategy": [{"id": 7, "title": "Siete"}]})
    assert [(p.field, p.message.split(";")[0]) for p in problems] == [("id", "expected a string, got 7")]


def test_a_record_put_in_a_lang_file_is_told_where_a_new_record_goes():
    _, problems = build_records("es/harbor.toml", {"lang": "es", "service": [
        {"id": "harbor-van", "name": "Furgoneta", "phone": "410-555-0142"}]})
    assert [p.field for p in problems] == ["phone"]
    assert 'a new record goes in a file without lang = "es"' in problems[0].message


def test_a_blank_step_or_alias_in_a_translation_is_reported():
    found, problems = build_records("es.toml", {"lang": "es", "strategy": [
        {"id": "demo", "steps": ["Llame al 911.", "  "], "aliases": ["", "demo"]}]})
    assert found == [] and {p.field for p in problems} == {"steps[1]", "aliases[0]"}


def test_a_translation_of_only_invisible_characters_is_empty():
    # The view cleans control and bidi characters away: this title would show as nothing.
    found, problems = build_records("es.toml", {"lang": "es", "principle": [
        {"id": "demo", "title": "\u200b\u202e\u0007", "summary": "\u00a0\u2060", "body": "Texto."}]})
    assert found == [] and {(p.field, p.message.split(";")[0]) for p in problems} == {("title", "is empty"), ("summary", "is empty")}


def test_numbers_swapped_in_a_translation_are_caught():
    # The same numbers, in another order, make another dose.
    record, problems = translated(RECORD, _translation(steps=["Llame al 911.", "Dé 2 dosis; espere 1-3 minutos."]))
    assert record is None and problems[0].field == "steps[1]" and "2 1 3" in problems[0].message


def test_a_translated_field_the_record_does_not_have_is_reported():
    bare = Strategy(id="demo", title="Demo", summary="x")
    record, problems = translated(bare, _translation(body="Cuerpo"))
    assert record is None and problems[0].field == "body" and "has no body" in problems[0].message


def test_a_translation_file_is_checked_on_its_own():
    found, problems = build_records("es.toml", {"lang": "es", "strategy": [
        {"id": "demo", "title": "Demostración"},
        {"id": "other", "phone": "988"},              # not translatable
        {"title": "sin id"},                            # no id
        {"id": "late", "reviewed": "2026-01-01"},       # a quoted date
    ]})
    assert [t.id for t in found] == ["demo"]
    assert {(p.index, p.field) for p in problems} == {(1, "phone"), (2, "id"), (3, "reviewed")}
    assert all("translation was skipped" in p.message for p in problems)


@pytest.mark.parametrize("lang", ["en", "xx", 3])
def test_a_translation_file_in_a_language_hrfind_does_not_speak_is_skipped(lang):
    found, problems = build_records("fr.toml", {"lang": lang, "strategy": [{"id": "demo", "title": "x"}]})
    assert found == [] and problems[0].field == "lang"


@given(st.lists(st.integers(min_value=0, max_value=99999), min_size=1, max_size=5), st.integers(0, 4), st.integers(1, 9))
def test_any_changed_number_is_caught(numbers, which, bump):
    english = "Call " + " then ".join(map(str, numbers)) + "."
    changed = list(numbers)
    changed[which % len(numbers)] += bump
    record, problems = translated(Strategy(id="demo", title="Demo", summary=english),
                                  _translation(summary="Llame " + " y ".join(map(str, changed)) + "."))
    assert record is None and problems


@pytest.fixture
def layer(tmp_path):
    folder = tmp_path / "mine"
    (folder / "es").mkdir(parents=True)
    (folder / "van.toml").write_text('''
[[service]]
id = "harbor-van"
name = "Harbor Outreach Van (fictional)"
summary = "Free naloxone. Call 410-555-0142."
offers = ["naloxone"]
access = ["mobile", "phone"]
phone = "410-555-0142"
coverage = ["US-MD"]
''', encoding="utf-8")
    return folder


def test_a_users_layer_may_translate_its_own_and_bundled_records(cli, layer):
    (layer / "es" / "van.toml").write_text('''lang = "es"
[[service]]
id = "harbor-van"
name = "Furgoneta de Harbor (ficticia)"
summary = "Naloxona gratis. Llame al 410-555-0142."
aliases = ["furgoneta"]

[[strategy]]
id = "naloxone"
title = "Naloxona: mi propia traducción"
''', encoding="utf-8")
    out = cli("--data", layer, "--lang", "es", "show", "harbor-van", "--plain").stdout
    assert "Furgoneta de Harbor" in out
    assert "Naloxona: mi propia traducción" in cli("--data", layer, "--lang", "es", "show", "naloxone", "--plain").stdout
    # found by its Spanish alias in any language, shown in English without --lang es
    hits = cli("--data", layer, "search", "furgoneta", "--json")
    assert json.loads(hits.stdout)[0]["id"] == "harbor-van" and json.loads(hits.stdout)[0]["lang"] == "en"
    assert cli("--data", layer, "validate").exit_code == 0


def test_a_broken_translation_is_reported_by_file_id_and_field_and_english_is_used(cli, layer):
    (layer / "es" / "van.toml").write_text('''lang = "es"
[[service]]
id = "harbor-van"
summary = "Naloxona gratis. Llame al 410-555-0143."

[[service]]
id = "no-such-service"
name = "Nada"
''', encoding="utf-8")
    result = cli("--data", layer, "validate")
    assert result.exit_code == 3
    assert re.search(r'es/van\.toml: service\[0\] "harbor-van": summary: has the numbers .*English text is used', result.stdout)
    assert re.search(r'es/van\.toml: service\[1\] "no-such-service": id: no service has the id', result.stdout)
    shown = cli("--data", layer, "--lang", "es", "show", "harbor-van")  # piped: the record as text
    assert "Free naloxone. Call 410-555-0142." in shown.stdout and "(en inglés)" in shown.stdout
    assert "0143" in shown.stderr and "warning" in shown.stderr  # on stderr


def test_a_translation_of_a_record_a_later_layer_replaced_is_not_shown_for_it(cli, layer):
    # The user's own text, with the same numbers as the bundled one: the bundled Spanish says something else.
    (layer / "gs.toml").write_text('''[[strategy]]
id = "good-samaritan"
title = "Good Samaritan law in Maryland"
summary = "Call 911: Maryland's law protects you from arrest for possession."
''', encoding="utf-8")
    shown = cli("--data", layer, "--lang", "es", "show", "good-samaritan")
    assert shown.stdout.splitlines()[0] == "Good Samaritan law in Maryland (en inglés)"
    assert "bundled:es" not in shown.stderr  # nothing the user cannot fix
    (layer / "es" / "gs.toml").write_text('''lang = "es"
[[strategy]]
id = "good-samaritan"
title = "La ley del Buen Samaritano en Maryland"
summary = "Llame al 911: la ley de Maryland le protege de un arresto por posesión."
''', encoding="utf-8")
    shown = cli("--data", layer, "--lang", "es", "show", "good-samaritan")
    assert shown.stdout.splitlines()[0] == "La ley del Buen Samaritano en Maryland" and shown.stderr == ""


def test_two_translations_of_one_record_in_one_layer_are_reported_and_the_first_is_kept(cli, layer):
    (layer / "es" / "van.toml").write_text('''lang = "es"
[[service]]
id = "harbor-van"
name = "Furgoneta uno"

[[service]]
id = "harbor-van"
name = "Furgoneta dos"
''', encoding="utf-8")
    result = cli("--data", layer, "validate")
    assert result.exit_code == 3
    assert re.search(r'es/van\.toml: service\[1\] "harbor-van": id: duplicate translation, also in .*es/van\.toml', result.stdout)
    assert "Furgoneta uno" in cli("--data", layer, "--lang", "es", "show", "harbor-van", "--plain").stdout


def test_a_broken_translation_says_which_text_is_shown_instead(cli, layer):
    # A later layer's translation is broken: the bundled Spanish stays, and the warning says so, not "English".
    (layer / "es" / "988.toml").write_text('''lang = "es"
[[service]]
id = "lifeline-988"
summary = "Llame al 989."
''', encoding="utf-8")
    shown = cli("--data", layer, "--lang", "es", "show", "lifeline-988", "--plain")
    assert "Línea de Prevención del Suicidio" in shown.stdout
    assert "989" in shown.stderr and "the translation in bundled:es/services.toml is used" in shown.stderr
    assert "English text is used" not in shown.stderr


def test_a_later_layers_translation_of_some_fields_keeps_the_earlier_ones_spanish(cli, layer):
    # A user's Spanish title for naloxone must not put the steps back in English.
    (layer / "es" / "nal.toml").write_text('''lang = "es"
[[strategy]]
id = "naloxone"
title = "Naloxona: mi título"
''', encoding="utf-8")
    shown = cli("--data", layer, "--lang", "es", "show", "naloxone", "--json")
    record = json.loads(shown.stdout)[0]
    english = json.loads(cli("show", "naloxone", "--json").stdout)[0]
    spanish = json.loads(cli("--lang", "es", "show", "naloxone", "--json").stdout)[0]
    assert record["title"] == "Naloxona: mi título" and record["lang"] == "es"
    assert record["steps"] == spanish["steps"] != english["steps"] and record["summary"] == spanish["summary"]


def test_no_bundled_leaves_out_the_bundled_translations_too(cli, layer):
    result = cli("--no-bundled", "--data", layer, "--lang", "es", "validate")
    assert result.exit_code == 0, result.stdout


# --- the human view and JSON ------------------------------------------------------------------


def test_a_record_without_spanish_is_marked_en_ingles_never_silently(cli):
    out = cli("--lang", "es", "show", "hepatitis-c").stdout
    assert out.splitlines()[0].endswith("(en inglés)")
    assert json.loads(cli("--lang", "es", "show", "hepatitis-c", "--json").stdout)[0]["lang"] == "en"


def test_spanish_labels_in_the_human_view(cli):
    out = cli("--lang", "es", "show", "lifeline-988", "--color", "never", tty=True).stdout
    assert "Teléfono" in out and "Fuentes" in out and "988" in out
    assert "Phone " not in out


def test_a_text_number_in_the_services_list_is_spanish(cli):
    out = cli("--lang", "es", "services", "--near", "21201", "--color", "never", tty=True, env={"COLUMNS": "100"}).stdout
    assert "988 / texto 988" in out and "text 988" not in out


def test_json_keys_and_ids_never_change_with_the_language(cli):
    english = json.loads(cli("search", "naloxone", "-n", "3", "--json").stdout)
    spanish = json.loads(cli("--lang", "es", "search", "naloxone", "-n", "3", "--json").stdout)
    assert [(r["id"], list(r)) for r in english] == [(r["id"], list(r)) for r in spanish]
    assert {r["lang"] for r in english} == {"en"} and spanish[0]["lang"] == "es"


def test_empty_results_say_so_in_spanish(cli):
    result = cli("--lang", "es", "search", "zzzzqqq")
    assert result.exit_code == 1 and "No se encontró nada" in result.stderr


def test_info_shows_the_language_and_what_has_it(cli):
    value = json.loads(cli("--lang", "es", "info", "--json").stdout)
    assert value["lang"] == "es"
    assert "overdose-response" in value["translations"]["es"]["strategy"]
    assert len(value["translations"]["es"]["principle"]) == 8


# --- Spanish search ---------------------------------------------------------------------------

@pytest.mark.parametrize("query,expected", [
    ("sobredosis", {"overdose-response"}),
    ("jeringas", {"syringe-services"}),
    ("tiras de prueba de fentanilo", {"drug-checking"}),
    ("línea de ayuda", {"samhsa-helpline", "lifeline-988", "poison-control"}),
    ("linea de ayuda", {"samhsa-helpline", "lifeline-988", "poison-control"}),
    ("heridas de xilacina", {"wound-care"}),
    ("dónde consigo naloxona", {"naloxone"}),
    ("donde consigo naloxona", {"naloxone"}),
    ("metadona", {"moud"}),
])
@pytest.mark.parametrize("lang", [None, "es"])
def test_spanish_queries_find_the_right_records_in_either_language(cli, query, expected, lang):
    args = ["--lang", lang] if lang else []
    hits = json.loads(cli(*args, "search", query, "-n", "3", "--json").stdout)
    assert expected & {h["id"] for h in hits}, [h["id"] for h in hits]


@pytest.mark.parametrize("query,first", [("jeringsa", "syringe-services"), ("geringas", "syringe-services"),
                                         ("xilasina", {"wound-care", "drug-checking"}), ("heridaz", "wound-care")])
def test_a_misspelt_spanish_word_is_forgiven_as_an_english_one_is(cli, query, first):
    # Alone, a typo is a word of neither language: "syrnges" found the syringe programs and "jeringsa" nothing.
    hits = json.loads(cli("search", query, "--json").stdout)
    assert hits and hits[0]["id"] in ({first} if isinstance(first, str) else first)


@pytest.mark.parametrize("query,first", [
    ("mi amigo no respira", "overdose-response"),
    ("me quiero morir", "lifeline-988"),
    ("mi hijo se tragó unas pastillas", "poison-control"),
])
def test_urgent_spanish_queries_put_their_record_first(cli, query, first):
    assert json.loads(cli("search", query, "--json").stdout)[0]["id"] == first


def test_spanish_small_words_alone_are_not_a_query_of_meaning(cli):
    from hrfind.search import query_words

    assert query_words("dónde está la jeringa para mi") == ["jeringa"]


def test_an_english_query_is_not_answered_by_a_spanish_word_spelled_alike(cli):
    # "card" begins the Spanish "cardiopulmonar"; an English question outside harm reduction stays unanswered
    assert cli("search", "medical", "marijuana", "card").exit_code == 1


@pytest.mark.parametrize("query", ["lo encontré tirado en el baño", "la encontre tirada en el piso", "tiene la aguja todavía en el brazo",
                                   "se me está muriendo", "found him on the floor", "the needle is still in his arm"])
def test_what_a_bystander_sees_of_an_overdose_is_urgent_in_either_language(query):
    from hrfind.intents import OVERDOSE, intents

    assert OVERDOSE in intents(query)


@pytest.mark.parametrize("query", ["tirado en la cama leyendo", "se murió mi perro hace un año", "jeringas limpias", "me quiero dormir"])
def test_everyday_spanish_is_not_urgent(query):
    from hrfind.intents import intents

    assert intents(query) == []


def test_the_spanish_text_message_card_of_the_emergency_page_keeps_all_seven_steps(cli):
    result = cli("--lang", "es", "card", "overdose-response", "--sms")
    text = result.stdout
    assert len(text) - 1 <= 480
    assert all(f"{n}. " in text for n in range(1, 8)), text
    assert "(Se omitió: resumen, fecha.)" in text and "se omitió resumen, fecha" in result.stderr


def test_an_hsds_package_holds_the_records_own_text_whatever_the_language(cli, tmp_path):
    # HSDS has no field for the language of its text (its taxonomy terms even say "en"): a Spanish
    # package would come back from `hrfind import hsds` as English records with Spanish text.
    result = cli("export", "--format", "hsds", "-o", tmp_path / "pkg", env={"LANG": "es_US.UTF-8"})
    assert result.exit_code == 0, result.stderr
    services = (tmp_path / "pkg" / "services.csv").read_text(encoding="utf-8")
    assert "988 Suicide & Crisis Lifeline" in services and "Línea" not in services


def test_a_spanish_card_marks_english_text_and_names_what_it_left_out_in_spanish(cli):
    card = cli("--lang", "es", "card", "hepatitis-c").stdout
    assert card.splitlines()[0].endswith("(en inglés)")  # a card is a human view: never English silently
    sms = cli("--lang", "es", "card", "hepatitis-c", "--sms").stdout
    assert sms.splitlines()[0].endswith("(en inglés)")
    assert sms.splitlines()[-1] == "(Se omitió: resumen, pasos 5-8, fecha.)"
    assert cli("card", "hepatitis-c", "--sms").stdout.splitlines()[-1] == "(Left out: summary, steps 5-8, date.)"


def test_the_spanish_emergency_sms_keeps_every_step(cli):
    from hrfind import catalog

    loaded = catalog.load(catalog.layers(env={}))
    loaded.store.read_in("es")
    steps = loaded.strategies["overdose-response"].steps
    out = cli("--lang", "es", "card", "overdose-response", "--sms").stdout
    # As in English: a text message that stops before "de lado, no se vaya" could cost a life.
    assert all(f"{n}. {step}" in out for n, step in enumerate(steps, 1)), out


@pytest.mark.parametrize("query", ["como uso narcan", "cómo se usa la naloxona", "como usar narcan"])
def test_how_to_use_naloxone_in_spanish_answers_with_the_naloxone_guide(cli, query):
    # "uso", "usa" say how, not what (as "use" does): they must not make another record outrank naloxone
    assert json.loads(cli("search", query, "--json").stdout)[0]["id"] == "naloxone"


def test_services_notes_of_what_was_left_out_are_spanish(cli, tmp_path):
    (tmp_path / "lo.toml").write_text('[[service]]\nid = "nowhere-a"\nname = "Nowhere A"\noffers = ["naloxone"]\n'
                                      'access = ["in-person"]\n', encoding="utf-8")
    spanish = cli("--data", tmp_path / "lo.toml", "--lang", "es", "services", "--near", "21201").stderr
    assert "Se omitió 1 servicio que coincide sin ubicación" in spanish and "nowhere-a" in spanish
    english = cli("--data", tmp_path / "lo.toml", "services", "--near", "21201").stderr
    assert "Left out 1 matching service with no location" in english
