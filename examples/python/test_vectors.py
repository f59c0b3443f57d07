"""Decrypts every committed test vector (test-vectors/) with only the specification, `cryptography` and
`fastavro`, and checks each intermediate value: data key, associated data, plaintext bytes, decoded value."""
import decimal
import json
import pathlib
import zlib

import pytest
from cryptography.exceptions import InvalidTag

import envelope

VECTORS_DIR = pathlib.Path(__file__).resolve().parents[2] / "test-vectors"
KEKS = json.loads((VECTORS_DIR / "keks.json").read_text(encoding="utf-8"))
VECTORS = json.loads((VECTORS_DIR / "envelopes.json").read_text(encoding="utf-8"), parse_float=decimal.Decimal)["vectors"]
# The schema registry of the vectors that keep their payload schema there (format avro-registry): id -> schema text.
REGISTRY = {v["registeredSchema"]["id"]: v["registeredSchema"]["schema"] for v in VECTORS if "registeredSchema" in v}


def unwrap(e):
    if e["keyId"] == KEKS["rsa"]["keyId"]:
        return envelope.unwrap_with_rsa_private_key(KEKS["rsa"]["privateKeyPkcs8Pem"], e["dataKeyWrapAlgorithm"],
                                                    e["wrappedDataKey"])
    assert e["keyId"] == KEKS["local"]["keyId"]
    return envelope.unwrap_with_local_key(KEKS["local"]["keyBase64"], e["dataKeyWrapAlgorithm"], e["wrappedDataKey"])


def test_the_keyring_vector_decrypts_with_either_kek_alone():
    vector = next(v for v in VECTORS if v["name"] == "payment-keyring")
    e = envelope.envelope_from_json(vector["envelope"])
    copies = envelope.wrapped_copies(e)
    assert [c[1] for c in copies] == ["RSA-OAEP-256", "A256KW"]
    by_rsa = envelope.unwrap_with_rsa_private_key(KEKS["rsa"]["privateKeyPkcs8Pem"], copies[0][1], copies[0][2])
    by_local = envelope.unwrap_with_local_key(KEKS["local"]["keyBase64"], copies[1][1], copies[1][2])
    assert by_rsa == by_local == bytes.fromhex(vector["dataKeyHex"])
    for data_key in (by_rsa, by_local):
        assert envelope.canonical(envelope.decrypt(e, data_key)) == vector["expectedJson"]


def test_the_vectors_cover_every_wrap_algorithm_and_plaintext_format():
    assert {v["envelope"]["dataKeyWrapAlgorithm"] for v in VECTORS} == {"RSA-OAEP-256", "RSA-OAEP", "A256KW"}
    assert {v["envelope"]["payloadFormat"] for v in VECTORS} == {"avro", "avro-schemaless", "avro-registry+zstd",
                                                                 "avro+lz4", "avro-schemaless+snappy"}


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_decrypts_step_by_step(vector):
    e = envelope.envelope_from_json(vector["envelope"])
    envelope.check(e)
    data_key = unwrap(e)
    assert data_key.hex() == vector["dataKeyHex"]
    assert envelope.associated_data(e).hex() == vector["associatedDataHex"]
    plaintext = envelope.decrypt_payload(e, data_key)
    assert plaintext.hex() == vector.get("compressedPlaintextHex", vector["plaintextHex"])
    assert envelope.decompress(e, plaintext).hex() == vector["plaintextHex"]
    if envelope.payload_format(e)[0] != "avro-schemaless":
        assert envelope.writer_schema(e, REGISTRY.get) == vector["payloadSchemaJson"]
    assert envelope.canonical(envelope.decode_plaintext(e, plaintext, REGISTRY.get)) == vector["expectedJson"]


def test_a_registry_that_serves_another_schema_is_refused():
    vector = next(v for v in VECTORS if "registeredSchema" in v)
    e = envelope.envelope_from_json(vector["envelope"])
    swapped = vector["registeredSchema"]["schema"].replace('"cardNumber"', '"paymentIdX"')
    plaintext = envelope.decrypt_payload(e, unwrap(e))
    with pytest.raises(envelope.EnvelopeError, match="another schema under id 7"):
        envelope.decode_plaintext(e, plaintext, lambda schema_id: swapped)
    with pytest.raises(envelope.EnvelopeError, match="give a registry"):
        envelope.decode_plaintext(e, plaintext)


