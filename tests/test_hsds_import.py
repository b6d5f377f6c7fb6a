"""HSDS and Ohana import: the shared fixtures with their real counts, and each kind of mess real exports have."""

import datetime
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrfind import catalog, hours
from hrfind.check import build_records
from hrfind.errors import DataError, UsageError
from hrfind.hsds import importer, languages
from hrfind.hsds.importer import import_hsds, parse_days, parse_time
from hrfind.hsds.read import decode, read_export
from hrfind.model import DAYS, Offer

TODAY = datetime.date(2026, 11, 26)
OFFERS = {o.id: o for o in (
    Offer(id="naloxone", label="Naloxone (Narcan)", aliases=["narcan", "overdose reversal kit"]),
    Offer(id="syringe-services", label="Syringe services (needle exchange)", aliases=["needle exchange", "ssp"]),
    Offer(id="treatment-referral", label="Treatment referral", aliases=["treatment", "detox"]),
    Offer(id="peer-support", label="Peer support", aliases=["peer", "recovery coach"]),
)}


def run(folder: Path, offers=OFFERS, today=TODAY):
    return import_hsds(folder, offers, today)


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def by_name(result) -> dict:
    return {s["name"]: s for s in result.services}


def assert_valid(result) -> None:
    """What the import wrote loads through hrfind.check with no problem at all."""
    import tomli

    records, problems = build_records("imported.toml", tomli.loads(result.toml()), TODAY)
    assert problems == []
    assert len(records) == len(result.services) == len({s["id"] for s in result.services})


# The counts were checked by reading the CSVs independently (see the comments); the README of the
# fixtures gives the table sizes.
FIXTURES = [
    # 1 active service with one service_at_location; latitude 100 is out of range and "ABC 1234" is no
    # ZIP code, so it is not located; its only schedule ended on 2005-01-01.
    ("hsds-3.0-example", "hsds-3.0", 1, {}, 0, 0, 0),
    # 430 services, one of them an empty row (no id, no name). Services link to no location, so a
    # service is at its organisation's only place: 101 get that place's hours; 26 belong to an
    # organisation in organizations.csv with one place or none, whose postal address gives a ZIP.
    ("hsds-1.1-ilao", "hsds-1.1", 429, {"no name": 1}, 26, 26, 101),
    # 23 services, one defunct and one inactive; every other one is at a location with coordinates;
    # services 1 (its location), 22 (its own rows) and 23 (location 22) have hours.
    ("ohana-sample", "ohana", 21, {"defunct": 1, "inactive": 1}, 21, 0, 3),
]


@pytest.mark.parametrize("folder, fmt, imported, skipped, located, geocoded, with_hours", FIXTURES)
def test_fixture_imports_with_exact_counts(shared, folder, fmt, imported, skipped, located, geocoded, with_hours):
    result = run(shared / "fixtures" / "hsds" / folder)
    report = result.report
    assert report.format == fmt
    assert (report.imported, dict(report.skipped), report.located, report.geocoded, report.with_hours) == \
        (imported, skipped, located, geocoded, with_hours)
    assert report.with_offers == 0  # none of these directories lists a harm-reduction offer
    assert not report.dropped
    assert_valid(result)


def test_fixture_ids_are_readable_and_stable(shared):
    folder = shared / "fixtures" / "hsds" / "ohana-sample"
    first, again = run(folder), run(folder)
    assert [s["id"] for s in first.services] == [s["id"] for s in again.services]
    assert first.services[0]["id"] == "fair-oaks-adult-activity-center-1"
    assert first.services[0]["provenance"] == {"format": "ohana", "dataset": "ohana-sample", "service_id": "1", "location_id": "1"}


def test_hsds_3_example_maps_every_field_it_has(shared):
    (service,) = run(shared / "fixtures" / "hsds" / "hsds-3.0-example").services
    assert service["id"] == "community-counselling-e94c9f38"  # the service_at_location id, shortened
    assert service["phone"] == "+44 1234 234567 x100"  # the quotes around the number are gone
    assert service["languages"] == ["ur"]
    assert service["url"] == "http://example.com/counselling"
    assert service["verified"] == datetime.date(2023, 3, 15)  # last_modified is later than assured_date
    assert service["address"] == {"street": "1-30 Main Street, MyVillage", "city": "MyCity", "region": "MyState",
                                  "postal_code": "ABC 1234", "country": "US"}
    assert "lat" not in service and "hours" not in service
    assert service["eligibility"].startswith("This service is intended for all people aged 12 and over")


