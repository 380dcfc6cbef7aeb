"""``python -m hotspot_patrol_plugin.spark --pings ... --zones ... --out ...`` (a local session)."""

import sys

from .job import main

sys.exit(main())
