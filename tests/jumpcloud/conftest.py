"""JumpCloud's side, through its API: the stand-in that imitates it, and the client.

Every test here starts from an environment without proxy, CA-file or JumpCloud variables
(the machine running the tests may have its own), and sets what it needs; the stand-in and
`trusted` are in tests/conftest.py.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def plain(plain_environment: None) -> None:
    """Every test here starts without the outside variables."""
