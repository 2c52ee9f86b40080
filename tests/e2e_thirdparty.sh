#!/bin/sh
# tests/e2e_thirdparty.sh - auditing models trained elsewhere: `privaudit
# score` on XGBoost models trained by Python's xgboost (predictions equal
# Python's own), the predictions file it writes, and bad model files.
# usage: sh tests/e2e_thirdparty.sh build/privaudit   (from the repository root)
# Needs Debian's /usr/bin/python3 with python3-xgboost (`make deps`).
set -u
BIN=${1:-build/privaudit}
PY=/usr/bin/python3
FIX=fixtures/thirdparty
DATA=fixtures/data/spam.csv
T=$(mktemp -d /tmp/privaudit-e2e-thirdparty.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_fail WHAT NEEDLE CMD...: exit 2, NEEDLE in stderr, nothing on stdout
expect_fail() {
    what=$1 needle=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ $rc -eq 2 ] && grep -qF -- "$needle" "$T/err" && [ ! -s "$T/out" ]; then ok; else
        bad "$what (exit $rc, want 2 and '$needle')"; cat "$T/err"; fi
}

# ---- a model trained by Python's xgboost -------------------------------
if ! "$PY" "$FIX/train_xgboost.py" --data "$DATA" "$T/m" >"$T/out" 2>&1; then
    bad "train_xgboost.py"; cat "$T/out"
    echo "e2e_thirdparty: $pass passed, $fail failed"; exit 1
fi
ok
# Python's own predictions: predict_proba (float32) and, for a tighter
# check, the margin through a float64 sigmoid (what privaudit computes).
cat >"$T/py_predict.py" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np, xgboost as xgb, common
X, y, _, _ = common.load_csv(sys.argv[2])
clf = xgb.XGBClassifier()
clf.load_model(sys.argv[3])
p = clf.predict_proba(X)
z = clf.get_booster().predict(xgb.DMatrix(X, missing=np.nan), output_margin=True)
p1 = 1.0 / (1.0 + np.exp(-z.astype(np.float64)))
with open(sys.argv[4], "w") as f:
    for i in range(len(y)):
        f.write("%d,%d,%r,%r,%r\n" % (i + 1, y[i], float(p[i, 0]), float(p[i, 1]), float(p1[i])))
PYEOF
"$PY" -W ignore "$T/py_predict.py" "$FIX" "$DATA" "$T/m/model.json" "$T/py.csv" 2>"$T/err" ||
    { bad "python predict_proba"; cat "$T/err"; }

# compare P.csv (privaudit) with py.csv: ids, labels, members, probabilities
cat >"$T/compare.py" <<'PYEOF'
import csv, sys
ours = list(csv.DictReader(open(sys.argv[1])))
py = [l.split(",") for l in open(sys.argv[2])]
members = set(int(s) for s in open(sys.argv[3]) if s.strip()) if sys.argv[3] != "-" else None
assert len(ours) == len(py) == 4601, (len(ours), len(py))
worst_proba = worst_margin = 0.0
for r, q in zip(ours, py):
    assert r["id"] == q[0] and r["label"] == q[1], (r["id"], q[0], r["label"], q[1])
    want = "" if members is None else ("1" if int(r["id"]) in members else "0")
    assert r["member"] == want, (r["id"], r["member"], want)
    p0, p1 = float(r["p_0"]), float(r["p_1"])
    assert abs(p0 + p1 - 1) < 1e-15
    worst_proba = max(worst_proba, abs(p0 - float(q[2])), abs(p1 - float(q[3])))
    worst_margin = max(worst_margin, abs(p1 - float(q[4])))
assert list(ours[0].keys()) == ["id", "label", "member", "p_0", "p_1"], list(ours[0].keys())
assert worst_proba <= 1e-6, worst_proba
assert worst_margin <= 1e-12, worst_margin
print("ok %.3g %.3g" % (worst_proba, worst_margin))
PYEOF
for fmt in json ubj; do
    if "$BIN" score --model "$T/m/model.$fmt" --data "$DATA" --members "$T/m/members.txt" \
        --out "$T/p.$fmt.csv" >"$T/out" 2>"$T/err" && [ ! -s "$T/out" ]; then ok; else
        bad "score model.$fmt"; cat "$T/err"; fi
    r=$("$PY" "$T/compare.py" "$T/p.$fmt.csv" "$T/py.csv" "$T/m/members.txt" 2>&1)
    case $r in ok*) ok ;; *) bad "model.$fmt: predictions differ from Python's: $r" ;; esac
