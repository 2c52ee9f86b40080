#!/bin/sh
# tests/e2e_bound.sh - end-to-end tests of `privaudit bound --scores`: exit
# codes, file:line:column messages, JSON fields and verdicts.
# usage: sh tests/e2e_bound.sh build/privaudit      (run from the repository root)
set -u
BIN=${1:-build/privaudit}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e-bound.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE PATTERN -- ARGS...: exit code and a fixed string in stdout+stderr.
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

# check NAME FILE EXPR: a Python expression on the parsed JSON document r
# (b: the bounds by method) must be True.
check() {
    name=$1; file=$2; expr=$3
    res=$("$PY" -c "
import json, math, sys
r = json.load(open(sys.argv[1]))
b = {x['method']: x for x in r['bounds']} if isinstance(r, dict) and 'bounds' in r else {}
print($expr)" "$file" 2>&1)
    if [ "$res" = True ]; then ok; else bad "$name: $res"; head -40 "$file" | sed 's/^/    /'; fi
}

# ---- score files ---------------------------------------------------------
# perfect.csv: 200 canaries, members (odd i) all score above non-members.
awk 'BEGIN { print "id,member,score";
             for (i = 0; i < 200; i++) { m = i % 2; printf "c%d,%d,%d\n", i, m, m ? 1000 + i : i } }' \
    >"$T/perfect.csv"
# ties.csv: every score equal: guesses by index, half of them right.
awk 'BEGIN { print "id,member,score"; for (i = 0; i < 200; i++) printf "c%d,%d,0\n", i, i % 2 }' \
    >"$T/ties.csv"
# crlf.csv: perfect.csv with CRLF line ends.
awk '{ printf "%s\r\n", $0 }' "$T/perfect.csv" >"$T/crlf.csv"
printf 'id,member,score\na,1,0.5\nb,0,0.25\n' >"$T/small.csv"
printf 'id,score,member\na,0.5,1\n' >"$T/header.csv"
printf 'id,member,score\na,1,0.5\nb,0,0.25,x\n' >"$T/extra.csv"
printf 'id,member,score\na,1,0.5\nb,2,0.25\n' >"$T/member.csv"
printf 'id,member,score\na,1,0.5\nb,0,abc\n' >"$T/score.csv"
printf 'id,member,score\na,1,0.5\nb,0,nan\n' >"$T/nan.csv"
printf 'id,member,score\na,1,0.5\na,0,0.25\n' >"$T/dup.csv"
printf 'id,member,score\na,1\n' >"$T/short.csv"
printf 'id,member,score\n' >"$T/empty.csv"
: >"$T/zero.csv"
printf 'id,member,score\n,1,0.5\n' >"$T/noid.csv"

# ---- usage -----------------------------------------------------------------
expect 0 "--scores FILE" -- bound --help
expect 0 "one-run-fdp" -- bound --help
expect 2 "--method: expected one-run, one-run-fdp, clopper-pearson, gdp or all, got 'x'" -- \
    bound --scores "$T/perfect.csv" --method x
expect 2 "--k-plus and --k-minus go together" -- bound --scores "$T/perfect.csv" --k-plus 5
expect 2 "--scores cannot be combined with --tp/--fn/--fp/--tn" -- \
    bound --scores "$T/perfect.csv" --tp 1
expect 2 "--k-plus needs --scores" -- bound --tp 1 --fn 1 --fp 1 --tn 1 --k-plus 1 --k-minus 1
expect 2 "--method one-run needs --scores" -- bound --tp 1 --fn 1 --fp 1 --tn 1 --method one-run
expect 2 "--threshold: expected split or union, got 'best'" -- \
    bound --scores "$T/perfect.csv" --threshold best
expect 2 "more than the 200 canaries" -- bound --scores "$T/perfect.csv" --k-plus 150 --k-minus 100
expect 2 "--confidence: expected a number in (0, 1), got '1'" -- \
    bound --scores "$T/perfect.csv" --confidence 1
