"""Build hook: compile the bundled data, the federal places and the ZIP table into files inside the wheel.

A fresh install then never compiles them: its first run is as fast as its second. Both files
are reproducible: the same sources and versions make the same bytes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return  # an editable install compiles into the cache folder, as a checkout does
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from hrfind import catalog, zips
        finally:
            sys.path.remove(str(root))
        out = Path(tempfile.mkdtemp(prefix="hrfind-build-"))
        zips.build(out / "zips.sqlite", zips.key())
        places = root / "places" / "hrfind-places.toml"  # places/build.py's output, committed
        problems = catalog.compile_packaged(root / "data", out / "bundled.sqlite", places)
        if problems:
            raise RuntimeError("the bundled data has problems; run `hrfind validate`:\n" + "\n".join(map(str, problems)))
        build_data["force_include"][str(out / "zips.sqlite")] = "hrfind/zips.sqlite"
        build_data["force_include"][str(out / "bundled.sqlite")] = "hrfind/bundled.sqlite"
        # The places as TOML too: with data of your own, the bundled files are copied from bundled.sqlite, and read
        # only when it cannot be used or a file was changed where it is installed (with the bundled data alone,
        # bundled.sqlite answers as it is).
        build_data["force_include"][str(places)] = "hrfind/places.toml"