def test_ohana_details(shared):
    services = by_name(run(shared / "fixtures" / "hsds" / "ohana-sample"))
    passport = services["Passport Photos"]
    # Its own rows win over its location's; "4:00 PM" and "3pm" are 12-hour times.
    assert passport["hours"] == [{"days": ["mon"], "opens": "08:00", "closes": "12:00"},
                                 {"days": ["mon"], "opens": "14:00", "closes": "16:00"},
                                 {"days": ["wed"], "opens": "10:00", "closes": "15:00"}]
    assert passport["phone"] == "123-456-7890 x123" and passport["text"] == "650-222-5555"
    assert passport["languages"] == ["es", "zh", "ru", "tl"]  # "Taiwanese" folds into zh
    assert services["Example Service Name"]["hours"][0] == {"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "08:00", "closes": "17:00"}
    assert services["Fair Oaks Adult Activity Center"]["hours"] == [{"days": ["mon"], "opens": "09:00", "closes": "03:00"}]
    assert services["Second Career Employment Program"]["phone"] == "650 403-4300 x4385"


def test_ilao_run_together_addresses(shared):
    services = {s["provenance"]["service_id"]: s for s in run(shared / "fixtures" / "hsds" / "hsds-1.1-ilao").services}
    upsolve = services["127461"]
    assert upsolve["address"] == {"street": "150 Court Street, 2nd Floor", "city": "Brooklyn", "region": "NY",
                                  "postal_code": "11201", "country": "US"}
    assert upsolve["provenance"]["geocoded"] == "postal_code"
    assert upsolve["hours"] == [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "08:00", "closes": "16:00"}]
    assert upsolve["cost"] == "free"


def test_datapackage_json_and_zip_read_like_the_folder(shared, tmp_path):
    folder = shared / "fixtures" / "hsds" / "hsds-3.0-example"
    expected = run(folder).services
    assert run(folder / "datapackage.json").services == expected
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in folder.iterdir():
            z.write(file, f"export/{file.name}")  # zipped with its folder, as people do
    assert run(archive).services == expected
    unpacked = tmp_path / "unpacked"
    shutil.copytree(folder, unpacked / "inner")
    assert run(unpacked).services == expected


# --- messy exports, one case at a time ---------------------------------------------------------

SERVICES_HEADER = "id,organization_id,name,description,status,url,fees\n"


def test_blank_and_missing_ids_keep_the_record_with_a_stable_id(tmp_path):
    write(tmp_path, "services.csv", SERVICES_HEADER + ",o1,Harbor Van,Mobile outreach,active,,\n"
                                                      ",o1,Harbor Van,Mobile outreach,active,,Free\n")
    first, again = run(tmp_path), run(tmp_path)
    ids = [s["id"] for s in first.services]
    assert len(ids) == 2 and len(set(ids)) == 2 and all(i.startswith("harbor-van-") for i in ids)
    assert ids == [s["id"] for s in again.services]
    write(tmp_path / "noid", "services.csv", "name,description\nHarbor Van,Outreach\n")
    assert run(tmp_path / "noid").report.imported == 1


def test_trailing_spaces_in_headers_and_values(tmp_path):
    write(tmp_path, "services.csv", " ID , Name ,Status \ns1 ,  Harbor Van  , Active \n")
    (service,) = run(tmp_path).services
    assert service["name"] == "Harbor Van" and service["id"] == "harbor-van-s1"


def test_byte_order_mark(tmp_path):
    write(tmp_path, "services.csv", "\ufeffid,name\ns1,Harbor Van\n")
    assert run(tmp_path).services[0]["id"] == "harbor-van-s1"


def test_cp1252_file(tmp_path):
    write(tmp_path, "services.csv", "id,name,description\ns1,Café Outreach,“Drop in” for supplies\n", encoding="cp1252")
    (service,) = run(tmp_path).services
    assert service["name"] == "Café Outreach" and service["summary"] == "“Drop in” for supplies"


def test_decode_fallbacks():
    assert decode("\ufeffa,b".encode("utf-8")) == "a,b"
    assert decode("a,é".encode("utf-16")) == "a,é"
    assert decode(b"caf\xe9") == "café"
    assert decode(b"\x81x") == "\x81x"  # a byte cp1252 leaves undefined still reads


