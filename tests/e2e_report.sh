#!/bin/sh
# tests/e2e_report.sh - end-to-end tests of `privaudit report` and
# `privaudit gate`: exit codes, messages, files written, golden Markdown.
# usage: sh tests/e2e_report.sh build/privaudit      (run from the repository root)
set -u
BIN=${1:-build/privaudit}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
PY=/usr/bin/python3
FX=fixtures/reports/v1-demo.json
T=$(mktemp -d /tmp/privaudit-e2e-report.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE PATTERN -- ARGS...: run privaudit; check the exit code and that
# stdout+stderr contains PATTERN (fixed string; "" matches anything).
expect() {
    code=$1; pat=$2; shift 3
    "$BIN" "$@" >"$T/out" 2>&1
    got=$?
    if [ "$got" -ne "$code" ]; then
        bad "privaudit $* -> exit $got, want $code"; sed 's/^/    /' "$T/out" | head -8
    elif [ -n "$pat" ] && ! grep -qF -- "$pat" "$T/out"; then
        bad "privaudit $* -> output lacks '$pat'"; sed 's/^/    /' "$T/out" | head -8
    else
        ok
    fi
}
has() { # has FILE PATTERN DESCRIPTION
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: $1 lacks '$2'"; fi
}
lacks() { # lacks FILE PATTERN DESCRIPTION
    if grep -qiF -- "$2" "$1"; then bad "$3: $1 contains '$2'"; else ok; fi
}
xml_ok() { # xml_ok FILE
    if "$PY" -c "import sys, xml.dom.minidom as m; m.parse(sys.argv[1])" "$1" 2>"$T/xmlerr"; then ok
    else bad "$1 is not well-formed XML: $(cat "$T/xmlerr" | tail -1)"; fi
}
# mutate IN OUT PYTHON: write OUT = IN with the statement applied to r.
mutate() {
    "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); $3; json.dump(r, open(sys.argv[2],'w'))" "$1" "$2"
}

# ---- report ----------------------------------------------------------------------
expect 0 "usage: privaudit report" -- report --help
expect 0 "usage: privaudit gate" -- gate --help
expect 0 "report " -- --help
expect 2 "report needs one REPORT.json" -- report
expect 2 "unknown format 'pdf'" -- report "$FX" --format pdf --out "$T/x"
expect 2 "cannot read '$T/none.json'" -- report "$T/none.json"

# golden Markdown
expect 0 "report.md" -- report "$FX" --format md --out "$T/md"
if cmp -s "$T/md/report.md" fixtures/reports/v1-demo.expected.md; then ok
else bad "report.md differs from fixtures/reports/v1-demo.expected.md"; diff "$T/md/report.md" fixtures/reports/v1-demo.expected.md | head -10; fi
if [ "$(ls "$T/md")" = "report.md" ]; then ok; else bad "--format md wrote more: $(ls "$T/md" | tr '\n' ' ')"; fi

# every format
expect 0 "report.html" -- report "$FX" --format all --out "$T/all"
for f in report.md report.html report.junit.xml roc.dat roc.gp epsilon.dat epsilon.gp; do
    if [ -s "$T/all/$f" ]; then ok; else bad "--format all did not write $f"; fi
done
has "$T/out" "plot 'hist' skipped: the report has no score histograms" "skipped plot note"
H="$T/all/report.html"
lacks "$H" "<script" "html"
lacks "$H" "http://" "html"
lacks "$H" "https://" "html"
has "$H" "<p class=\"verdict violated\"><strong>Verdict: violated</strong>" "html verdict"
if command -v gnuplot >/dev/null 2>&1; then
    has "$H" "<svg" "html inline plots"
    for f in roc.png roc.svg epsilon.png epsilon.svg; do
        if [ -s "$T/all/$f" ]; then ok; else bad "gnuplot present but no $f"; fi
    done
    if head -c 8 "$T/all/roc.png" | od -An -c | grep -q "P   N   G"; then ok; else bad "roc.png is not a PNG"; fi
    # the .gp redraws from its directory
    if (cd "$T/all" && gnuplot -e "fmt='png'; out='again.png'" roc.gp) && [ -s "$T/all/again.png" ]; then ok
    else bad "roc.gp does not redraw"; fi
fi
xml_ok "$T/all/report.junit.xml"
has "$T/all/report.junit.xml" "<failure message=\"epsilon lower bound 2.071" "junit failure"
# the default output directory is the report's own
cp "$FX" "$T/here.json"
expect 0 "" -- report "$T/here.json" --format junit --quiet
if [ -s "$T/report.junit.xml" ] && [ ! -s "$T/out" ]; then ok; else bad "--quiet or default --out"; fi

# without gnuplot: a warning, everything else written
PATH=/nonexistent "$BIN" report "$FX" --format all --out "$T/nogp" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok; else bad "report without gnuplot -> exit $rc"; fi
if [ "$(grep -c 'warning: gnuplot not found on PATH' "$T/out")" -eq 1 ]; then ok; else bad "gnuplot warning not printed once"; cat "$T/out"; fi
if [ -s "$T/nogp/report.html" ] && [ -s "$T/nogp/roc.gp" ] && [ ! -e "$T/nogp/roc.png" ]; then ok
else bad "without gnuplot: wrong files $(ls "$T/nogp" | tr '\n' ' ')"; fi
has "$T/nogp/report.html" "gnuplot was not found on PATH" "html without gnuplot"

# invalid reports: exit 2 naming the file and the field
mutate "$FX" "$T/v2.json" "r['schema_version']=2"
expect 2 "$T/v2.json: schema_version 2 is not supported" -- report "$T/v2.json" --out "$T/bad"
mutate "$FX" "$T/noauc.json" "del r['attacks'][0]['auc']"
expect 2 "$T/noauc.json: attacks[0].auc: missing" -- report "$T/noauc.json" --out "$T/bad"
mutate "$FX" "$T/nostatus.json" "del r['verdict']['status']"
expect 2 "verdict.status: missing" -- report "$T/nostatus.json" --out "$T/bad"
printf '{"schema_version": 1,' >"$T/trunc.json"
expect 2 "trunc.json:1:" -- report "$T/trunc.json" --out "$T/bad"
if [ ! -e "$T/bad" ]; then ok; else bad "an invalid report created output"; fi

# optional fields of later revisions render, never "(null)"
mutate "$FX" "$T/future.json" "r['canaries']={'count':1000,'guesses':100}; r['claims']=[{'source':'accountant','epsilon':0.5,'delta':1e-5}]; r['bounds'].append({'method':'one-run','attack':'loss','epsilon_lower_bound':None,'confidence':0.95,'delta':1e-5})"
expect 0 "" -- report "$T/future.json" --format md,html,junit --out "$T/fut"
has "$T/fut/report.md" "### canaries" "generic section"
has "$T/fut/report.md" "| accountant | 0.5 |" "claims table"
lacks "$T/fut/report.md" "(null)" "future md"
xml_ok "$T/fut/report.junit.xml"

# ---- gate -------------------------------------------------------------------------
export PRIVAUDIT_NOW=2026-12-05T12:00:00Z
cat >"$T/pass.json" <<'JSON'
{"name": "e2e pass", "rules": [{"require_verdict": "violated"}, {"max_auc": 0.6},
 {"max_tpr_at_fpr": {"fpr": 0.01, "max": 0.05}}, {"min_confidence": 0.95},
 {"max_report_age_days": 30}]}
JSON
expect 0 "gate passed: all 5 rules hold" -- gate "$FX" --policy "$T/pass.json"
has "$T/out" "PASS  rule 2 max_auc (attack '*'): measured 0.548785 (loss), limit <= 0.6" "gate line"
has "$T/out" "PASS  rule 5 max_report_age_days: measured 2.00 days (started 2026-12-03T12:00:00Z), limit <= 30 days" "age from PRIVAUDIT_NOW"
lacks "$T/out" "$(printf '\033')" "no color when not a tty"
expect 1 "FAIL  rule 1 require_verdict: measured violated, limit consistent" -- gate "$FX" --policy fixtures/policies/release.json
has "$T/out" "gate FAILED" "gate summary"
PRIVAUDIT_NOW=2027-06-01T00:00:00Z "$BIN" gate "$FX" --policy "$T/pass.json" >"$T/out" 2>&1
if [ $? -eq 1 ] && grep -qF "older than the limit of 30 days" "$T/out"; then ok; else bad "old report should fail the age rule"; cat "$T/out"; fi
PRIVAUDIT_NOW=soon "$BIN" gate "$FX" --policy "$T/pass.json" >"$T/out" 2>&1
if [ $? -eq 2 ] && grep -qF "PRIVAUDIT_NOW: expected a UTC time" "$T/out"; then ok; else bad "bad PRIVAUDIT_NOW"; fi

# data a rule needs but schema v1 lacks: exit 2, never a silent pass
expect 2 "report lacks canaries.count needed by rule 1 (min_canaries)" -- gate "$FX" --policy fixtures/policies/one-run.json
has "$T/out" "report lacks canaries.guesses needed by rule 2 (min_guesses)" "min_guesses"
has "$T/out" "report lacks shadows.count needed by rule 3 (min_shadows)" "min_shadows"
has "$T/out" "report lacks bounds[] with method 'one-run' needed by rule 4" "one-run bound"
echo '{"rules": [{"max_auc": 0.9}, {"min_guesses": 10}]}' >"$T/mix.json"
expect 2 "gate INCOMPLETE" -- gate "$FX" --policy "$T/mix.json"

# junit and markdown outputs
expect 1 "" -- gate "$FX" --policy fixtures/policies/strict.json --junit "$T/g.xml" --markdown "$T/g.md"
xml_ok "$T/g.xml"
has "$T/g.xml" "<testcase classname=\"privaudit.gate\" name=\"rule 1: claim holds: require_verdict\"" "junit rule names"
has "$T/g.xml" "tests=\"6\"" "junit: one testcase per rule"
has "$T/g.md" "**Gate: failed**" "gate markdown"
has "$T/g.md" "| No. | Rule | Measured | Limit | Result |" "gate markdown table"
expect 2 "report lacks" -- gate "$FX" --policy fixtures/policies/one-run.json --junit "$T/e.xml"
has "$T/e.xml" "<error message=\"report lacks canaries.count" "junit error"

# bad usage and invalid inputs
expect 2 "gate needs --policy" -- gate "$FX"
expect 2 "gate needs one REPORT.json" -- gate --policy "$T/pass.json"
echo '{"rules": [{"max_auc": 0.6, "atack": "loss"}]}' >"$T/typo.json"
expect 2 "$T/typo.json: rules[0].atack: unknown key" -- gate "$FX" --policy "$T/typo.json"
echo '{"rules": [{"max_tpr_at_fpr": {"fpr": 2, "max": 0.1}}]}' >"$T/range.json"
expect 2 "rules[0].max_tpr_at_fpr.fpr: expected a number in (0, 1], got 2" -- gate "$FX" --policy "$T/range.json"
echo '{"rules": []}' >"$T/empty.json"
expect 2 "rules: empty" -- gate "$FX" --policy "$T/empty.json"
expect 2 "schema_version 2 is not supported" -- gate "$T/v2.json" --policy "$T/pass.json"
expect 2 "cannot read '$T/nopolicy.json'" -- gate "$FX" --policy "$T/nopolicy.json"

echo "e2e_report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
