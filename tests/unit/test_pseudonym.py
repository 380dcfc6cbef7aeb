import hashlib
import hmac

import numpy as np
import pytest

from hotspot_patrol_plugin.core.pseudonym import pseudonym, pseudonymise


def test_pseudonym_is_keyed_hmac_sha256_prefix():
    expected = "U-" + hmac.new(b"secret", b"PC4471", hashlib.sha256).hexdigest()[:6]
    assert pseudonym("PC4471", "secret") == expected
    assert pseudonym(" PC4471 ", "secret") == expected  # surrounding blanks do not change the officer
    assert pseudonym("PC4471", "other key") != expected


def test_pseudonymise_is_stable_and_per_id():
    out = pseudonymise(["NE21", "NE22", "NE21"], "k")
    assert out[0] == out[2] != out[1]
    assert list(out) == [pseudonym("NE21", "k"), pseudonym("NE22", "k"), pseudonym("NE21", "k")]


def test_empty_key_is_refused():
    with pytest.raises(ValueError):
        pseudonym("x", "")


def test_collisions_are_lengthened(monkeypatch):
    import hotspot_patrol_plugin.core.pseudonym as p

    monkeypatch.setattr(p, "DIGITS", 0)  # every short pseudonym collides
    original = p.pseudonym
    monkeypatch.setattr(p, "pseudonym", lambda u, k, digits=0: original(u, k, digits))
    out = p.pseudonymise(np.array(["a", "b"]), "k")
    assert len(set(out)) == 2 and all(len(x) == 2 + 16 for x in out)
