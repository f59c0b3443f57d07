"""Decrypting EncryptPayload envelopes outside Kafka Connect, following docs/envelope-spec.md.

Only the specification, the `cryptography` package (AES-GCM, RSA-OAEP, AES key wrap) and `fastavro` (Avro
binary decoding) are used, plus `lz4`, `zstandard` and `cramjam` (Snappy) for compressed payloads. An envelope here is a dict of its fields with bytes fields as `bytes`, which is
what confluent-kafka's AvroDeserializer returns; `envelope_from_json` turns the base64 form of the test
vectors into that.
"""
import base64
import datetime
import decimal
import functools
import hashlib
import hmac
import io
import json
import pathlib
import re
import struct
import zlib

import fastavro
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

ENVELOPE_VERSION = 2
ENCRYPTION_ALGORITHM = "AES-256-GCM"
COMMITMENT_LABEL = b"envelopecrypt data key commitment v2"
STATEMENT_LABEL = b"envelopecrypt data key statement v2"
BYTES_FIELDS = ("encryptedPayload", "iv", "wrappedDataKey", "payloadSchema", "dataKeyCommitment", "dataKeySignature")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_DYNAMIC_VALUE_AVSC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "dynamic-value.avsc"


class EnvelopeError(Exception):
    """The envelope is not one this reader can open (section 6 of the specification)."""


MAX_WRAPPED_COPIES = 8
BASE_FORMATS = ("avro", "avro-schemaless", "avro-registry")
COMPRESSIONS = ("lz4", "zstd", "snappy")
REGISTRY_REFERENCE_BYTES = 36  # section 5: a 4-byte schema id, then the SHA-256 of the schema text
MAX_PLAINTEXT_BYTES = 64 * 1024 * 1024  # section 7: refuse compressed payloads that declare more than this


def payload_format(e):
    """Section 5: (base format, compression or None) of `payloadFormat`, e.g. ("avro-registry", "zstd")."""
    base, _, compression = e["payloadFormat"].partition("+")
    return base, (compression or None)


def envelope_from_json(fields):
    """The test vectors' JSON form (bytes as base64) to the dict form used here."""
    e = dict(fields)
    for name in BYTES_FIELDS:
        if e.get(name) is not None:
            e[name] = base64.b64decode(e[name])
    if e.get("additionalWrappedKeys") is not None:
        e["additionalWrappedKeys"] = [dict(c, wrappedDataKey=base64.b64decode(c["wrappedDataKey"]))
                                      for c in e["additionalWrappedKeys"]]
    return e


def wrapped_copies(e):
    """Every wrapped copy of the data key as (keyId, dataKeyWrapAlgorithm, wrappedDataKey), the envelope's own fields
    first, then `additionalWrappedKeys` (one per further KEK of the writer's keyring; section 1)."""
    more = e.get("additionalWrappedKeys") or []
    if len(more) >= MAX_WRAPPED_COPIES:
        raise EnvelopeError("too many wrapped copies of the data key")
    return [(e["keyId"], e["dataKeyWrapAlgorithm"], bytes(e["wrappedDataKey"]))] + [
        (c["keyId"], c["dataKeyWrapAlgorithm"], bytes(c["wrappedDataKey"])) for c in more]


def _field(value):
    """int32 length + bytes (strings as UTF-8), or int32 -1 for null (section 3)."""
    if value is None:
        return struct.pack(">i", -1)
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return struct.pack(">i", len(data)) + data


def associated_data(e):
    """Section 3: the bytes GCM authenticates besides the ciphertext."""
    payload_binding = hashlib.sha256(_field(e["payloadFormat"]) + _field(e.get("payloadSchema"))).digest()
    out = struct.pack(">i", e["envelopeVersion"])
    out += _field(e["id"]) + struct.pack(">q", e["timestamp"]) + _field(e.get("eventType"))
    out += _field(e.get("context")) + _field(e["encryptionAlgorithm"]) + payload_binding
    metadata = e.get("metadata")
    if metadata is None:
        out += struct.pack(">i", -1)
    else:
        out += struct.pack(">i", len(metadata))
        for key in sorted(metadata, key=lambda k: k.encode("utf-8")):
            out += _field(key) + _field(metadata[key])
    return out


