#!/usr/bin/env bash
# Regenerates shared/ledger/unicode-data.ts from official Unicode data, offline from Debian's
# packages: unicode-data (the UCD text files) and libicu-dev (ICU's UTS #39 data, compiled from
# Unicode's confusables.txt and IdentifierStatus.txt). Both must be of one Unicode version (Debian
# 12: Unicode 15.0, ICU 72.1); generate.mjs checks it. Needs apt-get, dpkg, gcc and pkg-config.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download unicode-data >/dev/null
dpkg -x unicode-data_*.deb ucd
dpkg -s libicu-dev >/dev/null 2>&1 || apt-get install -y libicu-dev >/dev/null
gcc -O2 -o dump "$here/icu-uts39-dump.c" $(pkg-config --cflags --libs icu-uc icu-i18n)
./dump >icu.txt
node "$here/generate.mjs" ucd/usr/share/unicode icu.txt "$root/shared/ledger/unicode-data.ts"
npx --prefix "$root" prettier --write "$root/shared/ledger/unicode-data.ts" >/dev/null