@pytest.mark.parametrize("text, closing, expected", [
    ("9:00", False, "09:00"), ("09:00:00", False, "09:00"), ("8:00am", False, "08:00"), ("5:00pm", False, "17:00"),
    ("5:00 PM", False, "17:00"), ("5 p.m.", False, "17:00"), ("12pm", False, "12:00"), ("12am", False, "00:00"),
    ("0930", False, "09:30"), ("noon", False, "12:00"), ("10:00:00Z", False, "10:00"), ("10:00:00-05:00", False, "10:00"),
    ("23:59", True, "24:00"), ("00:00", True, "24:00"), ("midnight", True, "24:00"), ("24:00", True, "24:00"),
    ("13pm", False, None), ("25:00", False, None), ("9:75", False, None), ("", False, None), ("closed", False, None),
])
def test_times(text, closing, expected):
    assert parse_time(text, closing) == expected


@pytest.mark.parametrize("text, expected", [
    ("Monday", ["mon"]), ("mon", ["mon"]), ("1", ["mon"]), ("7", ["sun"]), ("0", ["sun"]), ("MO,TU", ["mon", "tue"]),
    ("Mon-Fri", ["mon", "tue", "wed", "thu", "fri"]), ("Fri-Mon", ["fri", "sat", "sun", "mon"]),
    ("Monday - Friday", ["mon", "tue", "wed", "thu", "fri"]), ("Sat through Sun", ["sat", "sun"]),
    ("Tues and Thurs", ["tue", "thu"]), ("1MO", []), ("-1FR", []), ("someday", []),
])
def test_weekdays(text, expected):
    assert list(parse_days(text)) == expected


def _linked_export(folder: Path) -> None:
    """Two services at one location, one service at two: schedules linked in each of the three ways."""
    write(folder, "services.csv", "id,name\ns1,Alpha\ns2,Beta\ns3,Gamma\n")
    write(folder, "locations.csv", "id,name,latitude,longitude\nl1,North Site,39.3,-76.6\nl2,South Site,39.2,-76.6\n")
    write(folder, "services_at_location.csv", "id,service_id,location_id\nsal1,s1,l1\nsal2,s2,l1\nsal3,s3,l1\nsal4,s3,l2\n")
    write(folder, "regular_schedules.csv",
          "service_id,location_id,service_at_location_id,weekday,opens_at,closes_at\n"
          ",l1,,Monday,9:00,17:00\n"        # the location's hours: for services with nothing of their own
          "s2,,,Tuesday,10:00,12:00\n"      # Beta's own hours, at any of its places
          ",,sal4,Wednesday,1:00 PM,3:00 PM\n"  # Gamma at the south site only
          "s1,,,Thursday,9:00,9:00\n")      # opens when it closes: cannot be right, dropped


def test_schedules_linked_by_service_location_or_service_at_location(tmp_path):
    _linked_export(tmp_path)
    services = by_name(run(tmp_path))
    assert services["Alpha"]["hours"] == [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]
    assert services["Beta"]["hours"] == [{"days": ["tue"], "opens": "10:00", "closes": "12:00"}]
    # One service at two places is two listings, told apart by the place, each with its own hours.
    assert services["Gamma (North Site)"]["hours"] == [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]
    assert services["Gamma (South Site)"]["hours"] == [{"days": ["wed"], "opens": "13:00", "closes": "15:00"}]
    assert services["Gamma (South Site)"]["id"] == "gamma-sal4"


def test_hsds_3_schedules_use_byday_and_skip_what_weekly_hours_cannot_say(tmp_path):
    write(tmp_path, "services.csv", "id,name,status\ns1,Van,active\n")
    write(tmp_path, "schedules.csv",
          "id,service_id,freq,interval,byday,opens_at,closes_at,valid_to,description\n"
          "a,s1,WEEKLY,1,\"MO,WE\",08:00:00,12:00:00,,\n"
          "b,s1,MONTHLY,,1SA,10:00:00,14:00:00,,First Saturday of the month at the park\n"
          "c,s1,WEEKLY,2,FR,10:00:00,14:00:00,,\n"
          "d,s1,WEEKLY,,SU,10:00:00,14:00:00,2020-01-01,Summer Sundays\n"
          "e,s1,WEEKLY,,MO,08:00:00,12:00:00,,\n")
    (service,) = run(tmp_path).services
    assert service["hours"] == [{"days": ["mon", "wed"], "opens": "08:00", "closes": "12:00"}]
    assert service["hours_note"] == "First Saturday of the month at the park"