def check(e):
    """Step 1: refuse what this reader does not understand, before touching any key."""
    if e.get("envelopeVersion") != ENVELOPE_VERSION:
        raise EnvelopeError(f"unsupported envelope version {e.get('envelopeVersion')!r}")
    if e.get("encryptionAlgorithm") != ENCRYPTION_ALGORITHM:
        raise EnvelopeError(f"unsupported encryption algorithm {e.get('encryptionAlgorithm')!r}")
    if len(e.get("iv") or b"") != 12:
        raise EnvelopeError("the iv is not 12 bytes")
    if not isinstance(e.get("payloadFormat"), str):
        raise EnvelopeError("the payloadFormat is missing")
    base, compression = payload_format(e)
    if base not in BASE_FORMATS or (compression is not None and compression not in COMPRESSIONS):
        raise EnvelopeError(f"unsupported payload format {e.get('payloadFormat')!r}")
    if (base == "avro-schemaless") != (e.get("payloadSchema") is None):
        raise EnvelopeError("payloadSchema must be absent exactly for format 'avro-schemaless'")
    if base == "avro-registry" and len(e["payloadSchema"]) != REGISTRY_REFERENCE_BYTES:
        raise EnvelopeError("the registry reference in payloadSchema is not 36 bytes")
    if len(e.get("dataKeyCommitment") or b"") != 32:
        raise EnvelopeError("the dataKeyCommitment is not 32 bytes")
    if (e.get("signingKeyId") is None) != (e.get("dataKeySignature") is None):
        raise EnvelopeError("only one of signingKeyId and dataKeySignature")


def verify_data_key_signature(e, trusted_public_keys):
    """Section 4, step 2 for readers that require signed data keys: before unwrapping, check the RS256 signature
    over the data key statement with the public key of `signingKeyId`, taken from `trusted_public_keys` (a dict
    from key id to a `cryptography` RSA public key that you fetched from your vault, never from the record)."""
    public_key = trusted_public_keys.get(e.get("signingKeyId"))
    if public_key is None or e.get("dataKeySignature") is None:
        raise EnvelopeError("the data key is not signed by a trusted key")
    try:
        public_key.verify(e["dataKeySignature"], STATEMENT_LABEL + e["dataKeyCommitment"], padding.PKCS1v15(),
                          hashes.SHA256())
    except InvalidSignature:
        raise EnvelopeError("the data key signature does not verify") from None


def check_context(e, expected):
    """Refuse an envelope bound to another context than `expected` (section 3), before unwrapping its key."""
    if expected is not None and e.get("context") != expected:
        raise EnvelopeError("the envelope is bound to another context")


def commitment(data_key):
    """Section 3: HMAC-SHA256 of a fixed label under the data key."""
    return hmac.new(data_key, COMMITMENT_LABEL, hashlib.sha256).digest()


_KEY_VERSION = re.compile(r"[0-9A-Za-z]{1,64}")


