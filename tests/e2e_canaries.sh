#!/bin/sh
# tests/e2e_canaries.sh - canary audits of DP claims from the bundled configs:
# the correct DP-SGD is consistent, every fault is violated by the audit that
# can see it (final model, all iterates, or multi-run all iterates for the
# batch sampler), non-private XGBoost gives a clearly positive bound.
# usage: sh tests/e2e_canaries.sh build/privaudit   (from the repository root)
set -u
BIN=${1:-build/privaudit}
PY=/usr/bin/python3
T=$(mktemp -d /tmp/privaudit-e2e-canaries.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
jq_() { "$PY" -c "import json,sys; r=json.load(open(sys.argv[1])); print($2)" "$1" 2>&1; }
is() { # is DESCRIPTION REPORT EXPR
    v=$(jq_ "$2" "$3")
    if [ "$v" = True ]; then ok; else bad "$1 ($v)"; fi
}

run() { # run CONFIG EXPECTED-EXIT [ARGS]
    c=$1; want=$2; shift 2
    "$BIN" run "fixtures/configs/$c.json" --out "$T/$c" --quiet "$@" >"$T/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "run $c -> exit $got, want $want"; head -3 "$T/out"; fi
}

run audit-dpsgd-none 0 --fail-on-violation
R="$T/audit-dpsgd-none/report.json"
is "correct DP-SGD is consistent with its claim" "$R" "r['verdict']['status']=='consistent' and r['verdict']['decided_by']['method'] in ('one-run','one-run-fdp') and r['verdict']['decided_by']['family_size']==3"
is "the claimed PLD curve is tested and not rejected" "$R" "[b['rejected'] for b in r['bounds'] if b['method']=='one-run-fdp-curve']==[False]"
is "gdp is an estimate that does not decide" "$R" "[(b['decides'], b['assumption']) for b in r['bounds'] if b['method']=='gdp']==[(False, 'gaussian trade-off')]"
is "canaries recorded" "$R" "(lambda c: c['kind']=='dirac' and c['count']==1000 and len(c['coins'])==1000 and sum(c['coins'])==c['included'] and len(c['scores'])==1000 and 'white-box' in c['threat_model'])(r['canaries'])"
is "one-run bound at the claim's delta decides, delta 0 for reference" "$R" "[(b['delta'], b['decides']) for b in r['bounds'] if b['method']=='one-run']==[(1e-05, True), (0, False)]"
is "guesses behind the bound" "$R" "all(k in [b for b in r['bounds'] if b['method']=='one-run'][0]['guesses'] for k in ['canaries','guesses','correct','k_plus','k_minus','grid'])"
is "training set holds the heads canaries" "$R" "r['target']['n_train']==r['target']['n_members']+r['canaries']['included']"
is "clopper-pearson does not decide with canaries" "$R" "all(not b['decides'] for b in r['bounds'] if b['method']=='clopper-pearson')"

for f in no-clip mean-noise; do
    run audit-dpsgd-$f 1 --fail-on-violation
    R="$T/audit-dpsgd-$f/report.json"
    is "fault $f is caught" "$R" "r['verdict']['status']=='violated' and r['verdict']['decided_by']['epsilon_lower_bound'] > r['verdict']['claim']['epsilon']"
    is "fault $f: the claimed curve is rejected" "$R" "[b['rejected'] for b in r['bounds'] if b['method']=='one-run-fdp-curve']==[True]"
done
# shuffle and reused-noise change what the final model reveals too little for
# a final-model audit; they must still run.
for f in shuffle reused-noise; do run audit-dpsgd-$f 0; done
# the all-iterates audit (every intermediate model) catches reused noise and
# still finds the correct algorithm consistent with its claim
run audit-dpsgd-reused-noise-iterates 1 --fail-on-violation
is "reused noise is caught from the iterates" "$T/audit-dpsgd-reused-noise-iterates/report.json" "r['verdict']['status']=='violated' and 'every intermediate model' in r['canaries']['threat_model']"
run audit-dpsgd-none-iterates 0 --fail-on-violation
is "correct DP-SGD is consistent under the all-iterates audit" "$T/audit-dpsgd-none-iterates/report.json" "r['verdict']['status']=='consistent'"
# tracing does not change training: same target as without it
is "the traced target equals the untraced one" "$T/audit-dpsgd-none-iterates/report.json" "r['target']['train_accuracy']==$(jq_ "$T/audit-dpsgd-none/report.json" "r['target']['train_accuracy']")"

# the batch sampler: fixed-size shuffled batches accounted as Poisson sampling.
# A multi-run all-iterates audit on two-point data (every record pushes the
# same way, the mislabel canary the other way; no intercept) sees the canary
# displace a record in exactly one batch per epoch; the same audit of the
# correct Poisson-sampled DP-SGD is consistent.
run audit-dpsgd-shuffle-multirun 1 --fail-on-violation
R="$T/audit-dpsgd-shuffle-multirun/report.json"
is "the shuffle fault is caught by the multi-run iterates audit" "$R" "r['verdict']['status']=='violated' and r['verdict']['decided_by']['method']=='clopper-pearson-multirun' and r['verdict']['decided_by']['epsilon_lower_bound'] > r['verdict']['claim']['epsilon']"
is "the epoch-max statistic and the iterates threat model are recorded" "$R" "r['provenance']['config']['canaries']['iterates_statistic']=='epoch-max' and 'every intermediate model' in r['canaries']['threat_model'] and 'per epoch' in r['canaries']['score'] and r['multirun']['runs']==1000"
run audit-dpsgd-none-multirun 0 --fail-on-violation
is "correct DP-SGD is consistent under the same multi-run audit" "$T/audit-dpsgd-none-multirun/report.json" "r['verdict']['status']=='consistent' and r['verdict']['decided_by']['method']=='clopper-pearson-multirun'"
is "the multi-run rates reject the claimed curve with the fault" "$R" "[b['rejected'] for b in r['bounds'] if b['method']=='multirun-fdp-curve']==[True] and r['verdict']['decided_by']['curve_rejected']"
is "the multi-run rates do not reject it for the correct algorithm" "$T/audit-dpsgd-none-multirun/report.json" "[b['rejected'] for b in r['bounds'] if b['method']=='multirun-fdp-curve']==[False]"

run audit-xgboost-mislabel 0
R="$T/audit-xgboost-mislabel/report.json"
is "non-private XGBoost leaks on mislabel canaries" "$R" "[b for b in r['bounds'] if b['method']=='one-run' and b['decides']][0]['epsilon_lower_bound'] > 1"
is "mislabel sources leave the non-members" "$R" "r['data']['nonmembers']==r['target']['n_test'] and len(r['canaries']['source_rows'])==500"

# multi-run mode: R trainings with and R without canary 0
"$PY" - "$PWD" "$T/mr.json" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1] + "/fixtures/configs/audit-dpsgd-mean-noise.json"))
c["data"]["path"] = sys.argv[1] + "/fixtures/data/spam.csv"
c["multirun"] = {"runs": 30}
json.dump(c, open(sys.argv[2], "w"))
PYEOF
"$BIN" run "$T/mr.json" --out "$T/mr" --quiet >"$T/out" 2>&1 && ok || { bad "multirun run"; cat "$T/out"; }
R="$T/mr/report.json"
is "multirun scores of 2R runs" "$R" "r['multirun']['runs']==30 and len(r['multirun']['scores'])==60 and sum(r['multirun']['with_canary'])==30"
is "multirun clopper-pearson decides, gdp does not" "$R" "[(b['method'], b['decides']) for b in r['bounds'] if 'multirun' in b['method']]==[('clopper-pearson-multirun', True), ('multirun-fdp-curve', True), ('gdp-multirun', False)]"
is "multirun family size counts the multirun bound" "$R" "r['verdict']['decided_by']['family_size']==4"
is "the faulty canary is far apart in the multi-run estimate" "$R" "[b for b in r['bounds'] if b['method']=='gdp-multirun'][0]['mu_lower_bound'] > 1"

