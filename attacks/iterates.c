/*
 * attacks/iterates.c - all-iterates canary scores (see iterates.h).
 */
#include "attacks/iterates.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Margin of canary j at step t (see iterates.h). */
static double margin_at(const double *trace, uint64_t t, const struct iter_view *v,
                        size_t j, size_t y, size_t k)
{
    size_t nc = v->ncols;
    double margin = 0;
    for (size_t c = 0; c < nc; c++) {
        double wgt = v->xw ? v->xw[j * nc + c] : (c == j ? 1.0 : 0.0);
        if (wgt == 0)
            continue;
        const double *row = trace + (t * nc + c) * k;
        double others = 0;
        for (size_t o = 0; o < k; o++)
            if (o != y)
                others += row[o];
        margin += wgt * (row[y] - others / (double)(k - 1));
    }
    return margin;
}

/*
 * Why these two.  Without the canary its margin moves by the noise and by
 * what the other records push; the canary's clipped gradient adds a jump at
 * every step that sampled it.  The variance sees the jumps even when the
 * noise repeats every step (the reused-noise fault: the increments are then
 * constant but for the jumps).  epoch-max looks for exactly one jump per
 * epoch, which fixed-size shuffled batches guarantee and Poisson sampling
 * does not; in a fixed-size batch the canary also displaces another record,
 * which a background of records pushing the other way turns into a jump of
 * twice the clipped norm (docs/bounds.md, "Auditing the batch sampler").
 */
void iterates_score(const double *trace, uint64_t steps, const struct iter_view *v,
                    const int32_t *y, size_t m_score, size_t k,
                    enum canary_iter_stat stat, double *scratch, double *out)
{
    for (size_t j = 0; j < m_score; j++) {
        size_t yj = (size_t)y[j];
        double prev = 0;
        size_t nd = 0;
        for (uint64_t t = 0; t < steps; t++) {
            double mg = margin_at(trace, t, v, j, yj, k);
            if (t > 0)
                scratch[nd++] = mg - prev;
            prev = mg;
        }
        if (nd == 0) {
            out[j] = 0;
            continue;
        }
        if (stat == CANARY_ITER_VARIANCE) {
            double s1 = 0, s2 = 0;
            for (size_t i = 0; i < nd; i++) {
                s1 += scratch[i];
                s2 += scratch[i] * scratch[i];
            }
            double mean = s1 / (double)nd;
            out[j] = s2 / (double)nd - mean * mean;
            continue;
        }
        /* increment i belongs to step i + 1 */
        size_t w = v->window ? v->window : 1, windows = 0;
        double sum = 0, best = -INFINITY;
        for (size_t i = 0; i < nd; i++) {
            if (scratch[i] > best)
                best = scratch[i];
            if ((i + 2) % w == 0 || i + 1 == nd) {
                sum += best;
                best = -INFINITY;
                windows++;
            }
        }
        qsort(scratch, nd, sizeof *scratch, cmp_double);
        double med = nd % 2 ? scratch[nd / 2] : 0.5 * (scratch[nd / 2 - 1] + scratch[nd / 2]);
        out[j] = sum - (double)windows * med;
    }
}