class KeyVaultUnwrapper:
    """Step 2 through Azure Key Vault with azure-keyvault-keys, only for the vault and key this reader is configured
    with: `keyId` comes from whoever wrote the record, so it is checked against the configured prefix before any
    request carries a token, and unwrapped keys are cached per wrapped key (one call per data key). Of a keyring's
    copies, the first one for the configured key is used.

    Keep `verify_challenge_resource` on: it makes the SDK check that the vault's authentication challenge names
    the vault's own resource. Only a test double on a host outside *.vault.azure.net needs it off."""

    def __init__(self, vault_url, key_name, credential, verify_challenge_resource=True, **client_kwargs):
        from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm  # only this reader needs Azure
        self._client_type, self._algorithm = CryptographyClient, KeyWrapAlgorithm
        self._prefix = vault_url.rstrip("/") + "/keys/" + key_name + "/"
        self._credential, self._verify, self._kwargs = credential, verify_challenge_resource, client_kwargs
        self._clients, self._keys = {}, {}

    def unwrap(self, e):
        mine = [c for c in wrapped_copies(e)
                if c[0].startswith(self._prefix) and _KEY_VERSION.fullmatch(c[0][len(self._prefix):])]
        if not mine:
            raise EnvelopeError("the envelope's wrapped copies name keys this reader is not configured for")
        key_id, algorithm, wrapped = mine[0]
        if algorithm not in ("RSA-OAEP-256", "RSA-OAEP"):
            raise EnvelopeError("unsupported data key wrap algorithm")
        cache_key = (key_id, algorithm, wrapped)
        if cache_key not in self._keys:
            client = self._clients.get(key_id)
            if client is None:
                client = self._client_type(key_id, self._credential, verify_challenge_resource=self._verify,
                                           **self._kwargs)
                self._clients[key_id] = client
            self._keys[cache_key] = client.unwrap_key(self._algorithm(algorithm), wrapped).key
        return self._keys[cache_key]

    def unwraps(self):
        return len(self._keys)

    def close(self):
        for client in self._clients.values():
            client.close()


def unwrap_with_rsa_private_key(private_key_pem, algorithm, wrapped):
    """Step 2 with the RSA key in hand (the test vectors; Key Vault does this with unwrapKey)."""
    key = serialization.load_pem_private_key(private_key_pem.encode("ascii"), password=None)
    digest = {"RSA-OAEP-256": hashes.SHA256, "RSA-OAEP": hashes.SHA1}.get(algorithm)
    if digest is None:
        raise EnvelopeError(f"not an RSA wrap algorithm: {algorithm!r}")
    return key.decrypt(wrapped, padding.OAEP(mgf=padding.MGF1(digest()), algorithm=digest(), label=None))


def unwrap_with_local_key(key_base64, algorithm, wrapped):
    """Step 2 for local development keys: RFC 3394 AES key wrap."""
    if algorithm != "A256KW":
        raise EnvelopeError(f"not a local wrap algorithm: {algorithm!r}")
    return aes_key_unwrap(base64.b64decode(key_base64), wrapped)


def decrypt_payload(e, data_key):
    """Steps 1, 3 and 4: the plaintext bytes as encrypted (still compressed if the format says so); raises
    EnvelopeError when the data key is not the one the envelope commits to, cryptography's InvalidTag when
    anything was altered."""
    check(e)
    if not hmac.compare_digest(commitment(data_key), e["dataKeyCommitment"]):
        raise EnvelopeError("the data key is not the one the envelope commits to")
    return AESGCM(data_key).decrypt(e["iv"], e["encryptedPayload"], associated_data(e))


MAX_SCHEMA_JSON_BYTES = 16 * 1024 * 1024  # section 7: refuse payload schemas that inflate beyond this


def _inflate(payload_schema):
    """Raw DEFLATE, refusing output past the spec's limit (a few bytes can inflate to gigabytes)."""
    inflater = zlib.decompressobj(-15)
    out = inflater.decompress(payload_schema, MAX_SCHEMA_JSON_BYTES + 1)
    if len(out) > MAX_SCHEMA_JSON_BYTES or inflater.unconsumed_tail:
        raise EnvelopeError(f"payloadSchema inflates beyond {MAX_SCHEMA_JSON_BYTES} bytes")
    return out


def _varint(data):
    """Snappy's leading little-endian base-128 length."""
    value = 0
    for i, b in enumerate(data[:5]):
        value |= (b & 0x7F) << (7 * i)
        if not b & 0x80:
            return value
    raise EnvelopeError("the Snappy block has no valid length")