# non-private targets leak on canaries: clearly for an MLP (black-box,
# mislabel) and for logistic regression seen white-box (dirac); a linear
# model barely memorises flipped labels, but the bound is still positive
for c in audit-mlp-mislabel audit-logreg-dirac audit-logreg-mislabel; do run $c 0; done
is "non-private MLP, mislabel canaries: clearly positive" "$T/audit-mlp-mislabel/report.json" "[b for b in r['bounds'] if b['method']=='one-run' and b['decides']][0]['epsilon_lower_bound'] > 1"
is "non-private logreg, dirac canaries: clearly positive" "$T/audit-logreg-dirac/report.json" "[b for b in r['bounds'] if b['method']=='one-run' and b['decides']][0]['epsilon_lower_bound'] > 3"
is "non-private logreg, mislabel canaries: positive" "$T/audit-logreg-mislabel/report.json" "[b for b in r['bounds'] if b['method']=='one-run' and b['decides']][0]['epsilon_lower_bound'] > 0"

# determinism with canaries
"$BIN" run fixtures/configs/audit-dpsgd-none.json --out "$T/again" --quiet
strip='import json,sys; r=json.load(open(sys.argv[1])); r["provenance"].pop("started_at"); r.pop("timings"); print(json.dumps(r, sort_keys=True))'
if [ "$("$PY" -c "$strip" "$T/again/report.json")" = "$("$PY" -c "$strip" "$T/audit-dpsgd-none/report.json")" ]; then ok; else bad "canary audit not reproducible"; fi

