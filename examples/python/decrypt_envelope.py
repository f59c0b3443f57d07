#!/usr/bin/env python3
"""Decrypts an envelope written by EncryptPayload, outside Kafka Connect, following docs/envelope.md.

Usage: decrypt_envelope.py ENVELOPE_JSON

ENVELOPE_JSON holds the envelope's fields (bytes as base64) under "envelope" and the local development
key that wrapped its data key under "localKeyBase64", as docs/envelope-test-vector.json does. With Azure
Key Vault, replace unwrap_local() with a call to CryptographyClient.unwrap_key (azure-keyvault-keys).
"""
import base64
import hashlib
import io
import json
import struct
import sys
import zlib

import fastavro
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap


def field(value):
    """int32 length + bytes, or -1 for null (section 3)."""
    if value is None:
        return struct.pack(">i", -1)
    data = value.encode("utf-8") if isinstance(value, str) else value
    return struct.pack(">i", len(data)) + data


def associated_data(e, wrapped, payload_schema):
    """Section 3: the per-record fields, with the wrapped key and the payload schema bound by SHA-256."""
    key_binding = hashlib.sha256(field(e["keyId"]) + field(e["dataKeyWrapAlgorithm"]) + field(wrapped)).digest()
    payload_binding = hashlib.sha256(field(e["payloadFormat"]) + field(payload_schema)).digest()
    out = struct.pack(">i", e["envelopeVersion"])
    out += field(e["id"]) + struct.pack(">q", e["timestamp"]) + field(e.get("eventType"))
    out += field(e["encryptionAlgorithm"]) + key_binding + payload_binding
    metadata = e.get("metadata")
    if metadata is None:
        out += struct.pack(">i", -1)
    else:
        out += struct.pack(">i", len(metadata))
        for key in sorted(metadata, key=lambda k: k.encode("utf-8")):
            out += field(key) + field(metadata[key])
    return out


def unwrap_local(local_key_b64, e, wrapped):
    if e["dataKeyWrapAlgorithm"] != "A256KW":
        raise ValueError("this example unwraps local development keys (A256KW) only")
    return aes_key_unwrap(base64.b64decode(local_key_b64), wrapped)


def decrypt(document):
    e = document["envelope"]
    if e["envelopeVersion"] != 1 or e["encryptionAlgorithm"] != "AES-256-GCM":
        raise ValueError("unsupported envelope")
    b64 = base64.b64decode
    wrapped = b64(e["wrappedDataKey"])
    payload_schema = b64(e["payloadSchema"]) if e.get("payloadSchema") else None
    data_key = unwrap_local(document["localKeyBase64"], e, wrapped)
    plaintext = AESGCM(data_key).decrypt(b64(e["iv"]), b64(e["encryptedPayload"]),
                                         associated_data(e, wrapped, payload_schema))
    if e["payloadFormat"] != "avro":
        raise ValueError("this example decodes format 'avro'; see docs/dynamic-value.avsc for the schemaless one")
    schema = fastavro.parse_schema(json.loads(zlib.decompress(payload_schema, -15)))
    return fastavro.schemaless_reader(io.BytesIO(plaintext), schema)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        document = json.load(f)
    record = decrypt(document)
    print(json.dumps(record, default=str, indent=2, ensure_ascii=False))
    expected = document.get("plaintextValue")
    if expected is not None:
        card = record["cardNumber"]
        if card != expected["cardNumber"] or str(record["amount"]) != expected["amount"]:
            sys.exit("decrypted value does not match plaintextValue")
        print("OK: decrypted outside Kafka Connect and matches plaintextValue", file=sys.stderr)


if __name__ == "__main__":
    main()
