"""The values every test uses, typed out once. Test domains live under `.test` (never
resolvable) and reach the local servers through `--connect-to`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from wizard.core.protocol import DOCUMENT_PATH, WELL_KNOWN_PATH
from wizard.core.providers import jumpcloud

DOMAIN = "example.test"
JUMPCLOUD = jumpcloud.HOST
# JumpCloud's discovery path, and a JumpCloud organization ID of the documented shape.
DISCOVERY = "/account-driven-service-discovery"
ORG_ID = "5f1b2c3d4e5f6a7b8c9d0e1f"
# Another organization of the same shape, one character away from ORG_ID.
OTHER_ORG = ORG_ID[:-2] + "ff"
# The names the test certificate covers: the test domains, and the MDMs' enrollment servers
# the tests' documents name (their BaseURL's host is checked too, on the same server when a
# test routes every host there).
TEST_NAMES = [
    DOMAIN,
    f"*.{DOMAIN}",
    JUMPCLOUD,
    "*.jumpcloud.com",
    "*.microsoft.com",
    "*.jamfcloud.com",
    "*.manageengine.com",
    "*.acme.test",
    "127.0.0.1",
]
WELL_KNOWN = WELL_KNOWN_PATH
# The same path relative to a site's root: the file a self-hosted document is written to.
WELL_KNOWN_FILE = DOCUMENT_PATH
# JumpCloud's discovery URL for ORG_ID: where a redirect setup sends the device.
JUMPCLOUD_DISCOVERY = f"https://{JUMPCLOUD}{DISCOVERY}?organization_id={ORG_ID}"
BASE_URL = "https://mdm.example.test/enroll"
GOOD = json.dumps({"Servers": [{"Version": "mdm-byod", "BaseURL": BASE_URL}]})
# A Microsoft Entra tenant ID of the documented shape.
TENANT = "0f0e0d0c-1111-2222-3333-444455556666"
# The moment snapshots and screenshots are pinned to.
AT = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
TODAY = date(2026, 1, 2)
