#!/usr/bin/env bash
# Golden files are the code's own output: regenerating them (`deno task golden`) blesses whatever the code does. So a
# commit that changes src/ and also modifies or deletes an existing golden file (testdata/golden/) must say the new
# output was read and is right, in one of two ways:
#
#   - a trailer in the commit message:   Golden-Reviewed: <what changed in the records and why it is correct>
#   - or a line added in the same commit to testdata/golden/CHANGES.md saying the same.
#
# New golden files (a new capture) need no note. Checks every non-merge commit after the one that added this script
# (older history predates the rule). Usage: scripts/check_golden_review.sh [repository directory]. Run by .ci/run.
set -euo pipefail
cd "${1:-.}"

first=$(git log --diff-filter=A --format=%H -- scripts/check_golden_review.sh | tail -n 1)
if [ -z "$first" ]; then
  range=HEAD # the script is not committed yet: check the last commit only
  commits=$(git rev-list --no-merges -n 1 HEAD)
else
  range="$first..HEAD"
  commits=$(git rev-list --no-merges "$range")
fi

bad=0
checked=0
for commit in $commits; do
  checked=$((checked + 1))
  changes=$(git diff-tree --no-commit-id --root -r --name-status "$commit")
  grep -qE $'^[AMDR][0-9]*\tsrc/' <<<"$changes" || continue
  golden=$(grep -E $'^[MDR][0-9]*\ttestdata/golden/' <<<"$changes" | grep -v 'testdata/golden/CHANGES.md' || true)
  [ -n "$golden" ] || continue
  if git log -1 --format=%B "$commit" | grep -qE '^Golden-Reviewed: *[^ ]'; then continue; fi
  if grep -qE $'^[AM]\ttestdata/golden/CHANGES.md$' <<<"$changes"; then continue; fi
  echo "check_golden_review: commit $(git log -1 --format='%h %s' "$commit")" >&2
  echo "  changes src/ and these golden files without a Golden-Reviewed: trailer or a testdata/golden/CHANGES.md line:" >&2
  sed 's/^/    /' <<<"$golden" >&2
  bad=$((bad + 1))
done
echo "check_golden_review: $checked commit(s) in $range checked, $bad without a review note"
[ "$bad" -eq 0 ]
