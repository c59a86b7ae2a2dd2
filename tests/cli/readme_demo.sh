#!/usr/bin/env bash
# The README's first command ends in `bash .ci/demo`: run that demo (small,
# in a scratch folder) twice and check that it stores tickets, answers every
# example query and evaluation, and that re-running it is safe (the second
# ingest adds nothing). Usage: readme_demo.sh KPI_BINARY SCRATCH_DIR
set -euo pipefail
kpi=$1
scratch=$2
repo="$(cd "$(dirname "$0")/../.." && pwd)"

first=$(awk '/^```/{n++; next} n==1' "$repo/README.md" | sed -n 1p)
case "$first" in
  *"bash .ci/demo") ;;
  *) echo "README's first command does not end in 'bash .ci/demo': $first" >&2; exit 1 ;;
esac

rm -rf "$scratch"
run_demo() {
  KPI_BIN="$kpi" KPI_DEMO_DIR="$scratch" KPI_DEMO_TICKETS=3000 bash "$repo/.ci/demo"
}
out=$(run_demo 2>&1) || { echo "$out"; echo "the demo failed" >&2; exit 1; }
echo "$out"

fail() { echo "readme_demo: $1" >&2; exit 1; }
echo "$out" | grep -q "== what is stored" || fail "no store summary"
# Every example query and evaluation printed a header and at least one row.
sections=$(echo "$out" | grep -c '^-- ' || true)
[ "$sections" -ge 11 ] || fail "only $sections example sections ran"
echo "$out" | grep -qi "error" && fail "an example printed an error"
tickets=$("$kpi" query --db "$scratch/store" --format csv 'select count() as n from tickets' | tail -1)
[ "$tickets" -gt 2000 ] || fail "the store holds $tickets tickets"
events=$("$kpi" query --db "$scratch/store" --format csv 'select count() as n from events' | tail -1)

again=$(run_demo 2>&1) || { echo "$again"; fail "the second run failed"; }
events_again=$("$kpi" query --db "$scratch/store" --format csv 'select count() as n from events' | tail -1)
[ "$events" = "$events_again" ] || fail "re-running changed the events from $events to $events_again"
echo "readme_demo: $tickets tickets, $events events, $sections example sections, re-run safe"
rm -rf "$scratch"