@pytest.mark.parametrize("compression", ["zstd", "lz4", "snappy"])
def test_compressed_payloads_that_declare_too_much_or_lie_are_refused(compression):
    vector = next(v for v in VECTORS if v["envelope"]["payloadFormat"].endswith("+" + compression))
    e = envelope.envelope_from_json(vector["envelope"])
    good = bytes.fromhex(vector["compressedPlaintextHex"])
    for bad in (good[:-3], good + b"junk", b"\x00" * 4):
        with pytest.raises(envelope.EnvelopeError):
            envelope.decompress(e, bad)


def test_the_vectors_include_a_context_bound_envelope():
    assert any(v["envelope"].get("context") for v in VECTORS)
    assert any(v["envelope"].get("context") is None for v in VECTORS)


@pytest.mark.parametrize("field", ["id", "timestamp", "eventType", "context", "metadata", "payloadFormat",
                                   "payloadSchema", "encryptedPayload", "iv"])
def test_changing_an_authenticated_field_fails(field):
    vector = VECTORS[0]
    e = envelope.envelope_from_json(vector["envelope"])
    data_key = unwrap(e)
    if field == "timestamp":
        e[field] += 1
    elif field == "metadata":
        e[field] = dict(e[field], source="elsewhere")
    elif field in ("payloadSchema", "encryptedPayload", "iv"):
        e[field] = bytes([e[field][0] ^ 1]) + e[field][1:]
    elif field == "payloadFormat":
        e[field] = "avro-schemaless"
        e["payloadSchema"] = None
    else:
        e[field] = e[field] + "x"
    with pytest.raises(InvalidTag):
        envelope.decrypt_payload(e, data_key)


SIGNING_KEYS = {KEKS["rsa"]["keyId"]: envelope.serialization.load_pem_public_key(
    KEKS["rsa"]["publicKeySpkiPem"].encode("ascii"))}


def test_signed_vectors_verify_and_a_moved_or_missing_signature_is_refused():
    signed = [envelope.envelope_from_json(v["envelope"]) for v in VECTORS if v["envelope"].get("dataKeySignature")]
    assert signed
    for e in signed:
        envelope.verify_data_key_signature(e, SIGNING_KEYS)
    vector = next(v for v in VECTORS if v["envelope"].get("dataKeySignature"))
    e = envelope.envelope_from_json(vector["envelope"])
    assert (envelope.STATEMENT_LABEL + e["dataKeyCommitment"]).hex() == vector["dataKeyStatementHex"]
    other = envelope.envelope_from_json(next(v for v in VECTORS if v is not vector)["envelope"])
    with pytest.raises(envelope.EnvelopeError, match="does not verify"):
        envelope.verify_data_key_signature(dict(e, dataKeyCommitment=other["dataKeyCommitment"]), SIGNING_KEYS)
    with pytest.raises(envelope.EnvelopeError, match="not signed"):
        envelope.verify_data_key_signature(other, SIGNING_KEYS)
    with pytest.raises(envelope.EnvelopeError, match="not signed"):
        envelope.verify_data_key_signature(dict(e, signingKeyId="https://elsewhere.example/keys/k/1"), SIGNING_KEYS)


def test_a_data_key_other_than_the_committed_one_is_refused_before_decrypting():
    e = envelope.envelope_from_json(VECTORS[0]["envelope"])
    other = envelope.envelope_from_json(VECTORS[1]["envelope"])
    with pytest.raises(envelope.EnvelopeError, match="commits to"):
        envelope.decrypt_payload(e, unwrap(other))


def test_an_envelope_bound_to_another_context_is_refused():
    e = envelope.envelope_from_json(VECTORS[0]["envelope"])
    envelope.check_context(e, e["context"])
    envelope.check_context(e, None)
    with pytest.raises(envelope.EnvelopeError, match="context"):
        envelope.check_context(e, "another.topic")


@pytest.mark.parametrize("version", [1, 3])
def test_an_unknown_version_is_refused_before_decrypting(version):
    e = envelope.envelope_from_json(VECTORS[0]["envelope"])
    e["envelopeVersion"] = version
    with pytest.raises(envelope.EnvelopeError, match="version"):
        envelope.check(e)


def test_a_payload_schema_that_inflates_past_the_limit_is_refused():
    bomb = zlib.compress(b" " * (envelope.MAX_SCHEMA_JSON_BYTES + 10))[2:-4]  # raw DEFLATE, as carried
    assert len(bomb) < 64 * 1024
    with pytest.raises(envelope.EnvelopeError, match="inflates beyond"):
        envelope._inflate(bomb)
