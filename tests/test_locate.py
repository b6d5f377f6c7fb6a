"""The services query over a fictional directory: distance, radius, filters, hours, remote coverage."""

import datetime as dt
from pathlib import Path

import pytest

from hrfind import catalog as catalogs
from hrfind import geo, hours, locate
from hrfind.errors import UsageError
from hrfind.locate import Filters
from hrfind.store import files

# Fictional services for tests: every name says so and every phone number is a 555-01xx number.
DIRECTORY = '''
[[service]]
id = "fictional-harbor-van"
name = "Fictional Harbor Van"
summary = "A fictional outreach van in downtown Baltimore, for tests."
offers = ["naloxone", "syringe-services"]
access = ["mobile", "in-person"]
phone = "410-555-0101"
languages = ["en", "es"]
cost = "free"
address = { street = "1 Example St", city = "Baltimore", region = "MD", postal_code = "21201", country = "US" }
lat = 39.2946
lon = -76.6252
timezone = "America/New_York"
hours = [{ days = ["mon", "tue", "wed", "thu", "fri"], opens = "09:00", closes = "17:00" }]

[[service]]
id = "fictional-eastside-night"
name = "Fictional Eastside Night Drop-in"
summary = "A fictional late-night drop-in, for tests; its time zone comes from its ZIP code."
offers = ["naloxone", "drug-checking"]
access = ["in-person"]
phone = "410-555-0102"
languages = ["en"]
cost = "free"
address = { city = "Baltimore", region = "MD", postal_code = "21205", country = "US" }
lat = 39.3030
lon = -76.5800
hours = [{ days = ["fri", "sat"], opens = "20:00", closes = "02:00" }]

[[service]]
id = "fictional-zip-clinic"
name = "Fictional Charles Village Clinic"
summary = "A fictional clinic known only by its ZIP code, for tests."
offers = ["naloxone", "infection-testing"]
access = ["in-person"]
phone = "410-555-0103"
languages = ["en"]
cost = "sliding-scale"
address = { city = "Baltimore", region = "MD", postal_code = "21218" }
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "00:00", closes = "24:00" }]

[[service]]
id = "fictional-dc-outreach"
name = "Fictional Capitol Outreach"
summary = "A fictional outreach site in Washington, for tests."
offers = ["naloxone", "peer-support"]
access = ["in-person"]
phone = "202-555-0104"
languages = ["en", "es", "am"]
cost = "free"
address = { city = "Washington", region = "DC", postal_code = "20001", country = "US" }
lat = 38.9122
lon = -77.0177
timezone = "America/New_York"
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "11:00", closes = "18:00" }]

[[service]]
id = "fictional-maryland-line"
name = "Fictional Maryland Warmline"
summary = "A fictional statewide phone line, for tests."
offers = ["crisis-support", "naloxone"]
access = ["phone", "text"]
phone = "1-800-555-0105"
coverage = ["US-MD"]
languages = ["en", "es"]
cost = "free"
timezone = "America/New_York"
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "00:00", closes = "24:00" }]

[[service]]
id = "fictional-national-mail"
name = "Fictional Mail-Order Naloxone"
summary = "A fictional national mail-order program, for tests; no hours listed."
offers = ["naloxone"]
access = ["mail", "online"]
url = "https://example.org/fictional-mail"
coverage = ["US"]
languages = ["en"]
cost = "free"

[[service]]
id = "fictional-canada-line"
name = "Fictional Canadian Line"
summary = "A fictional Canadian phone line, for tests."
offers = ["crisis-support"]
access = ["phone"]
phone = "1-800-555-0106"
coverage = ["CA"]
timezone = "America/Toronto"
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "00:00", closes = "24:00" }]

[[service]]
id = "fictional-nowhere"
name = "Fictional Placeless Program"
summary = "A fictional program with no address, for tests."
offers = ["naloxone"]
access = ["in-person"]
phone = "410-555-0107"
'''

# Wednesday 25 November 2026, 15:00 UTC: 10:00 in Baltimore.
WEDNESDAY_MORNING = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.timezone.utc)
BALTIMORE = geo.Place(39.2946, -76.6252, "21201 (Baltimore, MD)", "US-MD", "US", "America/New_York")


