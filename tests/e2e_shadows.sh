#!/bin/sh
# tests/e2e_shadows.sh - the shadow engine from the command line: results do
# not depend on the number of workers; a run killed with SIGKILL and resumed
# gives the same report as an uninterrupted one; the work directory is
# checked; LiRA beats the loss attack at low FPR on a real XGBoost target.
# usage: sh tests/e2e_shadows.sh build/privaudit   (from the repository root)
set -u
BIN=${1:-build/privaudit}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e-shadows.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
jq_() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }
# the report minus what legitimately differs between runs
strip() {
    "$PY" -c 'import json,sys
r=json.load(open(sys.argv[1])); r["provenance"].pop("started_at"); r.pop("timings")
for k in ("train_s","wall_s","workers","trained","resumed"): r["shadows"].pop(k)
print(json.dumps(r, sort_keys=True))' "$1"
}
CFG=fixtures/configs/shadows-xgboost.json

"$BIN" run $CFG --out "$T/w2" --workers 2 --quiet && ok || bad "run with 2 workers"
"$BIN" run $CFG --out "$T/w1" --workers 1 --quiet && ok || bad "run with 1 worker"
[ "$(strip "$T/w1/report.json")" = "$(strip "$T/w2/report.json")" ] && ok || bad "1 and 2 workers gave different reports"
R="$T/w2/report.json"
v=$(jq_ "$R" "r['shadows']['count']==16 and r['shadows']['trained']==16 and len([f for f in __import__('os').listdir('$T/w2/work') if f.startswith('shadow-') and f.endswith('.pamx') and not f.endswith('.top.pamx')])==16")
[ "$v" = True ] && ok || bad "16 shadow columns in the work dir ($v)"
v=$(jq_ "$R" "sorted(a['name'] for a in r['attacks'])==['calibrated-loss','lira-offline','lira-online','loss','rmia','shokri'] and all('/' in a['variant'] for a in r['attacks'] if a['name']!='loss')")
[ "$v" = True ] && ok || bad "shadow attacks with named variants ($v)"
# the headline effect of Carlini et al. 2022: LiRA beats the loss attack at low FPR
v=$(jq_ "$R" "(lambda t: t('lira-online') > t('loss') + 0.01)(lambda n: [x['tpr'] for a in r['attacks'] if a['name']==n for x in a['tpr_at_fpr'] if x['target_fpr']==0.001][0])")
[ "$v" = True ] && ok || bad "LiRA online beats the loss attack at TPR@0.1%FPR ($v)"
v=$(jq_ "$R" "all(l['columns']==16 and l['auc']['ci95_lo'] <= l['auc']['mean'] <= l['auc']['ci95_hi'] for l in r['shadows']['leave_one_out'])")
[ "$v" = True ] && ok || bad "leave-one-out intervals ($v)"

# the whole score matrix is kept beside the columns (shadows + the target)
[ -s "$T/w2/work/scores.pamx" ] && [ "$(head -c 4 "$T/w2/work/scores.pamx")" = PAMX ] && ok || bad "scores.pamx"
# another statistic: LiRA on minus the loss; attacks that need phi refuse it
sed 's/"attacks": \["lira-online", "lira-offline", "rmia", "calibrated-loss", "shokri"\]}/"attacks": ["lira-online"], "statistic": "neg-loss"}/' $CFG >"$T/st.json"
sed -i "s|\"../data/spam.csv\"|\"$PWD/fixtures/data/spam.csv\"|" "$T/st.json"
"$BIN" run "$T/st.json" --out "$T/st" --quiet && ok || bad "statistic neg-loss"
v=$(jq_ "$T/st/report.json" "r['shadows']['statistic']=='neg-loss' and [a['name'] for a in r['attacks']]==['loss','lira-online']")
[ "$v" = True ] && ok || bad "statistic recorded ($v)"
sed 's/"attacks": \["lira-online"\]/"attacks": ["rmia"]/' "$T/st.json" >"$T/st2.json"
"$BIN" run "$T/st2.json" --out "$T/st2" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "'rmia' needs shadows.statistic 'phi'" "$T/out"; then ok; else bad "rmia with neg-loss (exit $rc)"; cat "$T/out"; fi

# kill -9 in the middle, then --resume: same report as an uninterrupted run
"$BIN" run $CFG --out "$T/k" --workers 1 --quiet &
pid=$!
i=0
while [ "$(ls "$T/k/work" 2>/dev/null | grep -c '^shadow-[0-9]*\.pamx$')" -lt 5 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(ls "$T/k/work" | grep -c '^shadow-[0-9]*\.pamx$')
if [ "$n" -ge 5 ] && [ "$n" -lt 16 ] && [ ! -e "$T/k/report.json" ]; then ok; else bad "the kill left $n of 16 columns"; fi
"$BIN" run $CFG --out "$T/k" --workers 2 --resume --quiet && ok || bad "resume"
v=$(jq_ "$T/k/report.json" "r['shadows']['resumed']==$n and r['shadows']['trained']==16-$n")
[ "$v" = True ] && ok || bad "resume reused the finished jobs ($v)"
[ "$(strip "$T/k/report.json")" = "$(strip "$T/w1/report.json")" ] && ok || bad "resumed report differs from an uninterrupted one"
# no temporary files left behind by the atomic writes
[ -z "$(ls "$T/k/work" | grep tmp)" ] && ok || bad "temporary files left in the work dir"

# resuming against a different audit is refused
sed 's/"seed": 31/"seed": 32/' $CFG >"$T/other.json"
sed -i "s|\"../data/spam.csv\"|\"$PWD/fixtures/data/spam.csv\"|" "$T/other.json"
"$BIN" run "$T/other.json" --out "$T/k" --resume --quiet >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "manifest.json: the work directory belongs to a different audit" "$T/out"; then ok; else bad "manifest mismatch (exit $rc)"; cat "$T/out"; fi
# a corrupted column is detected, named, and not used
f=$(ls "$T/w2/work"/shadow-[0-9]*[0-9].pamx | head -1)
printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null
"$BIN" run $CFG --out "$T/w2" --resume --quiet >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "$(basename "$f")" "$T/out"; then ok; else bad "corrupted column (exit $rc)"; cat "$T/out"; fi
# bad shadow configs
printf '{"data": {"path": "%s/fixtures/data/spam.csv"}, "target": {"kind": "xgboost"}, "shadows": {"count": 7}}' "$PWD" >"$T/bad.json"
"$BIN" run "$T/bad.json" --out "$T/bad" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "shadows.count: expected an even number" "$T/out"; then ok; else bad "odd shadow count (exit $rc)"; fi
"$BIN" run $CFG --out "$T/bad" --workers 0 >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "workers: expected an integer in [1, 1024]" "$T/out"; then ok; else bad "--workers 0 (exit $rc)"; fi

echo "e2e_shadows: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