expect 2 "--delta: expected a number in [0, 1), got '1'" -- bound --scores "$T/perfect.csv" --delta 1
expect 2 "--claimed-epsilon: expected a number, got 'big'" -- \
    bound --scores "$T/perfect.csv" --claimed-epsilon big
expect 2 "try 'privaudit bound --help'" -- bound --scores "$T/perfect.csv" --method x

# ---- file errors: FILE:LINE:COLUMN, exit 2 ------------------------------------
expect 2 "cannot open '$T/missing.csv'" -- bound --scores "$T/missing.csv"
expect 2 "$T/header.csv:1:1: expected the header 'id,member,score', got 'id,score,member'" -- \
    bound --scores "$T/header.csv"
expect 2 "$T/extra.csv:3:10: unexpected 4th column; expected only id,member,score" -- \
    bound --scores "$T/extra.csv"
expect 2 "$T/member.csv:3:3: expected 0 or 1 in column 'member', got '2'" -- \
    bound --scores "$T/member.csv"
expect 2 "$T/score.csv:3:5: expected a finite number in column 'score', got 'abc'" -- \
    bound --scores "$T/score.csv"
expect 2 "$T/nan.csv:3:5: expected a finite number in column 'score', got 'nan'" -- \
    bound --scores "$T/nan.csv"
expect 2 "$T/dup.csv:3:1: duplicate id 'a' (first on line 2)" -- bound --scores "$T/dup.csv"
expect 2 "$T/short.csv:2:4: expected 3 columns (id,member,score), got 2" -- \
    bound --scores "$T/short.csv"
expect 2 "$T/empty.csv: no data rows after the header" -- bound --scores "$T/empty.csv"
expect 2 "$T/zero.csv:1:1: expected the header 'id,member,score', got an empty file" -- \
    bound --scores "$T/zero.csv"
expect 2 "$T/noid.csv:2:1: empty id" -- bound --scores "$T/noid.csv"

# ---- text output -------------------------------------------------------------
expect 0 "one-run epsilon lower bound:" -- bound --scores "$T/perfect.csv"
expect 0 "gdp epsilon estimate (assumes a Gaussian trade-off)" -- bound --scores "$T/perfect.csv"
expect 0 "verdict for claimed epsilon 1 at delta 1e-05: violated (one-run, one-run-fdp, clopper-pearson)" -- \
    bound --scores "$T/perfect.csv" --claimed-epsilon 1
expect 0 "verdict for claimed epsilon 10 at delta 1e-05: consistent" -- \
    bound --scores "$T/perfect.csv" --claimed-epsilon 10
expect 0 "verdict for claimed epsilon 1 at delta 1e-05: violated" -- \
    bound --tp 900 --fn 100 --fp 100 --tn 900 --claimed-epsilon 1
expect 0 "scores: $T/crlf.csv (200 rows, 100 members)" -- bound --scores "$T/crlf.csv"

# ---- JSON --------------------------------------------------------------------
# 200 perfect guesses at 95%, delta 0: eps = log(q/(1-q)), q = 0.05^(1/200)
"$BIN" bound --scores "$T/perfect.csv" --k-plus 100 --k-minus 100 --delta 0 --json \
    --claimed-epsilon 1 >"$T/p.json"
