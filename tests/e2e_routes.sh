#!/bin/sh
# tests/e2e_routes.sh - auditing models privaudit did not train, from
# `privaudit run` with the bundled fixtures/configs/thirdparty-*.json: an
# XGBoost model file written by Python's xgboost, its predictions file, a
# scikit-learn model behind the command oracle and its predictions file.
# The routes agree where they should; every bad input is a clear exit 2.
# usage: sh tests/e2e_routes.sh build/privaudit   (from the repository root)
set -u
BIN=${1:-build/privaudit}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e-routes.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
jq_() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }
auc() { jq_ "$1" "[a['auc'] for a in r['attacks'] if a['name']=='loss'][0]"; }

sh fixtures/thirdparty/prepare.sh "$BIN" >"$T/prep" 2>&1 && ok || { bad "prepare"; cat "$T/prep"; }
for c in xgboost-file xgboost-predictions sklearn-command sklearn-predictions; do
    "$BIN" run "fixtures/configs/thirdparty-$c.json" --out "$T/$c" --quiet >"$T/out" 2>&1 && ok ||
        { bad "run thirdparty-$c"; cat "$T/out"; }
done
# same model, same members: same loss-attack AUC on every route
[ "$(auc "$T/xgboost-file/report.json")" = "$(auc "$T/xgboost-predictions/report.json")" ] && ok ||
    bad "model file and its predictions file disagree"
[ "$(auc "$T/sklearn-command/report.json")" = "$(auc "$T/sklearn-predictions/report.json")" ] && ok ||
    bad "command oracle and its predictions file disagree"
R="$T/xgboost-file/report.json"
v=$(jq_ "$R" "r['target']['kind']=='xgboost-file' and [i['role'] for i in r['provenance']['inputs']]==['config','data','model','members'] and r['data']['members']==2300 and 'random' in r['data']['split']")
[ "$v" = True ] && ok || bad "model-file report: inputs and membership ($v)"
v=$(jq_ "$R" "r['verdict']['status'] in ('consistent','violated') and r['verdict']['claim']['source']=='config' and r['bounds'][0]['decides']")
[ "$v" = True ] && ok || bad "a vendor's claim gets a verdict ($v)"
v=$(jq_ "$T/sklearn-command/report.json" "r['target']['queries']==4601 and r['target']['batches']==9 and 'query' in r['target']['threat_model']")
[ "$v" = True ] && ok || bad "command report counts the queries ($v)"

# offline reference models the auditor trains on the population
"$BIN" run fixtures/configs/thirdparty-xgboost-file-shadows.json --out "$T/tps" --quiet && ok || bad "run with reference models"
v=$(jq_ "$T/tps/report.json" "sorted(a['name'] for a in r['attacks'])==['calibrated-loss','confidence','lira-offline','loss','rmia','shokri'] and r['shadows']['count']==16 and 'offline' in r['shadows']['design']")
[ "$v" = True ] && ok || bad "offline attacks on a model file ($v)"
v=$(jq_ "$T/tps/report.json" "(lambda a: a['lira-offline'] > a['loss'])({x['name']: x['auc'] for x in r['attacks']})")
[ "$v" = True ] && ok || bad "offline LiRA beats the loss attack on the model file ($v)"

# a predictions file's own reference models (ref<j>_ columns)
"$BIN" run fixtures/configs/thirdparty-xgboost-predictions-refs.json --out "$T/prefs" --quiet && ok || bad "predictions with reference columns"
v=$(jq_ "$T/prefs/report.json" "sorted(a['name'] for a in r['attacks'])==['calibrated-loss','lira-offline','loss','rmia'] and r['shadows']['count']==8")
[ "$v" = True ] && ok || bad "offline attacks from reference columns ($v)"
v=$(jq_ "$T/prefs/report.json" "(lambda a: a['lira-offline'] > a['loss'] + 0.02)({x['name']: x['auc'] for x in r['attacks']})")
[ "$v" = True ] && ok || bad "offline LiRA from reference columns beats the loss attack ($v)"

# membership not decided at random: reported, never decides
sed 's/"members": "..\/thirdparty\/work\/members.txt"}/"members": "..\/thirdparty\/work\/members.txt", "random_membership": false}/' \
    fixtures/configs/thirdparty-xgboost-file.json >fixtures/configs/.e2e-nonrandom.json
