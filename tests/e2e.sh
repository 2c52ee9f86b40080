#!/bin/sh
# tests/e2e.sh - end-to-end tests of the privaudit command line: exit codes,
# messages, report contents, determinism, atomic output.
# usage: sh tests/e2e.sh build/privaudit      (run from the repository root)
set -u
BIN=${1:-build/privaudit}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
ROOT=$PWD
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE PATTERN -- ARGS...: run privaudit, check exit code and that
# stdout+stderr contains PATTERN (a fixed string; "" matches anything).
expect() {
    code=$1; pat=$2; shift 3
    "$BIN" "$@" >"$T/out" 2>&1
    got=$?
    if [ "$got" -ne "$code" ]; then
        bad "privaudit $* -> exit $got, want $code"; sed 's/^/    /' "$T/out" | head -5
    elif [ -n "$pat" ] && ! grep -qF -- "$pat" "$T/out"; then
        bad "privaudit $* -> output lacks '$pat'"; sed 's/^/    /' "$T/out" | head -5
    else
        ok
    fi
}

# json_get FILE EXPR: evaluate a Python expression on the parsed document r.
json_get() {
    "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1"
}

# ---- global CLI --------------------------------------------------------------
expect 0 "usage: privaudit" -- --help
expect 0 "privaudit $(cat "$ROOT/VERSION")" -- --version
expect 2 "usage: privaudit" --
expect 2 "unknown command 'frobnicate'" -- frobnicate
for c in run demo bound account; do
    expect 0 "usage: privaudit $c" -- "$c" --help
done
expect 2 "unknown option '--nope'" -- run --nope
expect 2 "run needs one CONFIG.json" -- run
expect 2 "try 'privaudit run --help'" -- run

# ---- bound -----------------------------------------------------------------
expect 0 "epsilon lower bound" -- bound --tp 900 --fn 100 --fp 100 --tn 900
"$BIN" bound --tp 900 --fn 100 --fp 100 --tn 900 --delta 0 --confidence 0.95 --json >"$T/b.json"
if [ "$(json_get "$T/b.json" "sorted(k for k in ['epsilon_lower_bound','fpr_upper','fnr_upper','delta','confidence'] if k in r)==['confidence','delta','epsilon_lower_bound','fnr_upper','fpr_upper'] and r['delta']==0 and r['confidence']==0.95 and 1.5<r['epsilon_lower_bound']<2.1972245773362196")" = True ]; then ok; else bad "bound --json fields/values"; cat "$T/b.json"; fi
# zero counts give a finite bound (no inf / nan in the output)
"$BIN" bound --tp 50 --fn 0 --fp 0 --tn 50 --json >"$T/b0.json"
if [ "$(json_get "$T/b0.json" "0 < r['epsilon_lower_bound'] < 10")" = True ]; then ok; else bad "bound with zero counts"; cat "$T/b0.json"; fi
"$BIN" bound --tp 0 --fn 0 --fp 0 --tn 0 --json >"$T/b00.json"
if [ "$(json_get "$T/b00.json" "r['epsilon_lower_bound'] == 0")" = True ]; then ok; else bad "bound with no trials"; fi
expect 2 "missing --tn" -- bound --tp 1 --fn 1 --fp 1
expect 2 "--fp: expected a non-negative integer, got '-3'" -- bound --tp 1 --fn 1 --fp -3 --tn 1
expect 2 "--tp: expected a non-negative integer, got '1.5'" -- bound --tp 1.5 --fn 1 --fp 1 --tn 1
expect 2 "confidence" -- bound --tp 1 --fn 1 --fp 1 --tn 1 --confidence 1.2
expect 2 "delta" -- bound --tp 1 --fn 1 --fp 1 --tn 1 --delta 1
expect 2 "--delta: expected a number, got 'abc'" -- bound --tp 1 --fn 1 --fp 1 --tn 1 --delta abc