def decompress(e, plaintext):
    """Step 5, first half: the Avro bytes of a compressed payload (section 5). Each format declares its size, which
    is checked against the limit before anything is decompressed."""
    compression = payload_format(e)[1]
    if compression is None:
        return plaintext
    try:
        if compression == "zstd":
            import zstandard
            declared = zstandard.frame_content_size(plaintext)
            if declared < 0 or declared > MAX_PLAINTEXT_BYTES:
                raise EnvelopeError("the zstd frame declares no content size, or one over the limit")
            frame = zstandard.ZstdDecompressor().decompressobj()
            out = frame.decompress(plaintext)
            if not frame.eof or frame.unused_data:
                raise EnvelopeError("the zstd payload is truncated or has bytes after its frame")
        elif compression == "lz4":
            import lz4.frame
            if len(plaintext) < 15 or not plaintext[4] & 0x08:
                raise EnvelopeError("the LZ4 frame declares no content size")
            declared = lz4.frame.get_frame_info(plaintext)["content_size"]
            if declared > MAX_PLAINTEXT_BYTES:
                raise EnvelopeError("the LZ4 frame declares more than the limit")
            out, consumed = lz4.frame.decompress(plaintext, return_bytes_read=True)
            if consumed != len(plaintext):
                raise EnvelopeError("the LZ4 payload has bytes after its frame")
        else:
            import cramjam
            declared = _varint(plaintext)
            if declared > MAX_PLAINTEXT_BYTES:
                raise EnvelopeError("the Snappy block declares more than the limit")
            out = bytes(cramjam.snappy.decompress_raw(plaintext))
    except EnvelopeError:
        raise
    except Exception as failure:  # each library has its own error type for corrupt data
        raise EnvelopeError(f"the payload does not decompress as {compression}") from failure
    if len(out) != declared:
        raise EnvelopeError(f"the {compression} payload does not hold what it declares")
    return out


def registered_schema(e, registry):
    """Section 5, format avro-registry: the schema text the registry serves for the envelope's schema id, checked
    against the SHA-256 the envelope carries (and authenticates). `registry` maps an id to the schema text, e.g.
    `lambda i: SchemaRegistryClient(conf).get_schema(i).schema_str` with confluent-kafka."""
    schema_id = struct.unpack(">i", e["payloadSchema"][:4])[0]
    if registry is None:
        raise EnvelopeError(f"the payload schema is in a schema registry (id {schema_id}): give a registry")
    text = registry(schema_id)
    if not hmac.compare_digest(hashlib.sha256(text.encode("utf-8")).digest(), bytes(e["payloadSchema"][4:])):
        raise EnvelopeError(f"the registry serves another schema under id {schema_id} than the envelope was written with")
    return text


@functools.lru_cache(maxsize=256)
def _parsed(schema_text):
    schema = json.loads(schema_text)
    return schema, fastavro.parse_schema(schema)


def _schemas(e, registry):
    """The writer schema as JSON and as parsed by fastavro: parsed once per schema, not once per record.
    Call it only for an envelope whose tag has been checked (decrypt_payload): payloadSchema comes from the writer."""
    base = payload_format(e)[0]
    if base == "avro":
        return _parsed(_inflate(bytes(e["payloadSchema"])).decode("utf-8"))
    if base == "avro-registry":
        return _parsed(registered_schema(e, registry))
    return _parsed(_DYNAMIC_VALUE_AVSC.read_text(encoding="utf-8"))


def writer_schema(e, registry=None):
    """Step 5's schema: the inflated payloadSchema, the registry's (checked), or DynamicValue for schemaless payloads."""
    return _schemas(e, registry)[0]


def decode_plaintext(e, plaintext, registry=None):
    """Step 5: decompress if the format says so, then decode the Avro datum (fastavro converts logical types)."""
    schema, parsed = _schemas(e, registry)
    datum = fastavro.schemaless_reader(io.BytesIO(decompress(e, plaintext)), parsed,
                                       return_record_name=True, return_record_name_override=True)
    return _dynamic(datum) if payload_format(e)[0] == "avro-schemaless" else to_json_value(schema, datum)


