#!/usr/bin/env bash
# The open-source Azure Key Vault and Entra emulators, at the versions this project pins.
#
#   scripts/emulators.sh install   go install both (needs Go >= 1.26.6 and a module proxy that serves them)
#   scripts/emulators.sh status    where they are installed, if anywhere
#
# ./demo.sh --kms emulators starts them (each on a free port with its own data directory, trusting only
# their own certificates) and stops them afterwards. The tests use the in-process KeyVaultTestDouble,
# which speaks the same protocols, because the module proxy of this project's build machines refuses
# these modules (403 "This module version is not available").
set -uo pipefail

ENTRA=github.com/calvinchengx/entra-emulator/cmd/entra-emulator@v0.9.0
KEYVAULT=github.com/calvinchengx/azure-keyvault-emulator/cmd/azure-keyvault-emulator@v0.7.0
bin_dir="$(go env GOBIN 2>/dev/null)"
[ -n "$bin_dir" ] || bin_dir="$(go env GOPATH 2>/dev/null)/bin"

case "${1:-}" in
  install)
    if ! command -v go >/dev/null; then
      echo "Go is not installed; the emulators need Go >= 1.26.6" >&2
      exit 1
    fi
    failed=0
    for module in "$ENTRA" "$KEYVAULT"; do
      echo "go install $module"
      if ! go install "$module"; then
        echo "could not install $module (the error above is the module proxy's answer)" >&2
        failed=1
      fi
    done
    [ "$failed" = 0 ] && echo "installed into $bin_dir"
    exit "$failed"
    ;;
  status)
    for b in entra-emulator azure-keyvault-emulator; do
      if [ -x "$bin_dir/$b" ]; then echo "$b: $bin_dir/$b"; else echo "$b: not installed"; fi
    done
    ;;
  *)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
