#!/bin/sh
# One-shot setup for docker-compose.yml: trusts the emulators' certificates, creates the key-encryption
# key in the Key Vault emulator, and submits the connectors through the Connect REST API.
set -eu
apk add --no-cache curl jq >/dev/null

echo "waiting for the emulators' certificates"
until [ -s /entra-data/tls/cert.pem ] && [ -s /keyvault-data/tls/cert.pem ]; do sleep 2; done
cat /entra-data/tls/cert.pem /keyvault-data/tls/cert.pem > /shared/emulators-ca.pem
CA=/shared/emulators-ca.pem

echo "creating the key-encryption key payments-kek (RSA-3072, wrapKey/unwrapKey)"
until TOKEN=$(curl -sf --cacert "$CA" "https://localhost:8443/$TENANT_ID/oauth2/v2.0/token" \
      -d grant_type=client_credentials -d client_id="$CLIENT_ID" -d client_secret="$CLIENT_SECRET" \
      --data-urlencode scope=https://vault.azure.net/.default | jq -er .access_token); do sleep 2; done
curl -sf --cacert "$CA" -X POST "https://localhost:8444/keys/payments-kek/create?api-version=7.5" \
  -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \
  -d '{"kty":"RSA","key_size":3072,"key_ops":["wrapKey","unwrapKey"]}' | jq -r .key.kid

echo "waiting for Kafka Connect"
until curl -sf http://localhost:8083/connectors >/dev/null; do sleep 3; done

for file in $CONNECTORS; do
  name=$(jq -r .name "/connector-configs/$file")
  prefix=$(jq -r '.config | to_entries[] | select(.key | endswith(".kek.provider")) | .key | sub("kek.provider$"; "")' "/connector-configs/$file")
  # The emulators' CA, for this plugin's Key Vault and Entra calls only.
  # One broker here, so a dead-letter topic can only have one replica.
  jq --arg key "${prefix}azure.ssl.truststore.location" --arg ca "$CA" \
     '.config + {($key): $ca}
      | if has("errors.deadletterqueue.topic.name") then . + {"errors.deadletterqueue.topic.replication.factor": "1"} else . end' \
     "/connector-configs/$file" > "/tmp/$name.json"
  echo "submitting $name from connector-configs/$file"
  curl -sf -X PUT -H "Content-Type: application/json" --data @"/tmp/$name.json" \
    "http://localhost:8083/connectors/$name/config" | jq -r '.name + ": " + (.tasks | length | tostring) + " task(s)"'
done
echo "done: curl localhost:8083/connectors?expand=status"
