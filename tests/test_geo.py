"""Place parsing, offline geocoding from the zipcodes package, and great-circle distances."""

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrfind import geo, zips
from hrfind.errors import PlaceNotFoundError, UsageError

PLACE_ERRORS = (UsageError, PlaceNotFoundError)


# --- ZIP codes ------------------------------------------------------------------------------

def test_zip_code_is_geocoded_offline():
    place = geo.parse_place("21201")
    assert place.label == "21201 (Baltimore, MD)"
    assert place.region == "US-MD" and place.country == "US"
    assert place.timezone == "America/New_York"
    assert place.lat == pytest.approx(39.29, abs=0.02) and place.lon == pytest.approx(-76.62, abs=0.02)


def test_zip_plus_four_is_the_zip():
    assert geo.parse_place("21201-1234") == geo.parse_place(" 21201 ")


@pytest.mark.parametrize("code, region, zone", [
    ("10001", "US-NY", "America/New_York"),
    ("60601", "US-IL", "America/Chicago"),
    ("80202", "US-CO", "America/Denver"),
    ("85004", "US-AZ", "America/Phoenix"),
    ("90012", "US-CA", "America/Los_Angeles"),
    ("99501", "US-AK", "America/Anchorage"),
    ("96813", "US-HI", "Pacific/Honolulu"),
    ("00901", "US-PR", "America/Puerto_Rico"),
])
def test_zips_across_the_country_have_state_and_time_zone(code, region, zone):
    place = geo.parse_place(code)
    assert (place.region, place.timezone) == (region, zone)
    assert geo.zip_timezone(code) == zone


def test_a_territory_is_covered_by_its_own_country_code_too():
    assert geo.parse_place("00901").areas == {"US-PR", "PR", "US"}
    assert geo.parse_place("21201").areas == {"US-MD", "US"}


@pytest.mark.parametrize("code", ["99999", "00000"])
def test_unknown_zip_is_place_not_found_with_a_suggestion(code):
    with pytest.raises(PlaceNotFoundError, match=f"No ZIP code {code}.*like \"Baltimore, MD\""):
        geo.parse_place(code)


def test_military_mail_zip_has_no_location():
    # APO/FPO codes are stored at 0,0: using them would put a person in the Gulf of Guinea.
    with pytest.raises(PlaceNotFoundError):
        geo.parse_place("09002")
    assert geo.zip_info("09002") is None


def test_zip_info_ignores_what_is_not_a_zip():
    assert geo.zip_info("2120") is None and geo.zip_info("abcde") is None and geo.zip_timezone("") is None


# --- cities ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Baltimore, MD", "baltimore, md", "BALTIMORE,MD", "Baltimore, Maryland", "Baltimore MD"])
def test_city_and_state_in_any_case_and_spelling(text):
    place = geo.parse_place(text)
    assert place.label == "Baltimore, MD" and place.region == "US-MD" and place.timezone == "America/New_York"
    assert place.lat == pytest.approx(39.3, abs=0.1) and place.lon == pytest.approx(-76.6, abs=0.1)


@pytest.mark.parametrize("text, label", [
    ("St. Louis, MO", "Saint Louis, MO"),
    ("saint louis mo", "Saint Louis, MO"),
    ("McLean, VA", "Mc Lean, VA"),
    ("Winston-Salem, NC", "Winston Salem, NC"),
    ("New York NY", "New York, NY"),
    ("Kansas City Missouri", "Kansas City, MO"),
    ("Washington DC", "Washington, DC"),
    ("Ponce, PR", "Ponce, PR"),
])
def test_city_spellings_people_type(text, label):
    assert geo.parse_place(text).label == label


@pytest.mark.parametrize("text, zone", [("Honolulu", "Pacific/Honolulu"), ("Anchorage", "America/Anchorage"), ("Phoenix, AZ", "America/Phoenix")])
def test_unambiguous_city_alone(text, zone):
    # Anchorage is also another name some Kentucky ZIPs accept; that alone does not make it ambiguous.
    assert geo.parse_place(text).timezone == zone


@pytest.mark.parametrize("text, listed", [("Springfield", "Springfield, IL"), ("Kansas City", "Kansas City, KS"), ("baltimore", "Baltimore, OH")])
def test_ambiguous_city_lists_the_candidates(text, listed):
    with pytest.raises(PlaceNotFoundError, match="Add the state") as error:
        geo.parse_place(text)
    assert listed in str(error.value)
    assert error.value.exit_status == 4