# bad canary configs
bad_cfg() { # bad_cfg PATTERN JSON-FRAGMENT
    printf '{"data": {"path": "%s/fixtures/data/spam.csv"}, "target": {"kind": "xgboost", "rounds": 2}, %s}\n' "$PWD" "$2" >"$T/bad.json"
    "$BIN" run "$T/bad.json" --out "$T/bad" >"$T/out" 2>&1
    got=$?
    if [ "$got" -eq 2 ] && grep -qF -- "$1" "$T/out" && [ ! -e "$T/bad/report.json" ]; then ok; else bad "bad config '$2' -> exit $got"; cat "$T/out"; fi
}
bad_cfg "canaries.kind: expected one of 'mislabel', 'ood', 'dirac', got 'gradient'" '"canaries": {"kind": "gradient", "count": 10}'
bad_cfg "canaries.count: expected an integer in [2, 1000000], got 1" '"canaries": {"kind": "ood", "count": 1}'
bad_cfg "canaries.count: missing" '"canaries": {"kind": "ood"}'
bad_cfg "canaries.ood_norm: expected a number > 0, got 0" '"canaries": {"kind": "ood", "count": 5, "ood_norm": 0}'
bad_cfg "bounds.methods: one-run methods need a 'canaries' section" '"bounds": {"methods": ["one-run"]}'
bad_cfg "bounds.k_plus + bounds.k_minus: 30 guesses exceed the 20 canaries" '"canaries": {"kind": "ood", "count": 20}, "bounds": {"k_plus": 15, "k_minus": 15}'
bad_cfg "canaries.count: 5000 mislabel canaries need as many population rows" '"canaries": {"kind": "mislabel", "count": 5000}'
bad_cfg "multirun: needs a 'canaries' section" '"multirun": {"runs": 4}'
bad_cfg "canaries.iterates: needs target.kind 'logreg'" '"canaries": {"kind": "ood", "count": 5, "iterates": true}'
bad_cfg "canaries.iterates_statistic: not used unless canaries.iterates is true" '"canaries": {"kind": "ood", "count": 5, "iterates_statistic": "variance"}'
bad_cfg "canaries.iterates_statistic: expected one of 'variance', 'epoch-max', 'poisson-lr', got 'mean'" '"canaries": {"kind": "ood", "count": 5, "iterates": false, "iterates_statistic": "mean"}'
printf '{"data": {"path": "%s/fixtures/data/spam.csv"}, "target": {"kind": "logreg", "optimizer": "sgd", "epochs": 1}, "canaries": {"kind": "mislabel", "count": 4, "iterates": true, "iterates_statistic": "epoch-max"}}\n' "$PWD" >"$T/bad.json"
"$BIN" run "$T/bad.json" --out "$T/bad" >"$T/out" 2>&1
got=$?
if [ "$got" -eq 2 ] && grep -qF "canaries.iterates_statistic: 'epoch-max' needs a DP-SGD target" "$T/out" && [ ! -e "$T/bad/report.json" ]; then ok; else bad "epoch-max without dp -> exit $got"; cat "$T/out"; fi
# poisson-lr: the likelihood ratio of the correct mechanism, through every
# iterate; the correct algorithm stays consistent with its claim
"$PY" - "$PWD" "$T/plr.json" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1] + "/fixtures/configs/audit-dpsgd-none-iterates.json"))
c["data"]["path"] = sys.argv[1] + "/fixtures/data/spam.csv"
c["canaries"]["iterates_statistic"] = "poisson-lr"
json.dump(c, open(sys.argv[2], "w"))
PYEOF
"$BIN" run "$T/plr.json" --out "$T/plr" --quiet --fail-on-violation >"$T/out" 2>&1 && ok || { bad "poisson-lr run"; cat "$T/out"; }
is "poisson-lr: consistent, scored by the likelihood ratio" "$T/plr/report.json" "r['verdict']['status']=='consistent' and 'log-likelihood ratio of Poisson-sampled' in r['canaries']['score'] and len(r['canaries']['scores'])==1000"
# mislabel canaries seen through every iterate of non-private SGD: they run
printf '{"data": {"path": "%s/fixtures/data/spam.csv"}, "target": {"kind": "logreg", "optimizer": "sgd", "epochs": 2}, "canaries": {"kind": "mislabel", "count": 40, "iterates": true}}\n' "$PWD" >"$T/it.json"
"$BIN" run "$T/it.json" --out "$T/it" --quiet >"$T/out" 2>&1 && ok || { bad "mislabel iterates run"; cat "$T/out"; }
is "mislabel iterates: scores for every canary from the weighted margin" "$T/it/report.json" "len(r['canaries']['scores'])==40 and 'sum_c x_c' in r['canaries']['score'] and 'training records' in r['canaries']['threat_model']"
bad_cfg "multirun.runs: expected an integer in [2, 100000], got 1" '"canaries": {"kind": "ood", "count": 5}, "multirun": {"runs": 1}'

echo "e2e_canaries: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
