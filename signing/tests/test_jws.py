import copy
import json
import uuid
from decimal import Decimal

import pytest
from jwcrypto import jwk, jws

from invoices.issuing.tests.matrix import MATRIX
from signing.jws import canonical_json, document_digest, envelope_build, envelope_verify, jwks
from signing.models import EnvelopeKey
from signing.services import signing_envelope_key_rotate


def test_canonical_json_sorts_keys_drops_nulls_and_has_no_whitespace():
    value = {"b": 1, "a": {"z": None, "y": [None, True, False]}, "é": "x", "B": ""}
    assert canonical_json(value) == '{"B":"","a":{"y":[null,true,false]},"b":1,"é":"x"}'.encode()


def test_canonical_json_escapes_only_what_json_must():
    assert canonical_json('a"b\\c\n\t\x01\x1f</>é€') == '"a\\"b\\\\c\\n\\t\\u0001\\u001F</>é€"'.encode()


def test_canonical_json_writes_fractional_numbers_in_exponent_form():
    assert canonical_json([Decimal("123.4"), 0.0, Decimal("-0.05"), 56]) == b"[1.234E2,0.0E0,-5.0E-2,56]"


def test_canonical_json_refuses_what_json_cannot_hold():
    for bad in ["\ud800", float("nan"), {1: "x"}, object()]:
        with pytest.raises(ValueError, match=r"."):
            canonical_json(bad)


def test_the_digest_ignores_key_order_and_nulls():
    assert document_digest({"a": 1, "b": None}) == document_digest({"a": 1})
    assert document_digest(json.loads('{"b": 2, "a": 1}')) == document_digest({"a": 1, "b": 2})


@pytest.mark.parametrize("case", sorted(MATRIX))
def test_an_envelope_of_every_matrix_document_verifies(alice, case):
    document = MATRIX[case]()
    envelope = envelope_build(company=alice, document=document, uuid=str(uuid.uuid4()))
    # Through JSON and back, as a client sends it.
    result = envelope_verify(json.loads(json.dumps(envelope), parse_float=Decimal))
    assert result.problems == []
    assert result.valid
    assert result.signed_by == "Alice Trading Sdn Bhd"
    assert result.invoice_id == document["id"]
    assert result.signed_at is not None


def test_the_envelope_has_the_gobl_shape(alice):
    document = MATRIX["one_rate"]()
    envelope = envelope_build(company=alice, document=document, uuid="0190f4f5-0000-7000-8000-000000000001")
    assert envelope["$schema"] == "https://gobl.org/draft-0/envelope"
    assert envelope["head"] == {
        "uuid": "0190f4f5-0000-7000-8000-000000000001",
        "dig": {"alg": "sha256", "val": document_digest(document)},
    }
    assert envelope["doc"] == document
    (token,) = envelope["sigs"]
    assert token.count(".") == 2
    header = jws.JWS()
    header.deserialize(token)
    assert header.jose_header == {"alg": "ES256", "kid": EnvelopeKey.objects.get(company=alice).kid}


@pytest.fixture
def envelope(alice):
    return envelope_build(company=alice, document=MATRIX["several_rates"](), uuid=str(uuid.uuid4()))


def _changed(envelope, change):
    changed = copy.deepcopy(envelope)
    change(changed)
    return envelope_verify(changed)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["doc"]["totals"].update(payable="1.00"),
        lambda e: e["doc"]["lines"][0].update(quantity="11"),
        lambda e: e["doc"]["customer"].update(name="Someone Else"),
        lambda e: e["doc"].update(notes=e["doc"]["notes"] + " "),
        lambda e: e["doc"].update(extra="field"),
        lambda e: e["doc"].pop("number"),
    ],
    ids=["payable", "quantity", "customer", "one_character", "added_field", "removed_field"],
)
def test_one_changed_field_in_the_document_makes_the_envelope_invalid(envelope, change):
    result = _changed(envelope, change)
    assert not result.valid
    assert "changed after it was signed" in " ".join(result.problems)