def decrypt(e, data_key, registry=None):
    """Steps 1 to 5: the original value as plain JSON-like Python data (see to_json_value)."""
    return decode_plaintext(e, decrypt_payload(e, data_key), registry)


# ---- plain values, the way Kafka's JsonConverter (schemas.enable=false, decimal.format=NUMERIC) writes them:
# structs and maps as dicts, maps with non-string keys as [key, value] pairs, decimals as Decimal, Timestamp /
# Date / Time as epoch milliseconds / days / milliseconds of the day, bytes as base64 strings.

def _scalar(v):
    if isinstance(v, datetime.datetime):
        return (v - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(v, datetime.date):
        return (v - datetime.date(1970, 1, 1)).days
    if isinstance(v, datetime.time):
        return ((v.hour * 60 + v.minute) * 60 + v.second) * 1000 + v.microsecond // 1000
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, float):
        return decimal.Decimal(repr(v))
    return v


def to_json_value(schema, value, names=None):
    """Walks the writer schema alongside fastavro's datum (section 5's mapping)."""
    names = {} if names is None else names
    if isinstance(schema, str):
        return to_json_value(names[schema], value, names) if schema in names else _scalar(value)
    if isinstance(schema, list):
        branches = [b for b in schema if b != "null"]
        if len(branches) != 1:
            raise EnvelopeError("a union with more than one non-null branch is not part of the mapping")
        branch = branches[0]
        if value is None:
            # A Connect field with a default, left null, reads as the default (section 5).
            if isinstance(branch, dict) and "connect.default" in branch:
                default = fastavro.schemaless_reader(io.BytesIO(base64.b64decode(branch["connect.default"])),
                                                     fastavro.parse_schema(branch))
                return to_json_value(branch, default, names)
            return None
        return to_json_value(branch, value, names)
    kind = schema["type"]
    if isinstance(kind, (dict, list)):
        return to_json_value(kind, value, names)
    if kind in ("record", "enum", "fixed"):
        name = schema["name"]
        full = name if "." in name or not schema.get("namespace") else schema["namespace"] + "." + name
        names[full] = names[name] = schema
    if kind == "record":
        return {f.get("connect.field.name", f["name"]): to_json_value(f["type"], value[f["name"]], names)
                for f in schema["fields"]}
    if kind == "array":
        if schema.get("connect.type") == "map":
            entry = schema["items"] if isinstance(schema["items"], dict) else names[schema["items"]]
            types = {f["name"]: f["type"] for f in entry["fields"]}
            return [[to_json_value(types["key"], x["key"], names), to_json_value(types["value"], x["value"], names)]
                    for x in value]
        return [to_json_value(schema["items"], x, names) for x in value]
    if kind == "map":
        return {k: to_json_value(schema["values"], x, names) for k, x in value.items()}
    return _scalar(value)


def _dynamic(record):
    """DynamicValue (docs/dynamic-value.avsc): the union branch says which Java type the value had."""
    v = record["value"]
    if isinstance(v, tuple):
        name, inner = v
        kind = name.rsplit(".", 1)[-1]
        if kind in ("Int8", "Int16"):
            return inner["value"]
        if kind == "Decimal":
            unscaled = int.from_bytes(inner["unscaled"], "big", signed=True)
            return decimal.Decimal(unscaled).scaleb(-inner["scale"])
        if kind == "Timestamp":
            return _scalar(inner["value"])
        if kind == "Entries":
            return [[_dynamic(x["key"]), _dynamic(x["value"])] for x in inner["entries"]]
        raise EnvelopeError(f"unknown DynamicValue branch {name!r}")
    if isinstance(v, list):
        return [_dynamic(x) for x in v]
    if isinstance(v, dict):
        return {k: _dynamic(x) for k, x in v.items()}
    return _scalar(v)


def canonical(value):
    """JSON data with every number as int or Decimal, for comparing values across languages."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    return value