done
# the JSON and UBJSON files are the same model
cmp -s "$T/p.json.csv" "$T/p.ubj.csv" && ok || bad "model.json and model.ubj predict differently"
# stdout by default (and with --out -); member empty without --members
"$BIN" score --model "$T/m/model.json" --data "$DATA" >"$T/stdout.csv" 2>"$T/err" || bad "score to stdout"
r=$("$PY" "$T/compare.py" "$T/stdout.csv" "$T/py.csv" - 2>&1)
case $r in ok*) ok ;; *) bad "score to stdout: $r" ;; esac
"$BIN" score --model "$T/m/model.json" --data "$DATA" --out - >"$T/stdout2.csv" 2>"$T/err"
cmp -s "$T/stdout.csv" "$T/stdout2.csv" && ok || bad "--out - is stdout"
# an explicit --label gives the same encoding
"$BIN" score --model "$T/m/model.json" --data "$DATA" --label label >"$T/lab.csv" 2>"$T/err"
cmp -s "$T/stdout.csv" "$T/lab.csv" && ok || bad "--label label"

# a multi-class model (satellite, 6 classes) trained by Python
if "$PY" "$FIX/train_xgboost.py" --data fixtures/data/satellite.csv --rounds 10 "$T/sat" >"$T/out" 2>&1; then
    ok
    "$BIN" score --model "$T/sat/model.ubj" --data fixtures/data/satellite.csv --out "$T/sat.csv" 2>"$T/err" ||
        { bad "score satellite"; cat "$T/err"; }
    r=$("$PY" -W ignore -c "
import csv, sys
sys.path.insert(0, '$FIX')
import numpy as np, xgboost as xgb, common
X, y, names, _ = common.load_csv('fixtures/data/satellite.csv')
# (XGBClassifier.load_model of a native multi-class booster predicts a
# wrong shape in xgboost 1.7; the Booster's own predict is Python's answer)
p = xgb.Booster(model_file='$T/sat/model.ubj').predict(xgb.DMatrix(X, missing=np.nan))
rows = list(csv.DictReader(open('$T/sat.csv')))
k = len(names)
assert k == 6 and list(rows[0].keys())[3:] == ['p_%d' % c for c in range(k)]
d = max(abs(float(r['p_%d' % c]) - p[i, c]) for i, r in enumerate(rows) for c in range(k))
assert all(int(r['label']) == y[i] for i, r in enumerate(rows))
assert d <= 1e-6, d
print('ok', d)" 2>&1)
    case $r in ok*) ok ;; *) bad "satellite predictions differ from Python's: $r" ;; esac
else
    bad "train_xgboost.py on satellite"; cat "$T/out"
fi