def test_a_document_changed_with_a_matching_head_digest_is_invalid(envelope):
    def change(changed):
        changed["doc"]["totals"]["payable"] = "1.00"
        changed["head"]["dig"]["val"] = document_digest(changed["doc"])

    result = _changed(envelope, change)
    assert not result.valid
    assert "another document" in " ".join(result.problems)


def test_a_changed_uuid_makes_the_envelope_invalid(envelope):
    assert not _changed(envelope, lambda e: e["head"].update(uuid=str(uuid.uuid4()))).valid


def test_a_flipped_character_in_the_signature_makes_the_envelope_invalid(envelope):
    token = envelope["sigs"][0]
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    assert not _changed(envelope, lambda e: e.update(sigs=[flipped])).valid


def test_an_envelope_signed_by_a_foreign_key_is_invalid(envelope):
    kid = str(uuid.uuid4())
    foreign = jwk.JWK.generate(kty="EC", crv="P-256", kid=kid)
    token = jws.JWS(json.dumps({"uuid": envelope["head"]["uuid"], "dig": envelope["head"]["dig"], "iat": 1}))
    token.add_signature(foreign, alg="ES256", protected=json.dumps({"alg": "ES256", "kid": kid}))
    result = _changed(envelope, lambda e: e.update(sigs=[token.serialize(compact=True)]))
    assert not result.valid
    assert result.signed_by is None
    assert result.problems == ["It is not signed by a key of this instance."]


def test_a_foreign_key_reusing_one_of_our_kids_does_not_verify(alice, envelope):
    foreign = jwk.JWK.generate(kty="EC", crv="P-256")
    kid = EnvelopeKey.objects.get(company=alice).kid
    payload = {"uuid": envelope["head"]["uuid"], "dig": envelope["head"]["dig"], "iat": 2_000_000_000}
    token = jws.JWS(json.dumps(payload))
    token.add_signature(foreign, alg="ES256", protected=json.dumps({"alg": "ES256", "kid": kid}))
    assert not _changed(envelope, lambda e: e.update(sigs=[token.serialize(compact=True)])).valid


def test_an_envelope_signed_before_the_key_was_rotated_still_verifies(alice, envelope):
    signing_envelope_key_rotate(company=alice)
    assert envelope_verify(envelope).valid
    newer = envelope_build(company=alice, document=MATRIX["yen"](), uuid=str(uuid.uuid4()))
    assert envelope_verify(newer).valid


@pytest.mark.parametrize(
    "garbage",
    [None, [], "text", {}, {"head": {}, "doc": {}, "sigs": []}, {"head": {"uuid": "x", "dig": "y"}, "doc": 1}],
)
def test_a_malformed_envelope_is_invalid_and_never_raises(db, garbage):
    result = envelope_verify(garbage)
    assert not result.valid
    assert result.problems


def test_an_envelope_without_signatures_is_invalid(envelope):
    assert _changed(envelope, lambda e: e.update(sigs=[])).problems == ["The envelope carries no signature."]


def test_the_jwks_lists_the_key_and_a_signature_verifies_against_it_with_plain_jwcrypto(alice, envelope):
    key_set = jwk.JWKSet.from_json(json.dumps(jwks()))
    (token,) = envelope["sigs"]
    parsed = jws.JWS()
    parsed.deserialize(token)
    public = key_set.get_key(parsed.jose_header["kid"])
    assert public is not None
    assert not public.has_private
    parsed.verify(public, alg="ES256")
    payload = json.loads(parsed.payload)
    assert payload["dig"] == envelope["head"]["dig"]
    assert payload["uuid"] == envelope["head"]["uuid"]
    assert isinstance(payload["iat"], int)


def test_the_jwks_publishes_only_public_members(alice, bob):
    published = jwks()["keys"]
    assert len(published) == 2
    for key in published:
        assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
        assert key["alg"] == "ES256"
        assert key["use"] == "sig"
        assert "alice" not in json.dumps(key).lower()