def test_unknown_city_suggests_the_closest():
    with pytest.raises(PlaceNotFoundError, match='Did you mean "Baltimore, MD"'):
        geo.parse_place("Baltimor, MD")
    with pytest.raises(PlaceNotFoundError, match='"Baltimore, MD"'):
        geo.parse_place("Baltimor")
    with pytest.raises(PlaceNotFoundError, match="Check the spelling"):
        geo.parse_place("Qqqzzz, MD")


def test_unknown_state():
    with pytest.raises(PlaceNotFoundError, match='"XX" is not a US state'):
        geo.parse_place("Baltimore, XX")


def test_state_codes_and_names():
    assert geo.state_code("md") == "MD" and geo.state_code("North  Carolina") == "NC"
    assert geo.state_code("Puerto Rico") == "PR" and geo.state_code("Narnia") is None


# --- coordinates ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["39.29,-76.61", "39.29, -76.61", " 39.29  -76.61 ", "+39.29,-76.61"])
def test_coordinates_take_state_and_zone_from_the_nearest_zip(text):
    place = geo.parse_place(text)
    assert (place.lat, place.lon) == (39.29, -76.61)
    assert place.region == "US-MD" and place.timezone == "America/New_York"
    assert place.label == "39.2900, -76.6100"


def test_coordinates_far_from_any_zip_have_no_region():
    place = geo.parse_place("0,0")
    assert (place.region, place.country, place.timezone) == (None, None, None)
    assert place.areas == frozenset()


@pytest.mark.parametrize("text", ["91,0", "-90.5,10", "45,181", "45,-180.01"])
def test_coordinates_out_of_range_are_a_usage_error(text):
    with pytest.raises(UsageError, match="latitude goes from -90 to 90"):
        geo.parse_place(text)


@pytest.mark.parametrize("text", ["39.29", "39.29,", "1,2,3", "39.2.9,-76", "2120", "39.2,abc", "--1,2", "",
                                  "\u0662\u0661\u0662\u0660\u0661", "\u0663\u0669,\u0667\u0666"])
def test_malformed_places_are_usage_errors_that_show_the_forms(text):
    with pytest.raises(UsageError, match='ZIP code like "21201"|empty'):
        geo.parse_place(text)


def test_edges_of_the_range_are_accepted():
    assert geo.parse_place("90,180").lat == 90 and geo.parse_place("-90,-180").lon == -180


# --- distances ------------------------------------------------------------------------------

def test_baltimore_to_washington_is_about_35_miles():
    baltimore, washington = geo.parse_place("Baltimore, MD"), geo.parse_place("Washington, DC")
    assert geo.miles(baltimore.lat, baltimore.lon, washington.lat, washington.lon) == pytest.approx(35, abs=3)
    assert geo.miles(39.2904, -76.6122, 38.9072, -77.0369) == pytest.approx(35.3, abs=0.5)  # city halls


def test_known_great_circle_pairs():
    # Nashville (BNA) to Los Angeles (LAX), the classic haversine example: 2886.4 km with R = 6371 km.
    assert geo.miles(36.12, -86.67, 33.94, -118.40) == pytest.approx(1793.6, abs=0.5)
    assert geo.miles(0, 0, 0, 180) == pytest.approx(math.pi * geo.EARTH_RADIUS_MI)
    assert geo.miles(0, 0, 1, 0) == pytest.approx(69.09, abs=0.01)  # one degree of latitude
    assert geo.miles(39.29, -76.61, 39.29, -76.61) == 0


@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_distance_is_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    d = geo.miles(lat1, lon1, lat2, lon2)
    assert 0 <= d <= math.pi * geo.EARTH_RADIUS_MI + 1e-6
    assert d == pytest.approx(geo.miles(lat2, lon2, lat1, lon1), abs=1e-6)


# --- properties -----------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[0-9 ,.+-]{0,16}", fullmatch=True) | st.from_regex(r"\d{5}(-\d{4})?", fullmatch=True) | st.from_regex(r"[A-Za-z .'-]{1,20}, ?[A-Za-z]{1,14}", fullmatch=True))
def test_any_text_gives_a_place_or_a_documented_error(text):
    try:
        place = geo.parse_place(text)
    except PLACE_ERRORS as error:
        assert str(error) and len(str(error)) < 400
    else:
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180 and place.label


@settings(deadline=None)
@given(st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False), st.sampled_from([",", ", ", " "]))
def test_coordinates_round_trip(lat, lon, separator):
    text = f"{lat:.6f}{separator}{lon:.6f}"
    place = geo.parse_place(text)
    assert place.lat == pytest.approx(lat, abs=1e-6) and place.lon == pytest.approx(lon, abs=1e-6)