# ---- bad model files: exit 2, the path in the message ------------------
M=$T/m/model.json
sz=$(wc -c <"$M")
head -c $((sz / 2)) "$M" >"$T/truncated.json"
: >"$T/empty.json"
echo '{"not": "a model"}' >"$T/notmodel.json"
"$PY" -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
for i in range(len(b) // 3, len(b) // 3 + 64): b[i] = 0x7e
open(sys.argv[2], 'wb').write(b)" "$M" "$T/corrupt.json"
head -c $(($(wc -c <"$T/m/model.ubj") / 2)) "$T/m/model.ubj" >"$T/truncated.ubj"
printf 'this is not a model\n' >"$T/text.bin"
for f in truncated.json empty.json notmodel.json corrupt.json truncated.ubj text.bin; do
    expect_fail "bad model $f" "$T/$f" "$BIN" score --model "$T/$f" --data "$DATA"
done
expect_fail "missing model" "$T/nonexistent.json" "$BIN" score --model "$T/nonexistent.json" --data "$DATA"
expect_fail "empty model says so" "empty model file" "$BIN" score --model "$T/empty.json" --data "$DATA"
# feature names: a model that records them must see them in the header, in
# order; the same columns in another order are an input error, not silently
# misread features
if "$PY" "$FIX/train_xgboost.py" --data "$DATA" --rounds 5 --feature-names "$T/named" >"$T/out" 2>&1; then
    ok
    "$BIN" score --model "$T/named/model.json" --data "$DATA" --out "$T/named.csv" >"$T/out" 2>&1 && ok || { bad "named model on its own header"; cat "$T/out"; }
    "$PY" -c "
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for r in rows: r[0], r[1] = r[1], r[0]
csv.writer(open(sys.argv[2], 'w', newline=''), lineterminator='\n').writerows(rows)" "$DATA" "$T/swapped.csv"
    expect_fail "named model on swapped columns" "feature column 1 is 'address' but the model '$T/named/model.json' calls its feature 1 'make'" "$BIN" score --model "$T/named/model.json" --data "$T/swapped.csv"
    printf '{"data": {"path": "%s", "members": "%s"}, "target": {"kind": "xgboost-file", "path": "%s"}}\n' "$T/swapped.csv" "$T/named/members.txt" "$T/named/model.json" >"$T/swapped.json"
    "$BIN" run "$T/swapped.json" --out "$T/swapped-out" >"$T/out" 2>&1
    rc=$?
    if [ $rc -eq 2 ] && grep -qF "feature column 1 is 'address'" "$T/out" && [ ! -e "$T/swapped-out/report.json" ]; then ok; else bad "audit of a named model on swapped columns (exit $rc)"; cat "$T/out"; fi
else
    bad "train_xgboost.py --feature-names"; cat "$T/out"
fi
# a regression model is not a classifier
"$PY" -c "
import numpy as np, xgboost as xgb
X = np.arange(20, dtype=np.float32).reshape(10, 2)
xgb.train({'objective': 'reg:squarederror'}, xgb.DMatrix(X, label=np.arange(10.0)), 2).save_model('$T/reg.json')" 2>/dev/null
expect_fail "regression model" "objective 'reg:squarederror' is not a classifier" \
    "$BIN" score --model "$T/reg.json" --data "$DATA"

# ---- data that does not fit the model ----------------------------------
cut -d, -f1-10,58 "$DATA" >"$T/narrow.csv"
expect_fail "feature count" "the model '$M' expects 57 features, the data '$T/narrow.csv' has 10" \
    "$BIN" score --model "$M" --data "$T/narrow.csv"
"$PY" -c "
import sys
lines = open(sys.argv[1]).read().splitlines()
out = [lines[0]] + [l.rsplit(',', 1)[0] + ',' + 'abc'[i % 3] for i, l in enumerate(lines[1:])]
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')" "$DATA" "$T/three.csv"
expect_fail "class count" "the data '$T/three.csv' has 3 classes in column 'label', the model '$M' predicts 2" \
    "$BIN" score --model "$M" --data "$T/three.csv"
expect_fail "bad data" "$T/nodata.csv" "$BIN" score --model "$M" --data "$T/nodata.csv"

# ---- members files --------------------------------------------------------
printf '1\n5000\n' >"$T/mem1.txt"
expect_fail "member out of range" "$T/mem1.txt:2:1: row number 5000 outside the data's rows 1..4601" \
    "$BIN" score --model "$M" --data "$DATA" --members "$T/mem1.txt"
printf '# rows\n1\n\nx2\n' >"$T/mem2.txt"
expect_fail "member not a number" "$T/mem2.txt:4:1: expected a row number, got 'x2'" \
    "$BIN" score --model "$M" --data "$DATA" --members "$T/mem2.txt"
printf '3\n3\n' >"$T/mem3.txt"
expect_fail "member twice" "$T/mem3.txt:2:1: row 3 listed twice (first on line 1)" \
    "$BIN" score --model "$M" --data "$DATA" --members "$T/mem3.txt"
printf '0\n' >"$T/mem4.txt"
expect_fail "member zero" "row number 0 outside" \
    "$BIN" score --model "$M" --data "$DATA" --members "$T/mem4.txt"
# a failed score writes no output file
[ ! -e "$T/none.csv" ] && "$BIN" score --model "$M" --data "$DATA" --members "$T/mem1.txt" \
    --out "$T/none.csv" 2>/dev/null
[ ! -e "$T/none.csv" ] && ok || bad "a failed score left an output file"

# ---- usage ----------------------------------------------------------------
"$BIN" score --help >"$T/out" 2>&1 && grep -q "usage: privaudit score --model MODEL --data DATA" "$T/out" &&
    ok || bad "score --help"
"$BIN" --help | grep -q "score" && ok || bad "score in privaudit --help"
expect_fail "no --model" "score needs --model and --data" "$BIN" score --data "$DATA"
expect_fail "unknown option" "unknown option '--bogus'" "$BIN" score --bogus 1
expect_fail "unwritable out" "/nonexistent/dir/p.csv" "$BIN" score --model "$M" --data "$DATA" \
    --out /nonexistent/dir/p.csv

echo "e2e_thirdparty: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