check "all four methods" "$T/p.json" "sorted(b) == ['clopper-pearson', 'gdp', 'one-run', 'one-run-fdp']"
check "common fields" "$T/p.json" "all(k in x for x in r['bounds'] for k in ('method', 'epsilon_lower_bound', 'confidence', 'delta', 'valid_for_claim', 'verdict'))"
check "one-run closed form" "$T/p.json" "abs(b['one-run']['epsilon_lower_bound'] - 4.193629987) < 1e-6"
check "one-run guesses" "$T/p.json" "b['one-run']['guesses'] == {'canaries': 200, 'guesses': 200, 'correct': 200, 'k_plus': 100, 'k_minus': 100}"
check "one-run selection" "$T/p.json" "b['one-run']['selection'] == {'rule': 'fixed', 'n_pairs': 1, 'confidence_per_test': 0.95}"
check "fdp equals one-run for perfect guesses at delta 0" "$T/p.json" "abs(b['one-run-fdp']['epsilon_lower_bound'] - b['one-run']['epsilon_lower_bound']) < 1e-6"
check "fdp gaussian estimate" "$T/p.json" "b['one-run-fdp']['gaussian_estimate']['assumption'] == 'gaussian trade-off' and b['one-run-fdp']['gaussian_estimate']['mu_lower_bound'] > 0 and b['one-run-fdp']['gaussian_estimate']['epsilon_estimate'] is None"
check "gdp is an estimate" "$T/p.json" "b['gdp']['assumption'] == 'gaussian trade-off' and b['gdp']['valid_for_claim'] is False and b['gdp']['verdict'] is None and b['gdp']['estimate_exceeds_claim'] is True"
check "cp threshold fields" "$T/p.json" "b['clopper-pearson']['threshold']['mode'] == 'split' and sum(b['clopper-pearson']['counts'].values()) == b['clopper-pearson']['threshold']['n_eval'] == 100"
check "verdict violated" "$T/p.json" "r['verdict']['status'] == 'violated' and r['verdict']['claimed_epsilon'] == 1 and r['verdict']['decided_by'] == ['one-run', 'one-run-fdp', 'clopper-pearson']"
check "input block" "$T/p.json" "r['input']['rows'] == 200 and r['input']['members'] == 100"
"$BIN" bound --scores "$T/perfect.csv" --json --claimed-epsilon 10 --threshold union >"$T/c.json"
check "verdict consistent" "$T/c.json" "r['verdict']['status'] == 'consistent' and r['verdict']['decided_by'] == [] and all(x['verdict'] in ('consistent', None) for x in r['bounds'])"
check "union threshold" "$T/c.json" "b['gdp']['threshold']['mode'] == 'union' and b['clopper-pearson']['threshold']['n_eval'] == 200"
# default grid for 200 canaries: k = 1 2 5 10 20 50 100
check "default grid" "$T/c.json" "b['one-run']['selection']['rule'] == 'grid' and b['one-run']['selection']['n_pairs'] == 7 and abs(b['one-run']['selection']['confidence_per_test'] - (1 - 0.05 / 7)) < 1e-12"
"$BIN" bound --scores "$T/perfect.csv" --json >"$T/n.json"
check "no verdict without a claim" "$T/n.json" "'verdict' not in r and all('verdict' not in x for x in r['bounds'])"
"$BIN" bound --scores "$T/ties.csv" --json --method one-run >"$T/t.json"
check "ties give nothing" "$T/t.json" "list(b) == ['one-run'] and b['one-run']['epsilon_lower_bound'] == 0"
"$BIN" bound --scores "$T/small.csv" --json --method one-run >"$T/s.json"
check "two rows work" "$T/s.json" "b['one-run']['epsilon_lower_bound'] == 0 and b['one-run']['guesses']['guesses'] == 2"
"$BIN" bound --scores "$T/small.csv" --json --method gdp --threshold union >"$T/s2.json"
check "two rows work for gdp union" "$T/s2.json" "b['gdp']['epsilon_lower_bound'] == 0"
expect 2 "small.csv: threshold mode 'split' needs at least 2 members and 2 non-members" -- \
    bound --scores "$T/small.csv"
# determinism: the split is seeded
"$BIN" bound --scores "$T/perfect.csv" --json --seed 7 >"$T/d1.json"
"$BIN" bound --scores "$T/perfect.csv" --json --seed 7 >"$T/d2.json"
if cmp -s "$T/d1.json" "$T/d2.json"; then ok; else bad "same seed, different output"; fi
# counts mode keeps its single object; --method gdp works on counts
"$BIN" bound --tp 900 --fn 100 --fp 100 --tn 900 --method gdp --json >"$T/g.json"
check "gdp from counts" "$T/g.json" "r['method'] == 'gdp' and abs(r['mu_lower_bound'] - 2.3470972323259196) < 1e-8"

echo "e2e_bound: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