@settings(deadline=None)
@given(st.from_regex(r"[0-9]{5}", fullmatch=True))
def test_every_five_digit_code_is_a_place_or_not_found(code):
    try:
        place = geo.parse_place(code)
    except PlaceNotFoundError:
        assert geo.zip_info(code) is None
    else:
        assert place.country == "US" and place.region.startswith("US-") and place.label.startswith(code)


# --- the compact ZIP table in the cache -----------------------------------------------------

@pytest.fixture
def fresh_zips():
    """Forget the ZIP table this process has read, before and after, so the test's own cache folder is used."""
    def forget():
        zips.reset()
        geo._cities.cache_clear()

    forget()
    yield
    forget()


def count_builds(monkeypatch) -> list[int]:
    built: list[int] = []
    real = zips.build

    def build(path, made_from):
        built.append(1)
        return real(path, made_from)

    monkeypatch.setattr(zips, "build", build)
    monkeypatch.setattr(zips, "PACKAGED", Path("/nonexistent/zips.sqlite"))  # as in a checkout
    return built


def zip_table(home):
    return home / "cache" / "hrfind" / "zips.sqlite"


def test_zip_table_answers_as_zipcodes_does(fresh_zips):
    import zipcodes

    for row in zipcodes.list_all():
        assert geo.zip_info(row["zip_code"]) == zips.info_of(row), row["zip_code"]


def test_zip_table_is_built_once_then_read_from_the_cache(isolated, monkeypatch, fresh_zips):
    built = count_builds(monkeypatch)
    first = geo.parse_place("21201"), geo.parse_place("Baltimore, MD"), geo.parse_place("39.29,-76.61")
    assert built == [1] and zip_table(isolated).is_file()
    zips.reset()
    geo._cities.cache_clear()
    import zipcodes

    def unused(*args, **kwargs):
        raise AssertionError("read zipcodes' own table although the cached one is current")

    for name in ("list_all", "matching", "filter_by", "filter_by_coordinates"):
        monkeypatch.setattr(zipcodes, name, unused)
    again = geo.parse_place("21201"), geo.parse_place("Baltimore, MD"), geo.parse_place("39.29,-76.61")
    assert again == first and built == [1]


def test_zip_table_is_rebuilt_when_zipcodes_changes_version(isolated, monkeypatch, fresh_zips):
    import zipcodes

    built = count_builds(monkeypatch)
    geo.zip_info("21201")
    monkeypatch.setattr(zipcodes, "__version__", zipcodes.__version__ + ".post1")
    zips.reset()
    geo._cities.cache_clear()
    assert geo.zip_info("21201").city == "Baltimore" and built == [1, 1]
    zips.reset()
    geo._cities.cache_clear()
    geo.zip_info("21201")
    assert built == [1, 1]  # kept under the new version


def test_damaged_zip_table_is_rebuilt(isolated, monkeypatch, fresh_zips):
    built = count_builds(monkeypatch)
    geo.zip_info("21201")
    data = zip_table(isolated).read_bytes()
    zip_table(isolated).write_bytes(data[:len(data) // 2])
    zips.reset()
    geo._cities.cache_clear()
    assert geo.zip_info("21201").state == "MD" and built == [1, 1]


def test_zip_lookups_work_when_the_cache_cannot_be_written(isolated, monkeypatch, fresh_zips):
    (isolated / "cache").write_text("a file where the cache folder would be")  # unwritable, even for root
    built = count_builds(monkeypatch)
    assert geo.parse_place("21201").timezone == "America/New_York"
    assert geo.parse_place("Baltimore, MD").region == "US-MD"
    zips.reset()
    geo._cities.cache_clear()
    assert geo.zip_timezone("99501") == "America/Anchorage"
    assert built == [1, 1] and (isolated / "cache").is_file()


@pytest.mark.parametrize("lat, lon", [(39.29, -76.61), (61.2, -149.9), (40.0, -117.0), (18.4, -66.1), (45.0, -100.0),
                                      (39.29, -76.2), (25.0, -80.0), (0.0, 0.0), (64.8, -147.7), (47.6, -122.3)])
def test_nearest_zip_is_the_one_zipcodes_finds_within_the_radius(lat, lon):
    import zipcodes

    found = [zips.info_of(z) for z in zipcodes.filter_by_coordinates(lat, lon, geo._REVERSE_RADIUS_MI)]
    expected = min((z for z in found if z), key=lambda z: (geo.miles(lat, lon, z.lat, z.lon), z.code), default=None)
    assert geo._nearest_zip(lat, lon) == expected
