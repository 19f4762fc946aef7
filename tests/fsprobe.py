"""Whether this test process can bypass file permissions (root, or CAP_DAC_OVERRIDE)."""

from __future__ import annotations

import tempfile
from pathlib import Path


def permissions_are_bypassed() -> bool:
    """True when a write into a read-only folder succeeds: permission tests would prove nothing.

    A probe rather than ``euid == 0``: root without CAP_DAC_OVERRIDE (``setpriv``) is checked too.
    """
    with tempfile.TemporaryDirectory() as scratch:
        locked = Path(scratch) / "locked"
        locked.mkdir(mode=0o500)
        try:
            (locked / "probe").touch()
        except PermissionError:
            return False
        finally:
            locked.chmod(0o700)
        return True
