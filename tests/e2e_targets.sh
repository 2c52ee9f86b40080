#!/bin/sh
# tests/e2e_targets.sh - every model kind and DP-SGD variant trains from its
# bundled config, and DP targets carry the claims of both accountants.
# usage: sh tests/e2e_targets.sh build/privaudit   (from the repository root)
set -u
BIN=${1:-build/privaudit}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e-targets.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
jq_() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }

for c in logreg mlp dpsgd-mlp dpsgd-logreg-none dpsgd-logreg-no-clip dpsgd-logreg-mean-noise \
         dpsgd-logreg-shuffle dpsgd-logreg-reused-noise; do
    if "$BIN" run "fixtures/configs/$c.json" --out "$T/$c" --quiet >"$T/out" 2>&1; then ok; else
        bad "run $c"; head -3 "$T/out"; continue; fi
    R="$T/$c/report.json"
    case $c in
    dpsgd-*)
        v=$(jq_ "$R" "sorted(x['accountant'] for x in r['target']['claims'])==['pld','rdp','rdp-classic'] and r['target']['dp']['enabled'] is True")
        [ "$v" = True ] && ok || bad "$c: claims of both accountants ($v)"
        # PLD is the tightest and is what the verdict tests
        v=$(jq_ "$R" "(lambda c: c['pld'] <= c['rdp'] <= c['rdp-classic'] and r['verdict']['claim']['epsilon']==c['pld'])({x['accountant']: x['epsilon'] for x in r['target']['claims']})")
        [ "$v" = True ] && ok || bad "$c: pld <= rdp <= rdp-classic, verdict on pld ($v)"
        v=$(jq_ "$R" "r['verdict']['status'] in ('consistent','violated') and r['verdict']['claim']['delta']==1e-5 and r['bounds'][0]['delta']==1e-5")
        [ "$v" = True ] && ok || bad "$c: verdict against the claim ($v)"
        ;;
    *)
        v=$(jq_ "$R" "r['target']['dp']['enabled'] is False and 'claims' not in r['target'] and r['verdict']['status']=='no-claim'")
        [ "$v" = True ] && ok || bad "$c: non-private target has no claim ($v)"
        ;;
    esac
    v=$(jq_ "$R" "r['target']['train_accuracy'] > 0.7 and r['target']['test_accuracy'] > 0.7")
    [ "$v" = True ] && ok || bad "$c: the target learned something ($v)"
done
# every fault is recorded and claims the correct algorithm's budget
v=$(jq_ "$T/dpsgd-logreg-no-clip/report.json" "r['target']['dp']['fault']=='no-clip'")
[ "$v" = True ] && ok || bad "fault recorded ($v)"
a=$(jq_ "$T/dpsgd-logreg-none/report.json" "r['target']['claims']")
b=$(jq_ "$T/dpsgd-logreg-reused-noise/report.json" "r['target']['claims']")
[ "$a" = "$b" ] && ok || bad "a faulty variant claims the correct algorithm's budget"

# bad hyperparameters name the key path
cat >"$T/bad.json" <<JSON
{"data": {"path": "$PWD/fixtures/data/spam.csv"},
 "target": {"kind": "logreg", "optimizer": "sgd", "preprocess": "bound",
            "dp": {"noise_multiplier": 1, "clip_norm": 1, "sampling_rate": 1.5, "steps": 10, "delta": 1e-5}}}
JSON
"$BIN" run "$T/bad.json" --out "$T/bad" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -qF "target.dp.sampling_rate: expected a number in (0, 1], got 1.5" "$T/out" && [ ! -e "$T/bad/report.json" ]; then ok; else
    bad "bad dp.sampling_rate (exit $rc)"; cat "$T/out"; fi
for kv in '"noise_multiplier": 0' '"clip_norm": -1' '"delta": 1' '"steps": 0'; do
    key=$(echo "$kv" | cut -d'"' -f2)
    sed "s/\"${key}\": [^,}]*/$kv/" "$T/bad.json" | sed 's/"sampling_rate": 1.5/"sampling_rate": 0.1/' >"$T/bad2.json"
    "$BIN" run "$T/bad2.json" --out "$T/bad" >"$T/out" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -qF "target.dp.$key:" "$T/out"; then ok; else bad "bad dp.$key (exit $rc)"; cat "$T/out"; fi
done
# diverging training stops with a clear error, not a NaN report
cat >"$T/div.json" <<JSON
{"data": {"path": "$PWD/fixtures/data/spam.csv"},
 "target": {"kind": "mlp", "optimizer": "sgd", "learning_rate": 1e6, "epochs": 3, "l2": 0}}
JSON
"$BIN" run "$T/div.json" --out "$T/div" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "diverged" "$T/out" && [ ! -e "$T/div/report.json" ]; then ok; else bad "divergence (exit $rc)"; cat "$T/out"; fi

echo "e2e_targets: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