def test_blank_or_out_of_range_coordinates_are_geocoded_from_the_zip(tmp_path):
    write(tmp_path, "services.csv", "id,name,location_id\ns1,Blank,l1\ns2,Far,l2\ns3,Zero,l3\ns4,Fine,l4\ns5,Nowhere,l5\n")
    write(tmp_path, "locations.csv", "id,name,latitude,longitude\nl1,A,,\nl2,B,100,101\nl3,C,0,0\nl4,D,39.2904,-76.6122\nl5,E,,\n")
    write(tmp_path, "addresses.csv", "id,location_id,address_1,city,state_province,postal_code,country\n"
                                     "a1,l1,1 Main St,Baltimore,MD,21201,US\na2,l2,1 Main St,Baltimore,MD,21201-1234,USA\n"
                                     "a3,l3,1 Main St,Baltimore,MD,21201,\na5,l5,1 Rue,Paris,,75001,FR\n")
    result = run(tmp_path)
    services = by_name(result)
    for name in ("Blank", "Far", "Zero"):
        assert services[name]["provenance"]["geocoded"] == "postal_code"
        assert services[name]["lat"] == pytest.approx(39.29, abs=0.05) and services[name]["lon"] == pytest.approx(-76.62, abs=0.05)
    assert services["Fine"]["lat"] == 39.2904 and "geocoded" not in services["Fine"]["provenance"]
    assert "lat" not in services["Nowhere"]  # a French postal code is not looked up as a US ZIP
    assert services["Far"]["address"]["country"] == "US"
    assert (result.report.located, result.report.geocoded) == (4, 3)


def test_addresses_with_run_together_lines(tmp_path):
    write(tmp_path, "services.csv", "id,name,location_id\ns1,A,l1\ns2,B,l2\ns3,C,l3\n")
    write(tmp_path, "locations.csv", "id,name\nl1,One\nl2,Two\nl3,Three\n")
    write(tmp_path, "physical_addresses.csv",
          "location_id,address_1,city,state_province,postal_code\n"
          "l1,77 W Washington StSuite 1820Chicago,,IL,60602\n"
          "l2,300 Grand Ave STE AWaukegan,,IL,60085\n"
          "l3,1 McDonald Ave,Baltimore,MD,21201\n")  # a city of its own: left alone
    services = by_name(run(tmp_path))
    assert services["A"]["address"]["street"] == "77 W Washington St, Suite 1820"
    assert services["A"]["address"]["city"] == "Chicago"
    assert services["B"]["address"]["street"] == "300 Grand Ave STE A"
    assert services["B"]["address"]["city"] == "Waukegan"
    assert services["C"]["address"]["street"] == "1 McDonald Ave"


def test_extra_and_missing_columns(tmp_path):
    write(tmp_path, "services.csv", "name,our_internal_code,Notes For Staff\nHarbor Van,X-1,call first,spill-over cell\n")
    write(tmp_path, "phones.csv", "service_id,number\n,410-555-0100\n")  # no id column to link: ignored
    (service,) = run(tmp_path).services
    assert service["name"] == "Harbor Van" and "phone" not in service


def test_duplicate_rows(tmp_path):
    write(tmp_path, "services.csv", "id,name\ns1,Harbor Van\ns1,Harbor Van\ns2,Other\n")
    write(tmp_path, "regular_schedules.csv", "service_id,weekday,opens_at,closes_at\n" + "s1,Monday,9:00,17:00\n" * 3 +
          "s1,mon,9am,5pm\n")
    result = run(tmp_path)
    assert result.report.imported == 2 and result.report.skipped == {"duplicate row": 1}
    assert by_name(result)["Harbor Van"]["hours"] == [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]


def test_same_id_with_different_content_keeps_both(tmp_path):
    write(tmp_path, "services.csv", "id,name\ns1,Harbor Van\ns1,Harbor Van East\n")
    ids = [s["id"] for s in run(tmp_path).services]
    assert ids == ["harbor-van-s1", "harbor-van-east-s1"]
    write(tmp_path / "same", "services.csv", "id,name,description\ns1,Harbor Van,a\ns1,Harbor Van,b\n")
    assert [s["id"] for s in run(tmp_path / "same").services] == ["harbor-van-s1", "harbor-van-s1-2"]


def test_inactive_and_defunct_are_skipped_and_counted(tmp_path):
    write(tmp_path, "services.csv", "id,name,status\n1,A,active\n2,B,Inactive\n3,C,defunct\n4,D,temporarily closed\n5,E,\n6,,active\n")
    result = run(tmp_path)
    assert [s["name"] for s in result.services] == ["A", "E"]
    assert result.report.skipped == {"inactive": 1, "defunct": 1, "temporarily closed": 1, "no name": 1}
    assert "skipped: 4 (1 defunct, 1 inactive, 1 no name, 1 temporarily closed)" in result.report.lines()