@pytest.fixture(scope="module")
def directory(tmp_path_factory):
    folder = tmp_path_factory.mktemp("directory")
    (folder / "fictional.toml").write_text(DIRECTORY, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def catalog(directory):
    loaded = catalogs.load(catalogs.layers([directory], no_bundled=True, env={}, user=Path("/nonexistent")))
    assert not loaded.problems, loaded.problems
    return loaded


def find(catalog, place=BALTIMORE, now=WEDNESDAY_MORNING, **options):
    filters = Filters(**{k: options.pop(k) for k in ("offers", "language", "free", "access", "query") if k in options})
    return locate.find(catalog, place, filters, now=now, **options)


def ids(answer):
    return [r.service.id for r in answer.results]


def local_ids(answer):
    return [r.service.id for r in answer.results[:answer.local]]


# --- distance and order ---------------------------------------------------------------------

def test_local_nearest_first_then_remote_for_the_state_and_country(catalog):
    answer = find(catalog)
    assert local_ids(answer) == ["fictional-harbor-van", "fictional-zip-clinic", "fictional-eastside-night", "fictional-dc-outreach"]
    assert ids(answer)[answer.local:] == ["fictional-maryland-line", "fictional-national-mail"]
    distances = [r.distance_mi for r in answer.results[:answer.local]]
    assert distances == sorted(distances) and distances[0] == 0
    assert distances[-1] == pytest.approx(34, abs=2)  # Baltimore to Washington
    assert all(r.distance_mi is None and r.remote for r in answer.results[answer.local:])
    assert "fictional-canada-line" not in ids(answer)
    assert any("fictional-nowhere" in note and "no location" in note for note in answer.notes)


def test_a_zip_only_service_sits_at_its_centroid_and_is_approximate(catalog):
    clinic = next(r for r in find(catalog).results if r.service.id == "fictional-zip-clinic")
    centre = geo.zip_info("21218")
    assert clinic.approximate
    assert clinic.distance_mi == pytest.approx(geo.miles(BALTIMORE.lat, BALTIMORE.lon, centre.lat, centre.lon))
    assert not next(r for r in find(catalog).results if r.service.id == "fictional-harbor-van").approximate


def test_ties_in_distance_go_by_id(catalog, tmp_path):
    twins = "".join(f'''
[[service]]
id = "fictional-twin-{letter}"
name = "Fictional Twin {letter.upper()}"
offers = ["naloxone"]
access = ["in-person"]
lat = 39.0
lon = -76.0
''' for letter in "cab")
    (tmp_path / "twins.toml").write_text(twins, encoding="utf-8")
    loaded = catalogs.load(catalogs.layers([tmp_path], no_bundled=True, env={}, user=Path("/nonexistent")))
    assert local_ids(find(loaded)) == ["fictional-twin-a", "fictional-twin-b", "fictional-twin-c"]


def test_limit_keeps_the_nearest_and_all_remote_ones_follow(catalog):
    answer = find(catalog, limit=2)
    assert local_ids(answer) == ["fictional-harbor-van", "fictional-zip-clinic"]
    assert ids(answer)[2:] == ["fictional-maryland-line", "fictional-national-mail"]


def test_radius_cuts(catalog):
    assert local_ids(find(catalog, radius=5, limit=None)) == ["fictional-harbor-van", "fictional-zip-clinic", "fictional-eastside-night"]
    assert local_ids(find(catalog, radius=0, limit=None)) == ["fictional-harbor-van"]
    assert len(local_ids(find(catalog, radius=50, limit=None))) == 4
    assert local_ids(find(catalog, radius=50, limit=1)) == ["fictional-harbor-van"]


def test_nothing_local_says_so_and_still_shows_remote_options(catalog):
    far_away = geo.parse_place("21502")  # Cumberland, MD: 130 miles west
    answer = find(catalog, far_away, radius=10)
    assert answer.local == 0
    assert ids(answer) == ["fictional-maryland-line", "fictional-national-mail"]
    assert any(note.startswith("No service matched within 10 miles of 21502") and "remote option" in note for note in answer.notes)


def test_no_remote(catalog):
    answer = find(catalog, remote=False)
    assert ids(answer) == local_ids(answer) and len(ids(answer)) == 4
    empty = find(catalog, geo.parse_place("21502"), radius=10, remote=False)
    assert empty.results == () and not any("No service matched" in n for n in empty.notes)


# --- remote coverage ------------------------------------------------------------------------

def test_remote_coverage_by_state(catalog):
    virginia = geo.parse_place("Richmond, VA")
    remote = ids(find(catalog, virginia))[find(catalog, virginia).local:]
    assert remote == ["fictional-national-mail"]  # the Maryland line does not reach Virginia


def test_remote_coverage_by_country(catalog):
    ottawa = geo.Place(45.42, -75.70, "45.4200, -75.7000", None, "CA", "America/Toronto")
    answer = find(catalog, ottawa, radius=25)
    assert answer.local == 0 and ids(answer) == ["fictional-canada-line"]


def test_a_point_outside_any_known_region_gets_no_remote_services(catalog):
    answer = find(catalog, geo.parse_place("0,0"), radius=25)
    assert answer.results == ()


def test_a_located_statewide_line_counts_as_local_when_near(catalog, tmp_path):
    (tmp_path / "line.toml").write_text('''
[[service]]
id = "fictional-office-line"
name = "Fictional Office Line"
offers = ["naloxone"]
access = ["phone", "in-person"]
phone = "410-555-0108"
coverage = ["US-MD"]
lat = 39.30
lon = -76.61
''', encoding="utf-8")
    loaded = catalogs.load(catalogs.layers([tmp_path], no_bundled=True, env={}, user=Path("/nonexistent")))
    near = find(loaded, radius=5)
    assert (near.local, near.results[0].distance_mi is not None) == (1, True)
    far = find(loaded, geo.parse_place("21502"), radius=5)
    assert far.local == 0 and far.results[0].remote and far.results[0].distance_mi is None


# --- filters --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["naloxone", "narcan", "Narcan", "NARCAN nasal spray", "Naloxone (Narcan)"])
def test_offers_accept_ids_labels_and_aliases(catalog, name):
    assert "fictional-harbor-van" in ids(find(catalog, offers=[name]))


def test_every_offer_given_must_be_offered(catalog):
    assert ids(find(catalog, offers=["naloxone", "needle exchange"])) == ["fictional-harbor-van"]
    assert ids(find(catalog, offers=["drug-checking"])) == ["fictional-eastside-night"]


def test_unknown_offer_names_the_closest(catalog):
    with pytest.raises(UsageError, match='Unknown offer "naloxon".*naloxone'):
        find(catalog, offers=["naloxon"])


def test_language(catalog):
    spanish = find(catalog, language="es")
    assert set(ids(spanish)) == {"fictional-harbor-van", "fictional-dc-outreach", "fictional-maryland-line"}
    assert ids(find(catalog, language="Spanish")) == ids(spanish)
    assert ids(find(catalog, language="AM", remote=False)) == ["fictional-dc-outreach"]
    with pytest.raises(UsageError, match="ISO 639-1"):
        find(catalog, language="klingonese")


def test_free(catalog):
    assert "fictional-zip-clinic" not in ids(find(catalog, free=True))
    assert "fictional-harbor-van" in ids(find(catalog, free=True))


def test_access(catalog):
    assert ids(find(catalog, access="mobile")) == ["fictional-harbor-van"]
    assert ids(find(catalog, access="mail")) == ["fictional-national-mail"]
    assert ids(find(catalog, access="text")) == ["fictional-maryland-line"]
    with pytest.raises(UsageError, match="in-person, phone, text, online, mail, mobile"):
        find(catalog, access="carrier-pigeon")


def test_query_chooses_services_and_scores_them(catalog):
    answer = find(catalog, query="late night drop-in")
    assert ids(answer)[0] == "fictional-eastside-night"
    assert all(r.score is not None and 0 < r.score <= 100 for r in answer.results)
    assert "fictional-dc-outreach" not in ids(answer)


def test_query_without_a_place_ranks_by_relevance(catalog):
    answer = find(catalog, place=None, query="phone line")
    scores = [r.score for r in answer.results]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 2
    assert answer.results[0].service.id in {"fictional-maryland-line", "fictional-canada-line"}


def test_without_a_place_sites_by_id_then_every_remote_service(catalog):
    answer = find(catalog, place=None, limit=None)
    remote = ["fictional-canada-line", "fictional-maryland-line", "fictional-national-mail"]
    assert ids(answer) == sorted(set(catalog.services) - set(remote)) + remote
    assert answer.local == len(catalog.services) - 3 and all(r.remote for r in answer.results[answer.local:])
    assert all(r.distance_mi is None for r in answer.results)
    assert answer.results[0].location == (38.9122, -77.0177)
    assert ids(find(catalog, place=None, limit=2)) == ["fictional-dc-outreach", "fictional-eastside-night", *remote]
    assert not set(remote) & set(ids(find(catalog, place=None, remote=False, limit=None)))


# --- hours ----------------------------------------------------------------------------------

def test_open_now_and_hours_today_on_a_wednesday_morning(catalog):
    by_id = {r.service.id: r for r in find(catalog).results}
    assert (by_id["fictional-harbor-van"].open_now, by_id["fictional-harbor-van"].hours_today) == (True, "09:00-17:00")
    assert by_id["fictional-harbor-van"].status == "open, closes 17:00"
    night = by_id["fictional-eastside-night"]  # time zone from ZIP 21205
    assert (night.open_now, night.hours_today, night.status) == (False, "closed", "opens Fri 20:00")
    assert by_id["fictional-zip-clinic"].status == "open 24 hours"
    assert by_id["fictional-dc-outreach"].status == "opens 11:00"
    mail = by_id["fictional-national-mail"]
    assert (mail.open_now, mail.hours_today, mail.status) == (None, None, None)


def test_open_now_filter_keeps_only_the_known_open(catalog):
    answer = find(catalog, open_at=WEDNESDAY_MORNING)
    assert ids(answer) == ["fictional-harbor-van", "fictional-zip-clinic", "fictional-maryland-line"]
    assert any("fictional-national-mail" in n and "unknown hours" in n for n in answer.notes)


def test_open_at_a_weekday_time_in_each_services_own_zone(catalog):
    saturday_night = hours.parse_when("sat 23:00", WEDNESDAY_MORNING)
    answer = find(catalog, open_at=saturday_night, remote=False)
    assert ids(answer) == ["fictional-zip-clinic", "fictional-eastside-night"]
    night = answer.results[1]
    assert (night.open_now, night.hours_today, night.status) == (True, "20:00-02:00", "open, closes 02:00")


def test_open_at_an_iso_date_time(catalog):
    friday_noon = hours.parse_when("2026-11-27T12:00", WEDNESDAY_MORNING)
    assert ids(find(catalog, open_at=friday_noon, remote=False)) == ["fictional-harbor-van", "fictional-zip-clinic", "fictional-dc-outreach"]


def test_an_instant_needs_the_zone_and_a_weekday_time_does_not(tmp_path):
    (tmp_path / "zoneless.toml").write_text('''
[[service]]
id = "fictional-zoneless"
name = "Fictional Zoneless Site"
offers = ["naloxone"]
access = ["in-person"]
lat = 39.3
lon = -76.6
hours = [{ days = ["wed"], opens = "09:00", closes = "17:00" }]
''', encoding="utf-8")
    loaded = catalogs.load(catalogs.layers([tmp_path], no_bundled=True, env={}, user=Path("/nonexistent")))
    unknown = find(loaded).results[0]
    assert (unknown.open_now, unknown.hours_today) == (None, None)  # never a guess
    assert find(loaded, open_at=WEDNESDAY_MORNING).results == ()
    assert ids(find(loaded, open_at=hours.parse_when("wed 10:00", WEDNESDAY_MORNING))) == ["fictional-zoneless"]


def test_a_service_with_broken_hours_is_skipped_with_a_warning(catalog):
    import msgspec

    from hrfind.model import Hours

    broken = msgspec.structs.replace(catalog.services["fictional-harbor-van"], hours=[Hours(days=["mon"], opens="9am", closes="5pm")])
    damaged = catalogs.of_records([*(broken if s.id == broken.id else s for s in catalog.services.values()), *catalog.offers.values()])
    answer = find(damaged)
    assert "fictional-harbor-van" not in ids(answer)
    assert any("fictional-harbor-van" in n and "skipped" in n and n.startswith("warning") for n in answer.notes)


def test_a_service_with_impossible_coordinates_is_left_out(catalog):
    import msgspec

    broken = msgspec.structs.replace(catalog.services["fictional-harbor-van"], lat=139.0)
    damaged = catalogs.of_records([*(broken if s.id == broken.id else s for s in catalog.services.values()), *catalog.offers.values()])
    answer = find(damaged)
    assert "fictional-harbor-van" not in ids(answer)
    assert any(n.startswith("warning") and "fictional-harbor-van" in n and "not on Earth" in n for n in answer.notes)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("radius", [-1, float("nan")])
def test_negative_radius(catalog, radius):
    with pytest.raises(UsageError, match="--radius"):
        find(catalog, radius=radius)


def test_limit_below_one(catalog):
    with pytest.raises(UsageError, match="--limit"):
        find(catalog, limit=0)


def test_without_a_time_zone_only_what_holds_any_day_is_said(tmp_path):
    (tmp_path / "zoneless.toml").write_text('''
[[service]]
id = "fictional-always-line"
name = "Fictional Always Line"
offers = ["crisis-support"]
access = ["phone"]
phone = "1-800-555-0109"
coverage = ["US"]
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "00:00", closes = "24:00" }]

[[service]]
id = "fictional-daily-line"
name = "Fictional Daily Line"
offers = ["crisis-support"]
access = ["phone"]
phone = "1-800-555-0110"
coverage = ["US"]
hours = [{ days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], opens = "08:00", closes = "20:00" }]
''', encoding="utf-8")
    loaded = catalogs.load(catalogs.layers([tmp_path], no_bundled=True, env={}, user=Path("/nonexistent")))
    by_id = {r.service.id: r for r in find(loaded).results}
    always, daily = by_id["fictional-always-line"], by_id["fictional-daily-line"]
    assert (always.open_now, always.hours_today, always.status) == (True, "24 hours", "open 24 hours")
    assert (daily.open_now, daily.hours_today, daily.status) == (None, "08:00-20:00", None)
    assert ids(find(loaded, open_at=WEDNESDAY_MORNING)) == ["fictional-always-line"]


# --- many services: the flat arrays answer as reading every service would ---------------------

def _many_services(count: int = 400, seed: int = 6) -> str:
    """Fictional services around Baltimore and far off, many sharing a point, some by ZIP only, some broken."""
    import random

    rng = random.Random(seed)
    points = [(39.29 + rng.uniform(-1.5, 1.5), -76.61 + rng.uniform(-1.5, 1.5)) for _ in range(60)]
    points += [(61.2, -149.9), (18.4, -66.1), (47.6, -122.3), (-33.9, 151.2)]
    zips = ["21201", "21218", "20001", "99501", "21401"]
    blocks = []
    for n in range(count):
        fields = [f'id = "fictional-many-{rng.randrange(10**6):06d}-{n}"', f'name = "Fictional Site {n}"',
                  f"offers = {rng.sample(['naloxone', 'drug-checking', 'syringe-services', 'wound-care'], rng.randint(0, 3))}",
                  f"languages = {rng.sample(['en', 'es', 'fr'], rng.randint(0, 2))}",
                  f'cost = "{rng.choice(["free", "low-cost"])}"']
        shape = rng.random()
        if shape < 0.08:  # a remote line
            fields += ['access = ["phone"]', f'coverage = ["{rng.choice(["US-MD", "US", "US-AK"])}"]']
        else:
            fields.append(f'access = {rng.sample(["in-person", "mobile", "text"], rng.randint(1, 2))}')
            if shape < 0.16:
                fields.append(f'address = {{ postal_code = "{rng.choice(zips)}" }}')
            elif shape < 0.18:
                pass  # nowhere
            else:
                lat, lon = rng.choice(points)
                fields += [f"lat = {lat!r}", f"lon = {lon!r}"]
        blocks.append("[[service]]\n" + "\n".join(fields) + "\n")
    return "\n".join(blocks)


def _reference(catalog, place, offers=(), language=None, free=False, radius=None, limit=None):
    """The nearest matching local services by reading every one of them: (id, distance, approximate)."""
    found = []
    for s in catalog.services.values():
        if not all(o in s.offers for o in offers) or (language and language not in s.languages) or (free and s.cost != "free"):
            continue
        if s.lat is not None and s.lon is not None:
            point = (s.lat, s.lon)
        else:
            info = geo.zip_info(s.address.postal_code) if s.address and s.address.postal_code else None
            point = (info.lat, info.lon) if info else None
        if point is None:
            continue
        found.append((geo.miles(place.lat, place.lon, *point), s.id, s.lat is None))
    found.sort()
    return [f for f in found if radius is None or f[0] <= radius][:limit]


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    folder = tmp_path_factory.mktemp("many")
    (folder / "many.toml").write_text(_many_services(), encoding="utf-8")
    return folder


@pytest.mark.parametrize("cached", [False, True])
@pytest.mark.parametrize("place", [BALTIMORE, geo.Place(39.29, -76.2, "bay"), geo.Place(61.0, -150.0, "Anchorage"),
                                   geo.Place(-40.0, 170.0, "far south"), geo.Place(89.0, 0.0, "north pole")])
@pytest.mark.parametrize("filters", [{}, {"offers": ["naloxone"]}, {"offers": ["naloxone", "drug-checking"], "free": True},
                                     {"language": "es"}, {"limit": 7}, {"radius": 20.0}, {"radius": 0.0}, {"radius": 60.0, "limit": 25}])
def test_nearest_first_matches_reading_every_service(many, monkeypatch, cached, place, filters):
    monkeypatch.setattr(files, "RACY_NS", -1)
    layers = catalogs.layers([many], no_bundled=True, env={}, user=Path("/nonexistent"))
    loaded = catalogs.load(layers, use_cache=cached)
    if cached:
        loaded = catalogs.load(layers)
        assert loaded.cache.state == "fresh"
    options = dict(filters)
    expected = _reference(loaded, place, options.get("offers", ()), options.get("language"), options.get("free", False),
                          options.get("radius"), options.get("limit", None if "radius" in options else locate.LIMIT))
    options.setdefault("limit", None if "radius" in options else locate.LIMIT)
    answer = find(loaded, place=place, remote=False, **options)
    assert [(r.distance_mi, r.service.id, r.approximate) for r in answer.results] == expected
    assert all(r.location == (r.service.lat, r.service.lon) for r in answer.results if not r.approximate)


def test_only_the_services_shown_are_decoded(many, monkeypatch, isolated):
    monkeypatch.setattr(files, "RACY_NS", -1)
    layers = catalogs.layers([many], no_bundled=True, env={}, user=Path("/nonexistent"))
    first = find(catalogs.load(layers), offers=["naloxone"], remote=False)
    again = catalogs.load(layers)
    assert again.cache.state == "fresh"
    assert ids(find(again, place=BALTIMORE, offers=["naloxone"], remote=False)) != [] and ids(first) != []
    # Only the services shown were decoded, and those with no location (read for the note that leaves them out).
    shown = {again.store.number(i, ("service",)) for i in ids(find(again, place=BALTIMORE, offers=["naloxone"], remote=False))}
    assert set(again.store._read) <= shown | {n for n, remote in again.store.unlocated() if not remote}


@pytest.mark.parametrize("query", ["site", "fictional site 12", "sit", "overdose", "nothing like it"])
@pytest.mark.parametrize("filters", [{}, {"offers": ["naloxone"]}, {"language": "es", "free": True}])
def test_a_query_through_the_cached_index_scores_as_reading_every_service(many, monkeypatch, query, filters):
    monkeypatch.setattr(files, "RACY_NS", -1)
    layers = catalogs.layers([many], no_bundled=False, env={}, user=Path("/nonexistent"))
    compiled = catalogs.load(layers, use_cache=False)
    catalogs.load(layers)
    cached = catalogs.load(layers)
    assert cached.cache.state == "fresh" and compiled.cache is None
    for place in (BALTIMORE, None):
        answers = [find(c, place=place, query=query, limit=None, **filters) for c in (compiled, cached)]
        first, second = ([(r.service.id, r.score, r.distance_mi) for r in a.results] for a in answers)
        assert first == second
        assert first or query == "nothing like it" or filters
        assert answers[0].notes == answers[1].notes