# ---- run: a real audit --------------------------------------------------------
cat >"$T/cfg.json" <<JSON
{
  "name": "e2e",
  "seed": 7,
  "data": {"path": "$ROOT/fixtures/data/spam.csv"},
  "split": {"members": 0.5, "max_rows": 1200},
  "target": {"kind": "xgboost", "rounds": 60, "max_depth": 6},
  "attacks": ["loss", "confidence"],
  "bounds": {"confidence": 0.95, "threshold": "split"}
}
JSON
expect 0 "verdict     no-claim" -- run "$T/cfg.json" --out "$T/r1"
expect 0 "" -- run "$T/cfg.json" --out "$T/r2" --quiet
if [ -s "$T/r2/report.json" ] && [ ! -s "$T/out" ]; then ok; else bad "--quiet printed output or wrote no report"; fi
R="$T/r1/report.json"
check() { # check DESCRIPTION EXPR
    v=$(json_get "$R" "$2" 2>&1)
    if [ "$v" = True ]; then ok; else bad "report: $1 ($v)"; fi
}
check "schema and tool" "r['schema_version']==1 and r['tool']['name']=='privaudit'"
check "provenance sha256 of data" "[i['sha256'] for i in r['provenance']['inputs'] if i['role']=='data'][0]=='$(sha256sum "$ROOT/fixtures/data/spam.csv" | cut -d' ' -f1)'"
check "provenance sha256 of config" "[i['sha256'] for i in r['provenance']['inputs'] if i['role']=='config'][0]=='$(sha256sum "$T/cfg.json" | cut -d' ' -f1)'"
check "provenance versions and seed" "r['provenance']['libraries']['xgboost'].count('.')==2 and 'OpenBLAS' in r['provenance']['libraries']['openblas'] and r['provenance']['seed']==7"
check "resolved config has defaults" "r['provenance']['config']['target']['eta']==0.3 and r['provenance']['config']['bounds']['delta']==1e-5"
check "row counts" "r['data']['rows']==4601 and r['data']['rows_used']==1200 and r['data']['members']==600 and r['data']['nonmembers']==600"
check "target accuracies" "0.99<=r['target']['train_accuracy']<=1 and 0.85<r['target']['test_accuracy']<1"
check "attacks present" "[a['name'] for a in r['attacks']]==['loss','confidence']"
check "loss attack finds the overfit target" "0.55 < r['attacks'][0]['auc'] < 1"
check "tpr at fpr with counts" "[t['target_fpr'] for t in r['attacks'][0]['tpr_at_fpr']]==[0.0001,0.001,0.01,0.1] and all(t['fpr']<=t['target_fpr'] for t in r['attacks'][0]['tpr_at_fpr'])"
check "roc is monotone from 0 to 1" "(lambda f,t: f[0]==0 and t[0]==0 and f[-1]==1 and t[-1]==1 and all(a<=b for a,b in zip(f,f[1:])) and all(a<=b for a,b in zip(t,t[1:])))(r['attacks'][0]['roc']['fpr'], r['attacks'][0]['roc']['tpr'])"
check "bound fields" "all(k in r['bounds'][0] for k in ['epsilon_lower_bound','confidence','delta','counts','threshold']) and r['bounds'][0]['threshold']['mode']=='split'"
check "split bound uses half the data" "sum(r['bounds'][0]['counts'].values())==r['bounds'][0]['threshold']['n_eval']==600"
check "verdict no-claim" "r['verdict']['status']=='no-claim' and r['verdict']['claim'] is None"
check "timings" "all(k in r['timings'] for k in ['load_s','train_s','total_s'])"

# determinism: same config and seed -> same report except time stamps
strip='import json,sys; r=json.load(open(sys.argv[1])); r["provenance"].pop("started_at"); r.pop("timings"); print(json.dumps(r, sort_keys=True))'
"$PY" -c "$strip" "$T/r1/report.json" >"$T/s1"
"$PY" -c "$strip" "$T/r2/report.json" >"$T/s2"
if cmp -s "$T/s1" "$T/s2"; then ok; else bad "same config and seed gave different reports"; fi
sed 's/"seed": 7/"seed": 8/' "$T/cfg.json" >"$T/cfg8.json"
"$BIN" run "$T/cfg8.json" --out "$T/r3" --quiet
"$PY" -c "$strip" "$T/r3/report.json" | sed 's/"seed": 8/"seed": 7/g; s/cfg8/cfg/g' >"$T/s3"
if ! cmp -s "$T/s1" "$T/s3"; then ok; else bad "a different seed gave the same report"; fi

# claims and the verdict
sed 's/"attacks"/"claim": {"epsilon": 0.05, "delta": 1e-5}, "attacks"/' "$T/cfg.json" >"$T/claim.json"
expect 0 "verdict     violated" -- run "$T/claim.json" --out "$T/rc"
expect 1 "verdict     violated" -- run "$T/claim.json" --out "$T/rc" --fail-on-violation
sed 's/"attacks"/"claim": {"epsilon": 50, "delta": 1e-5}, "attacks"/' "$T/cfg.json" >"$T/claim2.json"
expect 0 "verdict     consistent" -- run "$T/claim2.json" --out "$T/rc2" --fail-on-violation