def test_semicolon_separated_file(tmp_path):
    write(tmp_path, "services.csv", "id;name;description\ns1;Harbor Van;Outreach, supplies\n")
    assert run(tmp_path).services[0]["summary"] == "Outreach, supplies"


def test_offers_from_taxonomy_terms_and_text(tmp_path):
    write(tmp_path, "services.csv", "id,name,description\n"
                                    "s1,Harbor Van,Narcan and needle exchange from the van\n"
                                    "s2,Legal Aid,Works with families; referral to lawyers; peer review of cases\n"
                                    "s3,Clinic,Primary care\n"
                                    "s4,Recovery Hub,Meet a recovery coach\n")
    write(tmp_path, "services_taxonomy.csv", "service_id,taxonomy_id\ns3,t1\ns3,t2\n")
    write(tmp_path, "taxonomy.csv", "id,name\nt1,Detox\nt2,Treatment\n")
    services = by_name(run(tmp_path))
    assert services["Harbor Van"]["offers"] == ["naloxone", "syringe-services"]
    assert "offers" not in services["Legal Aid"]  # "peer" and "referral" alone are not enough in free text
    assert services["Clinic"]["offers"] == ["treatment-referral"]  # a term that is exactly an alias counts
    assert services["Recovery Hub"]["offers"] == ["peer-support"]


def test_hsds_3_offers_from_attributes(tmp_path):
    write(tmp_path, "services.csv", "id,name,status\ns1,Van,active\n")
    write(tmp_path, "taxonomy_terms.csv", "id,code,name,description\nt1,SSP-01,Syringe Services Programs,x\nt2,naloxone,Something else,x\n")
    write(tmp_path, "attributes.csv", "id,link_id,taxonomy_term_id,link_entity,value\na1,s1,t2,service,\na2,s1,t1,service,\n")
    assert run(tmp_path).services[0]["offers"] == ["naloxone", "syringe-services"]


def test_languages_to_iso_639_1(tmp_path):
    write(tmp_path, "services.csv", "id,name\ns1,Van\n")
    write(tmp_path, "languages.csv", "service_id,language\ns1,Spanish; Chinese (Mandarin)\ns1,spa\ns1,Hmong\ns1,fr-CA\n")
    assert run(tmp_path).services[0]["languages"] == ["es", "zh", "fr"]  # Hmong has no two-letter code
    assert languages.codes("English, Vietnamese and Haitian Creole / Tagalog") == ["en", "vi", "ht", "tl"]
    assert languages.iso639_1("eng") == "en" and languages.iso639_1("Klingon") is None


def test_phones(tmp_path):
    write(tmp_path, "services.csv", "id,name\ns1,Van\ns2,Line\n")
    write(tmp_path, "phones.csv", "service_id,number,extension,type\n"
                                  "s1,410-555-0199,,fax\ns1,(410) 555-0100,12,voice\ns1,41055,,sms\n"
                                  "s2,1-800-FLOWERS,,voice\ns2,800-555-0111,,hotline\n")
    services = by_name(run(tmp_path))
    assert services["Van"]["phone"] == "410 555-0100 x12" and services["Van"]["text"] == "41055"
    assert services["Van"]["access"] == ["text"]
    assert services["Line"]["phone"] == "800-555-0111" and services["Line"]["access"] == ["phone"]


@pytest.mark.parametrize("fees, expected", [
    ("Free", "free"), ("None.", "free"), ("No fee", "free"), ("Sliding scale based on income", "sliding-scale"),
    ("Vary according to income ($5-$90)", "sliding-scale"), ("Medicaid and most insurance accepted", "insurance"),
    ("$2.50 suggested donation", "low-cost"), ("Flat fee regardless of income", None), ("", None),
])
def test_fees_to_cost(fees, expected):
    assert importer.cost([fees]) == expected


def test_verified_from_dates_never_in_the_future(tmp_path):
    write(tmp_path, "services.csv", "id,name,assured_date,last_modified\n"
                                    "s1,A,2024-05-01,2025-01-02T10:00:00Z\ns2,B,2030-01-01,\ns3,C,0001-01-01,\ns4,D,5/6/2024,\n")
    services = by_name(run(tmp_path))
    assert services["A"]["verified"] == datetime.date(2025, 1, 2)
    assert "verified" not in services["B"] and "verified" not in services["C"]
    assert services["D"]["verified"] == datetime.date(2024, 5, 6)


