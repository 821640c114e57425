"""The copy of the official HSDS schemas the tests use is the workplace's reference, unchanged."""

import gzip
from pathlib import Path

import pytest

COPY = Path(__file__).resolve().parents[1] / "data" / "hsds"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "hsds"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="no shared/hsds beside this checkout")
def test_the_copied_schemas_equal_the_reference():
    for original in sorted((REFERENCE / "schema").rglob("*.json")):
        relative = original.relative_to(REFERENCE)
        copy = COPY / relative
        if copy.exists():
            assert copy.read_bytes() == original.read_bytes(), relative
        else:
            zipped = copy.with_name(copy.name + ".gz")
            assert gzip.decompress(zipped.read_bytes()) == original.read_bytes(), relative
    for original in sorted((REFERENCE / "examples").glob("*.json")):
        assert (COPY / "examples" / original.name).read_bytes() == original.read_bytes()
