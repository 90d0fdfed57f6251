"""JumpCloud's side, through its API: the stand-in that imitates it, and the client.

Every test here starts from an environment without proxy, CA-file or JumpCloud variables
(the machine running the tests may have its own), and sets what it needs.
"""

from __future__ import annotations

from tests.support.jumpcloud_fixtures import plain_environment, start_standin, trusted

__all__ = ["plain_environment", "start_standin", "trusted"]