"$BIN" run fixtures/configs/.e2e-nonrandom.json --out "$T/nr" --quiet && ok || bad "non-random run"
v=$(jq_ "$T/nr/report.json" "r['verdict']['status']=='consistent' and r['verdict']['decided_by']['method']=='none' and not r['bounds'][0]['decides'] and 'NOT decided at random' in r['data']['split']")
rm -f fixtures/configs/.e2e-nonrandom.json
[ "$v" = True ] && ok || bad "non-random membership does not decide ($v)"

# bad inputs: exit 2, a message that names the problem, no report
W="$PWD/fixtures/thirdparty/work"
badrun() { # badrun PATTERN CONFIG-JSON
    printf '%s\n' "$2" >"$T/bad.json"
    rm -rf "$T/badout"
    "$BIN" run "$T/bad.json" --out "$T/badout" >"$T/out" 2>&1
    got=$?
    if [ $got -eq 2 ] && grep -qF -- "$1" "$T/out" && [ ! -e "$T/badout/report.json" ]; then ok; else
        bad "expected exit 2 with '$1', got $got"; cat "$T/out"; fi
}
D="\"data\": {\"path\": \"$PWD/fixtures/data/spam.csv\", \"members\": \"$W/members.txt\"}"
head -c 1000 "$W/model.json" >"$T/trunc.json"
badrun "trunc.json" "{$D, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$T/trunc.json\"}}"
badrun "missing.json" "{$D, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$T/missing.json\"}}"
for mode in crash hang garbage columns negative sum short; do
    badrun "batch 1" "{$D, \"target\": {\"kind\": \"command\", \"argv\": [\"sh\", \"$PWD/fixtures/thirdparty/test_oracle.sh\", \"$mode\"], \"timeout_s\": 2}}"
done
badrun "cannot start oracle" "{$D, \"target\": {\"kind\": \"command\", \"argv\": [\"/nonexistent/program\"]}}"
badrun "target.argv: missing" "{$D, \"target\": {\"kind\": \"command\"}}"
printf '1\n2\nxyz\n' >"$T/m.txt"
badrun "m.txt:3: expected a row number" "{\"data\": {\"path\": \"$PWD/fixtures/data/spam.csv\", \"members\": \"$T/m.txt\"}, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}}"
badrun "data: say which rows the model was trained on" "{\"data\": {\"path\": \"$PWD/fixtures/data/spam.csv\"}, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}}"
badrun "expects 57" "{\"data\": {\"path\": \"$PWD/fixtures/data/satellite.csv\", \"members\": \"$W/members.txt\"}, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}}"
printf 'id,label,member,p_0\n1,0,1,1\n' >"$T/p.csv"
badrun "p.csv" "{\"target\": {\"kind\": \"predictions\", \"path\": \"$T/p.csv\"}}"
printf 'id,label,member,loss\n1,0,1,0.1\n2,1,1,0.2\n3,0,0,0.9\n4,1,0,1.2\n' >"$T/l.csv"
badrun "'confidence' needs class probabilities" "{\"target\": {\"kind\": \"predictions\", \"path\": \"$T/l.csv\"}, \"attacks\": [\"loss\", \"confidence\"]}"
badrun "canaries: not available for a target privaudit does not train" "{$D, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}, \"canaries\": {\"kind\": \"ood\", \"count\": 4}}"
badrun "shadows.reference: missing" "{$D, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}, \"shadows\": {\"count\": 4}}"
badrun "'lira-online' needs reference models trained with the target's members" "{$D, \"target\": {\"kind\": \"xgboost-file\", \"path\": \"$W/model.json\"}, \"shadows\": {\"count\": 4, \"attacks\": [\"lira-online\"], \"reference\": {\"kind\": \"xgboost\"}}}"
badrun "has 0 reference models" "{\"target\": {\"kind\": \"predictions\", \"path\": \"$W/xgboost-predictions.csv\"}, \"shadows\": {}}"
# a loss-only predictions file works with the loss attack
printf '{"target": {"kind": "predictions", "path": "%s"}, "attacks": ["loss"]}\n' "$T/l.csv" >"$T/lo.json"
"$BIN" run "$T/lo.json" --out "$T/lo" --quiet && ok || bad "loss-only predictions file"

echo "e2e_routes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
