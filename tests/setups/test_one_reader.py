"""One definition of a valid setup file: the model's. The start list reads quickly where it
is certain and asks the model otherwise, so a file the model accepts is never moved aside,
and what the list shows is what the model reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.constants import DOMAIN, ORG_ID
from tests.support.verifying import report_of
from tests.support.wizard_app import record
from wizard.core.setups.state import SetupState
from wizard.core.setups.store import Store

CREATED = "2025-03-04T05:06:07+00:00"


def schema_1(**fields: Any) -> dict[str, Any]:
    """A file as 0.1.0 wrote it: no `updated_at` (it had a default), runs inside."""
    return {
        "schema_version": 1,
        "name": DOMAIN,
        "domains": [DOMAIN],
        "org_id": ORG_ID,
        "step": "verify",
        "created_at": CREATED,
        "history": [{"at": CREATED, "outcomes": [{"domain": DOMAIN, "ok": True}]}],
        **fields,
    }


def test_a_schema_1_file_without_updated_at_is_listed_not_set_aside(tmp_path: Path) -> None:
    (tmp_path / f"{DOMAIN}.setup.json").write_text(json.dumps(schema_1()))
    store = Store(tmp_path)
    [listed] = store.list_setups()
    assert store.all_notices() == [] and not list(tmp_path.glob("*.corrupt-*"))
    assert listed.name == DOMAIN and listed.updated_at == datetime.fromisoformat(CREATED)
    assert listed.summary.runs == 1 and listed.last_verified_at is not None
    loaded = store.load(DOMAIN)
    assert loaded is not None and loaded.updated_at == listed.updated_at


# Each field the start list shows, with values of every kind: the list and the model must
# agree on every file built from them.
FIELD_VALUES: dict[str, list[Any]] = {
    "name": [DOMAIN, "other.example", 7, None],
    "provider": ["jumpcloud", "intune", "generic", "mobileiron", 3, None],
    "org_id": [ORG_ID, None, 12, ["x"]],
    "domains": [[DOMAIN], [], [DOMAIN, "b.example"], "a.example", [1], None],
    "step": ["verify", "organization", "nowhere", 1],
    "updated_at": [CREATED, "2025-03-04T05:06:07Z", "2025-03-04T05:06:07", "yesterday", 5],
    "schema_version": [1, 2, 3, "2"],
}


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.fixed_dictionaries(
        {key: st.sampled_from(values) for key, values in FIELD_VALUES.items()},
        optional={"created_at": st.sampled_from([CREATED, None])},
    ),
    st.sets(st.sampled_from(sorted(FIELD_VALUES))),
)
def test_the_list_and_the_model_agree_on_any_file(
    tmp_path_factory: Any, fields: dict[str, Any], left_out: set[str]
) -> None:
    folder: Path = tmp_path_factory.mktemp("state")
    raw = {key: value for key, value in fields.items() if key not in left_out}
    (folder / f"{DOMAIN}.setup.json").write_text(json.dumps(raw))
    listed = Store(folder).list_setups()
    loaded = Store(folder).load(DOMAIN)
    if loaded is None:
        # The model refused it: it is set aside (once, by whichever read it first).
        assert listed == [] or len(list(folder.glob("*.corrupt-*"))) <= 1
        return
    # The model accepted it: never moved aside, and listed as the model reads it.
    assert not list(folder.glob("*.corrupt-*"))
    [shown] = listed
    assert (shown.name, shown.provider, shown.org_id, shown.domains, shown.step) == (
        loaded.name,
        loaded.provider,
        loaded.org_id,
        loaded.domains,
        loaded.step,
    )
    assert shown.updated_at == loaded.updated_at


def test_rename_keeps_when_it_was_last_verified(tmp_path: Path) -> None:
    """`rename` of a setup with runs left `status --json` with last_verified_at null while
    `runs` was 3 and last_passed_at set."""
    (tmp_path / f"{DOMAIN}.setup.json").write_text(json.dumps(schema_1()))
    store = Store(tmp_path)
    other = SetupState(name="b.example", domains=["b.example"])
    store.save(other)
    for failure in (None, "timeout", None):
        record(store, other, [report_of("b.example", failure)])
    for old, new in ((DOMAIN, "renamed.example"), ("b.example", "c.example")):
        before = store.load(old)
        assert before is not None
        store.rename(old, new)
        after = Store(tmp_path).load(new)
        assert after is not None
        row = after.summary_row()
        assert row["last_verified_at"] is not None
        assert row["last_verified_at"] == before.summary_row()["last_verified_at"]
        assert row["runs"] == before.summary.runs and row["last_passed_at"] is not None
        assert [r.domain for r in after.last_results] == [r.domain for r in before.last_results]


def test_a_rewritten_setup_file_is_private_even_when_found_looser(tmp_path: Path) -> None:
    path = tmp_path / f"{DOMAIN}.setup.json"
    path.write_text(json.dumps(schema_1()))
    path.chmod(0o644)
    store = Store(tmp_path)
    state = store.load(DOMAIN)
    assert state is not None
    record(store, state, [report_of(DOMAIN)], datetime(2026, 1, 1, tzinfo=UTC))  # migrates
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o666)
    store.rename(DOMAIN, "renamed.example")
    assert (tmp_path / "renamed.example.setup.json").stat().st_mode & 0o777 == 0o600


def test_a_tick_saved_under_a_renamed_item_stays_ticked(tmp_path: Path) -> None:
    # "personal_devices_allowed" became "personal_enrollment" (the `prereqs` check id).
    ticked = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    raw = {
        "schema_version": 2,
        "name": "corp",
        "provider": "jumpcloud",
        "org_id": ORG_ID,
        "domains": [DOMAIN],
        "prerequisites": {"personal_devices_allowed": ticked.isoformat()},
    }
    (tmp_path / "corp.setup.json").write_text(json.dumps(raw))
    state = Store(tmp_path).load("corp")
    assert state is not None
    assert state.prerequisites == {"personal_enrollment": ticked}
    assert state.jumpcloud_region == "us" and state.jumpcloud_api_url is None