# ---- bad input: exit 2, a message naming file/line/column or key, no report ----
noreport() { # noreport DIR DESCRIPTION
    if [ -e "$1/report.json" ]; then bad "$2: wrote a report"; else ok; fi
}
printf '{\n  "seed": 1,\n  "data": {"path": "x.csv"\n}\n' >"$T/syntax.json"
expect 2 "syntax.json:4:" -- run "$T/syntax.json" --out "$T/bad1"
noreport "$T/bad1" "syntax error"
sed 's/"max_depth": 6/"max_depth": 0/' "$T/cfg.json" >"$T/range.json"
expect 2 "target.max_depth: expected an integer in [1, 64], got 0" -- run "$T/range.json" --out "$T/bad2"
sed 's/"rounds": 60/"rounds": "60"/' "$T/cfg.json" >"$T/type.json"
expect 2 "target.rounds: expected an integer in [1, 100000], got a string" -- run "$T/type.json" --out "$T/bad2"
sed 's/"seed": 7/"sed": 7/' "$T/cfg.json" >"$T/key.json"
expect 2 "sed: unknown key" -- run "$T/key.json" --out "$T/bad2"
noreport "$T/bad2" "config errors"
expect 2 "cannot read '$T/missing.json'" -- run "$T/missing.json" --out "$T/bad3"
sed 's/"attacks"/"report": {"formats": ["md", "pdf"]}, "attacks"/' "$T/cfg.json" >"$T/fmt.json"
expect 2 "report.formats[1]: expected one of 'json', 'md', 'html', 'junit', 'png', 'svg', 'all'" -- run "$T/fmt.json" --out "$T/bad5"
noreport "$T/bad5" "bad report format"
expect 2 "--workers: expected a non-negative integer, got 'two'" -- run "$T/cfg.json" --workers two
sed 's/"attacks": \["loss", "confidence"\]/"attacks": ["loss"], "report": {"formats": ["md", "junit"]}/' "$T/cfg.json" >"$T/fmt2.json"
"$BIN" run "$T/fmt2.json" --out "$T/fmt2" --quiet
if [ -s "$T/fmt2/report.md" ] && [ -s "$T/fmt2/report.junit.xml" ] && [ ! -e "$T/fmt2/report.html" ]; then ok; else bad "report.formats renders just what it lists"; fi

datacase() { # datacase NAME PATTERN CSV-CONTENT [LABEL]
    printf '%b' "$3" >"$T/$1.csv"
    lbl=${4:-label}
    cat >"$T/$1.json" <<JSON
{"data": {"path": "$1.csv", "label": "$lbl"}, "target": {"kind": "xgboost", "rounds": 2}}
JSON
    expect 2 "$2" -- run "$T/$1.json" --out "$T/out-$1"
    noreport "$T/out-$1" "data case $1"
}
datacase ragged "ragged.csv:3" 'a,b,label\n1,2,0\n3,4\n5,6,1\n'
datacase nonnum "nonnum.csv:4:2" 'a,b,label\n1,2,0\n3,4,1\n5,x,1\n6,7,0\n'
datacase empty "empty.csv" ''
datacase headeronly "headeronly.csv" 'a,b,label\n'
datacase nolabel "label column 'target' is not in the header" 'a,b,c\n1,2,0\n3,4,1\n' target
datacase nanlabel "nanlabel.csv:3:3" 'a,b,label\n1,2,0\n3,4,NA\n5,6,1\n'
datacase dupheader "duplicate" 'a,a,label\n1,2,0\n3,4,1\n'
datacase oneclass "one class" 'a,b,label\n1,2,0\n3,4,0\n5,6,0\n7,8,0\n'
expect 2 "cannot read" -- run "$T/nofile.json" --out "$T/bad4"

# ---- demo --------------------------------------------------------------------
( cd "$T" && PRIVAUDIT_FIXTURES="$ROOT/fixtures" "$BIN" demo --out "$T/demo" ) >"$T/demo.out" 2>&1
if [ $? -eq 0 ] && grep -q "epsilon >=" "$T/demo.out" && [ -s "$T/demo/report.json" ]; then ok; else bad "demo"; cat "$T/demo.out"; fi

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
