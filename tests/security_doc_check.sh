#!/usr/bin/env bash
# Checks that every test named in docs/SECURITY.md exists.
#
# Usage: tests/security_doc_check.sh REPOSITORY_ROOT
#
# Every backticked `Suite.Test` in docs/SECURITY.md (CamelCase, dot,
# CamelCase) must be defined under tests/ as TEST(Suite, Test),
# TEST_F(Suite, Test) or TEST_P(Suite, Test); whitespace, newlines included,
# may stand between the parts. Exit 0 and a one-line summary when all are
# found; exit 1 naming each missing test; exit 2 on a usage error.
set -euo pipefail

if [[ $# -ne 1 ]]; then
    echo "usage: $0 REPOSITORY_ROOT" >&2
    exit 2
fi
root=$1
doc="$root/docs/SECURITY.md"
tests="$root/tests"
if [[ ! -f $doc ]]; then
    echo "security_doc_check: $doc not found" >&2
    exit 2
fi
if [[ ! -d $tests ]]; then
    echo "security_doc_check: $tests not found" >&2
    exit 2
fi

# Names the document cites, one per line, sorted, without duplicates. The
# backticks are literal (SC2016).
# shellcheck disable=SC2016
cited=$(grep -oP '`[A-Z][A-Za-z0-9_]*\.[A-Z][A-Za-z0-9_]*`' "$doc" | tr -d '`' | LC_ALL=C sort -u || true)
if [[ -z $cited ]]; then
    echo "security_doc_check: no test names found in $doc" >&2
    exit 1
fi

# Tests defined under tests/, as Suite.Test. grep -z reads each file as one
# record, so a definition split over lines still matches; each match ends in
# a NUL, turned into a newline after newlines inside a match became spaces.
defined=$(find "$tests" -type f \( -name '*.cpp' -o -name '*.cc' -o -name '*.h' -o -name '*.hpp' \) -print0 |
    xargs -0 -r grep -hPzo '\bTEST(_F|_P)?\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*,\s*[A-Za-z_][A-Za-z0-9_]*' |
    tr '\n\0' ' \n' |
    sed -E 's/^TEST(_F|_P)?[[:space:]]*\([[:space:]]*([A-Za-z0-9_]+)[[:space:]]*,[[:space:]]*([A-Za-z0-9_]+)$/\2.\3/' |
    LC_ALL=C sort -u || true)

missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$cited") <(printf '%s\n' "$defined"))
count=$(printf '%s\n' "$cited" | wc -l)

if [[ -n $missing ]]; then
    while IFS= read -r name; do
        echo "security_doc_check: docs/SECURITY.md names \`$name\`, which is not a TEST, TEST_F or TEST_P under tests/" >&2
    done <<<"$missing"
    echo "security_doc_check: $(printf '%s\n' "$missing" | wc -l) of $count test names missing" >&2
    exit 1
fi
echo "security_doc_check: $count test names, all found"