def test_invalid_values_are_dropped_not_the_service(tmp_path):
    write(tmp_path, "services.csv", "id,name,url,email\ns1,Van,javascript:alert(1),not-an-email\ns2,Site,www.example.org,\n")
    services = by_name(run(tmp_path))
    assert "url" not in services["Van"]
    assert services["Site"]["url"] == "http://www.example.org"


def test_html_in_descriptions_becomes_plain_text(tmp_path):
    write(tmp_path, "services.csv", 'id,name,description\ns1,Van,"<p>Supplies &amp; <b>naloxone</b></p>\n<p>Daily</p>"\n')
    assert run(tmp_path).services[0]["summary"] == "Supplies & naloxone Daily"


def test_written_file_is_valid_and_loads_as_a_layer(tmp_path):
    _linked_export(tmp_path / "export")
    result = run(tmp_path / "export")
    out = tmp_path / "out.toml"
    result.write(out)
    loaded = catalog.load(catalog.layers([out], no_bundled=True, env={}))
    assert not loaded.problems
    assert sorted(loaded.services) == sorted(s["id"] for s in result.services)
    assert "alpha-sal1" in loaded.services


def test_errors_say_what_to_do(tmp_path):
    with pytest.raises(UsageError, match="No file or folder"):
        run(tmp_path / "missing")
    write(tmp_path / "empty", "locations.csv", "id,name\nl1,X\n")
    with pytest.raises(DataError, match="No services table"):
        run(tmp_path / "empty")
    bad = write(tmp_path, "broken.zip", "not a zip")
    with pytest.raises(DataError, match="not a readable zip"):
        run(bad)
    write(tmp_path / "badjson", "datapackage.json", "{")
    write(tmp_path / "badjson", "services.csv", "id,name\n1,A\n")
    with pytest.raises(DataError, match="not valid JSON"):
        run(tmp_path / "badjson")


def test_detects_the_layout(tmp_path):
    write(tmp_path / "a", "services.csv", "id,name\n1,A\n")
    write(tmp_path / "a", "physical_addresses.csv", "id,location_id\n")
    assert read_export(tmp_path / "a").format == "hsds-1.1"
    write(tmp_path / "b", "services.csv", "id,name\n1,A\n")
    write(tmp_path / "b", "schedules.csv", "id,service_id,freq,byday\n")
    assert read_export(tmp_path / "b").format == "hsds-2.0"
    write(tmp_path / "c", "services.csv", "id,name,location_id\n1,A,1\n")
    assert read_export(tmp_path / "c").format == "ohana"
    write(tmp_path / "d", "services.csv", "id,name\n1,A\n")
    write(tmp_path / "d", "service_at_location.csv", "id,service_id,location_id\n")
    write(tmp_path / "d", "addresses.csv", "id,location_id,address_type\n")
    assert read_export(tmp_path / "d").format == "hsds-3.0"


def test_a_damaged_zip_member_is_a_data_error(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        z.writestr("services.csv", "id,name\n1,Harbor Van\n")
    data = bytearray(archive.read_bytes())
    start = data.index(b"Harbor")
    data[start:start + 6] = b"Xarbor"  # the stored bytes no longer match their checksum
    archive.write_bytes(bytes(data))
    with pytest.raises(DataError, match="Cannot read services.csv"):
        run(archive)


@given(st.text(max_size=12), st.booleans())
def test_any_time_text_gives_a_valid_clock_time_or_none(text, closing):
    value = parse_time(text, closing)
    assert value is None or 0 <= hours.clock_minutes(value) <= 24 * 60


@given(st.text(max_size=20))
def test_any_day_text_gives_weekdays_or_nothing(text):
    assert set(parse_days(text)) <= set(DAYS)


@given(st.sampled_from([b"", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"]), st.binary(max_size=64))
def test_any_bytes_decode(start, data):
    assert isinstance(decode(start + data), str)


def test_the_bundled_vocabulary_finds_no_offers_in_a_legal_aid_directory(shared):
    # ILAO lists legal aid only: any offer found there would be a false match ("referral", "works", "HIV status").
    bundled = catalog.load(catalog.layers(no_bundled=True, env={})).offers
    assert run(shared / "fixtures" / "hsds" / "hsds-1.1-ilao", offers=bundled).report.with_offers == 0
