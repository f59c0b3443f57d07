#!/usr/bin/env python3
"""Decrypts one test vector outside Kafka Connect and prints its value as JSON, following docs/envelope-spec.md.

Usage: decrypt_envelope.py [VECTOR_NAME]   (default: payment-rsa-oaep-256; see test-vectors/envelopes.json)

With Azure Key Vault, unwrap with CryptographyClient.unwrap_key (azure-keyvault-keys) instead of the
published test key; test_pipeline.py does exactly that against a Key Vault.
"""
import json
import sys

import envelope
from test_vectors import VECTORS, unwrap


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "payment-rsa-oaep-256"
    vector = next((v for v in VECTORS if v["name"] == name), None)
    if vector is None:
        sys.exit(f"no test vector named {name!r}; there are: {', '.join(v['name'] for v in VECTORS)}")
    e = envelope.envelope_from_json(vector["envelope"])
    value = envelope.decrypt(e, unwrap(e))
    print(json.dumps(value, default=str, indent=2, ensure_ascii=False))
    if envelope.canonical(value) != vector["expectedJson"]:
        sys.exit("the decrypted value differs from the vector's expectedJson")
    print(f"OK: {name} decrypted outside Kafka Connect and matches expectedJson", file=sys.stderr)


if __name__ == "__main__":
    main()
