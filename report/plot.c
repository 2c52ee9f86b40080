/*
 * report/plot.c - gnuplot data files, scripts and runs (see plot.h).
 */
#include "report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/afile.h"
#include "report/sbuf.h"
#include "report/view.h"

static const char *const NAMES[PLOT_N] = {"roc", "hist", "epsilon", "guesses"};
static const char *const TITLES[PLOT_N] = {
    "ROC of every attack (log-log), with the random-guess diagonal",
    "Attack scores of members (IN) and non-members (OUT), strongest attack",
    "Epsilon lower bounds (with their confidence) against the claimed epsilon",
    "One-run epsilon lower bound against the number of guesses"};

/* ---- which plots the report supports --------------------------------------- */

static bool num_array(const cJSON *a, int n)
{
    if (!cJSON_IsArray(a) || (n >= 0 && cJSON_GetArraySize(a) != n))
        return false;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
            return false;
    }
    return true;
}

/* attacks[].histogram = {"bins": [n+1 edges], "in": [n counts], "out": [n]} */
static bool histogram_ok(const cJSON *h)
{
    const cJSON *bins = view_get(h, "bins");
    int n = cJSON_GetArraySize(bins) - 1;
    return cJSON_IsObject(h) && n >= 1 && num_array(bins, n + 1) &&
           num_array(view_get(h, "in"), n) && num_array(view_get(h, "out"), n);
}

/* The attack with the largest AUC that has a usable histogram. */
static const cJSON *hist_attack(const cJSON *rep, int *index)
{
    const cJSON *best = NULL, *at;
    double best_auc = -1;
    int i = 0;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        double auc = view_num(at, "auc");
        if (!isfinite(auc))
            auc = 0;
        if (histogram_ok(view_get(at, "histogram")) && auc > best_auc) {
            best = at;
            best_auc = auc;
            *index = i;
        }
        i++;
    }
    return best;
}

/* bounds[].by_guesses = {"guesses": [k...], "epsilon_lower_bound": [...]} */
static bool series_ok(const cJSON *s)
{
    const cJSON *g = view_get(s, "guesses");
    int n = cJSON_GetArraySize(g);
    return cJSON_IsObject(s) && n >= 1 && num_array(g, n) &&
           num_array(view_get(s, "epsilon_lower_bound"), n);
}

void plot_plan(const cJSON *rep, struct plot_info plan[PLOT_N])
{
    for (int i = 0; i < PLOT_N; i++) {
        plan[i].name = NAMES[i];
        plan[i].title = TITLES[i];
        plan[i].available = false;
        plan[i].reason[0] = '\0';
    }
    const cJSON *at, *b;
    bool roc = false, any_hist = false;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        const cJSON *r = view_obj(at, "roc");
        if (cJSON_GetArraySize(view_arr(r, "fpr")) > 0 && view_num(at, "n_nonmembers") > 0 &&
            view_num(at, "n_members") > 0)
            roc = true;
        if (view_get(at, "histogram"))
            any_hist = true;
    }
    plan[PLOT_ROC].available = roc;
    if (!roc)
        snprintf(plan[PLOT_ROC].reason, sizeof plan[PLOT_ROC].reason,
                 "the report has no attack with a ROC curve");
    int hi = 0;
    plan[PLOT_HIST].available = hist_attack(rep, &hi) != NULL;
    if (!plan[PLOT_HIST].available)
        snprintf(plan[PLOT_HIST].reason, sizeof plan[PLOT_HIST].reason,
                 any_hist ? "attacks[].histogram is malformed (needs bins: n+1 edges, "
                            "in and out: n counts each)"
                          : "the report has no score histograms (attacks[].histogram, "
                            "a proposed addition to schema version 1)");
    bool eps = false, series = false;
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        if (isfinite(view_num(b, "epsilon_lower_bound")))
            eps = true;
        if (series_ok(view_get(b, "by_guesses")))
            series = true;
    }
    plan[PLOT_EPSILON].available = eps;
    if (!eps)
        snprintf(plan[PLOT_EPSILON].reason, sizeof plan[PLOT_EPSILON].reason,
                 "the report has no finite epsilon lower bound");
    plan[PLOT_GUESSES].available = series;
    if (!series)
        snprintf(plan[PLOT_GUESSES].reason, sizeof plan[PLOT_GUESSES].reason,
                 "the report has no bound computed over a range of guesses "
                 "(bounds[].by_guesses, a proposed addition for one-run audits)");
}

/* ---- scripts ------------------------------------------------------------------ */

/* A label from the report, safe inside a single-quoted gnuplot string and a
 * double-quoted data-file string: letters, digits and a few punctuation
 * marks; anything else becomes '?'.  At most 60 characters. */
static void safe_label(char *buf, size_t cap, const char *s)
{
    static const char OK[] = " .,:;()+-/=%_#[]";
    size_t k = 0;
    for (const char *p = s ? s : "?"; *p && k + 1 < cap && k < 60; p++) {
        unsigned char c = (unsigned char)*p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (c >= '0' && c <= '9') || (c && strchr(OK, c));
        buf[k++] = ok ? (char)c : '?';
    }
    buf[k] = '\0';
}

/* The common head: terminal by fmt ('png' or 'svg'), output to out. */
static void script_head(struct sbuf *gp, const char *name, const char *title)
{
    sbuf_addf(gp,
              "# privaudit plot '%s': %s\n"
              "# Redraw from this directory: gnuplot %s.gp           (writes %s.png)\n"
              "#                             gnuplot -e \"fmt='svg'\" %s.gp (writes %s.svg)\n"
              "if (!exists(\"fmt\")) fmt = 'png'\n"
              "if (!exists(\"out\")) out = '%s.' . fmt\n"
              "if (fmt eq 'svg') {\n"
              "    set terminal svg size 860,560 noenhanced font 'Helvetica,14' "
              "background rgb 'white'\n"
              "} else {\n"
              "    set terminal pngcairo size 1100,720 noenhanced font 'Sans,13' "
              "background rgb 'white'\n"
              "}\n"
              "set output out\n"
              "set encoding utf8\n"
              "set grid lc rgb '#d0d0d0'\n"
              "set border lw 1.2\n",
              name, title, name, name, name, name, name);
}

static const char *const COLORS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                     "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
#define N_COLORS (sizeof COLORS / sizeof *COLORS)

static void roc_script(const cJSON *rep, struct sbuf *dat, struct sbuf *gp)
{
    double max_non = 0, max_mem = 0;
    const cJSON *at;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        if (view_num(at, "n_nonmembers") > max_non)
            max_non = view_num(at, "n_nonmembers");
        if (view_num(at, "n_members") > max_mem)
            max_mem = view_num(at, "n_members");
    }
    double xmin = 1.0 / max_non;
    double ymin = pow(10, floor(log10(1.0 / max_mem)));
    script_head(gp, "roc", TITLES[PLOT_ROC]);
    sbuf_addf(gp,
              "set title 'ROC curves (log-log), down to FPR 1/%.0f, the smallest the "
              "non-members resolve'\n"
              "set logscale xy\n"
              "set xrange [%.17g:1]\n"
              "set yrange [%.17g:1]\n"
              "set format x '%%g'\n"
              "set format y '%%g'\n"
              "set xlabel 'False positive rate (non-members flagged as members)'\n"
              "set ylabel 'True positive rate (members detected)'\n"
              "set key bottom right box opaque spacing 1.3\n"
              "plot \\\n",
              max_non, xmin, ymin);
    int idx = 0;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        const cJSON *r = view_obj(at, "roc");
        const cJSON *f = view_arr(r, "fpr"), *t = view_arr(r, "tpr");
        if (cJSON_GetArraySize(f) == 0)
            continue;
        char name[80], auc[32];
        safe_label(name, sizeof name, view_str(at, "name"));
        view_fmt(auc, sizeof auc, view_num(at, "auc"));
        sbuf_addf(dat, "# attack %d: %s (fpr tpr; fpr 0 drawn at 1/n_nonmembers)\n", idx,
                  name);
        const cJSON *fi = f->child, *ti = t ? t->child : NULL;
        for (; fi && ti; fi = fi->next, ti = ti->next) {
            double x = fi->valuedouble, y = ti->valuedouble;
            if (y <= 0)
                continue;
            if (x < xmin)
                x = xmin;
            sbuf_addf(dat, "%.17g %.17g\n", x, y);
        }
        sbuf_add(dat, "\n\n");
        /* widths decrease so that curves drawn on top of each other stay visible */
        sbuf_addf(gp, "    'roc.dat' index %d using 1:2 with lines lw %.1f lc rgb '%s' "
                      "title '%s (AUC %s)', \\\n",
                  idx, idx < 4 ? 4.0 - 0.8 * idx : 1.2, COLORS[idx % N_COLORS], name, auc);
        idx++;
    }
    sbuf_add(gp, "    x with lines dt 2 lw 1.5 lc rgb '#555555' title 'random guess "
                 "(TPR = FPR)'\n");
}

static void hist_script(const cJSON *rep, struct sbuf *dat, struct sbuf *gp)
{
    int ai = 0;
    const cJSON *at = hist_attack(rep, &ai);
    const cJSON *h = view_get(at, "histogram");
    const cJSON *bins = view_get(h, "bins"), *in = view_get(h, "in"), *out = view_get(h, "out");
    double sum_in = 0, sum_out = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, in) sum_in += it->valuedouble;
    cJSON_ArrayForEach(it, out) sum_out += it->valuedouble;
    if (sum_in <= 0)
        sum_in = 1;
    if (sum_out <= 0)
        sum_out = 1;
    char name[80];
    safe_label(name, sizeof name, view_str(at, "name"));
    sbuf_addf(dat, "# attacks[%d] (%s): bin_lo bin_hi in_fraction out_fraction\n", ai, name);
    const cJSON *e = bins->child, *a = in->child, *o = out->child;
    for (; e && e->next && a && o; e = e->next, a = a->next, o = o->next)
        sbuf_addf(dat, "%.17g %.17g %.17g %.17g\n", e->valuedouble, e->next->valuedouble,
                  a->valuedouble / sum_in, o->valuedouble / sum_out);
    script_head(gp, "hist", TITLES[PLOT_HIST]);
    sbuf_addf(gp,
              "set title 'Scores of the %s attack: members (IN) vs non-members (OUT)'\n"
              "set xlabel 'Attack score (higher: more likely a member)'\n"
              "set ylabel 'Fraction of the group'\n"
              "set yrange [0:*]\n"
              "set style fill transparent solid 0.45 border\n"
              "set key top left box opaque\n"
              "plot 'hist.dat' using (($1+$2)/2):3:($2-$1) with boxes lc rgb '%s' "
              "title 'members (IN)', \\\n"
              "     'hist.dat' using (($1+$2)/2):4:($2-$1) with boxes lc rgb '%s' "
              "title 'non-members (OUT)'\n",
              name, COLORS[1], COLORS[0]);
}

/* The claimed epsilons: verdict.claim and claims[]; each as a dashed line. */
static void claim_lines(const cJSON *rep, struct sbuf *gp, double *max_claim)
{
    const cJSON *claim = view_obj(view_obj(rep, "verdict"), "claim");
    const cJSON *c;
    int k = 0;
    if (claim && isfinite(view_num(claim, "epsilon"))) {
        char src[80], e[32];
        safe_label(src, sizeof src, view_str_or(claim, "source", "claim"));
        view_fmt(e, sizeof e, view_num(claim, "epsilon"));
        sbuf_addf(gp, ", \\\n    %.17g with lines dt 2 lw 2.5 lc rgb '%s' title "
                      "'claimed epsilon %s (%s)'",
                  view_num(claim, "epsilon"), COLORS[(1 + k++) % N_COLORS], e, src);
        if (view_num(claim, "epsilon") > *max_claim)
            *max_claim = view_num(claim, "epsilon");
    }
    const cJSON *claims = view_arr(rep, "claims");
    if (cJSON_GetArraySize(claims) == 0)
        claims = view_arr(view_obj(rep, "target"), "claims");
    cJSON_ArrayForEach(c, claims)
    {
        double ce = view_num(c, "epsilon");
        if (!isfinite(ce))
            continue;
        char src[80], e[32];
        safe_label(src, sizeof src, view_str_or(c, "source", view_str_or(c, "accountant", "claim")));
        view_fmt(e, sizeof e, ce);
        sbuf_addf(gp, ", \\\n    %.17g with lines dt 3 lw 2 lc rgb '%s' title "
                      "'claimed epsilon %s (%s)'",
                  ce, COLORS[(1 + k++) % N_COLORS], e, src);
        if (ce > *max_claim)
            *max_claim = ce;
    }
}

/* Largest claimed epsilon without writing anything. */
static double max_claimed(const cJSON *rep)
{
    double m = 0;
    const cJSON *claim = view_obj(view_obj(rep, "verdict"), "claim"), *c;
    if (isfinite(view_num(claim, "epsilon")))
        m = view_num(claim, "epsilon");
    const cJSON *claims = view_arr(rep, "claims");
    if (cJSON_GetArraySize(claims) == 0)
        claims = view_arr(view_obj(rep, "target"), "claims");
    cJSON_ArrayForEach(c, claims)
    {
        if (view_num(c, "epsilon") > m)
            m = view_num(c, "epsilon");
    }
    return m;
}

static void epsilon_script(const cJSON *rep, struct sbuf *dat, struct sbuf *gp)
{
    double max_eps = 0, max_claim = max_claimed(rep);
    const cJSON *b;
    int i = 0;
    sbuf_add(dat, "# index epsilon_lower_bound \"method / attack\" \"confidence\"\n");
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        double e = view_num(b, "epsilon_lower_bound");
        if (!isfinite(e))
            continue;
        char m[80], a[80], c[32];
        safe_label(m, sizeof m, view_str(b, "method"));
        safe_label(a, sizeof a, view_str(b, "attack"));
        view_fmt_pct(c, sizeof c, view_num(b, "confidence"));
        sbuf_addf(dat, "%d %.17g \"%s / %s\" \"%s\"\n", i++, e, m, a, c);
        if (e > max_eps)
            max_eps = e;
    }
    double top = fmax(max_eps, max_claim) * 1.3;
    if (!(top > 0))
        top = 1;
    script_head(gp, "epsilon", TITLES[PLOT_EPSILON]);
    sbuf_addf(gp, "set title 'Epsilon lower bounds %s (bar labels: confidence)'\n",
              max_claim > 0 || view_obj(view_obj(rep, "verdict"), "claim")
                  ? "vs the claimed epsilon"
                  : "(no epsilon was claimed)");
    sbuf_addf(gp,
              "set ylabel 'Epsilon'\n"
              "set xlabel 'Bound (method / attack)'\n"
              "set xrange [-0.6:%d.6]\n"
              "set yrange [0:%.17g]\n"
              "set boxwidth 0.5\n"
              "set style fill solid 0.7 border\n"
              "set xtics nomirror rotate by -20 font ',9'\n"
              "set bmargin 7\n"
              "set key top right box opaque\n"
              "plot 'epsilon.dat' using 1:2:xtic(3) with boxes lc rgb '%s' "
              "title 'epsilon lower bound', \\\n"
              "     'epsilon.dat' using 1:2:4 with labels offset 0,1 notitle",
              i - 1, top, COLORS[0]);
    claim_lines(rep, gp, &max_claim);
    sbuf_add(gp, "\n");
}

static void guesses_script(const cJSON *rep, struct sbuf *dat, struct sbuf *gp)
{
    const cJSON *b;
    int idx = 0;
    double max_claim = max_claimed(rep), max_eps = 0;
    struct sbuf plot;
    sbuf_init(&plot);
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        const cJSON *s = view_get(b, "by_guesses");
        if (!series_ok(s))
            continue;
        char m[80], a[80], c[32];
        safe_label(m, sizeof m, view_str(b, "method"));
        safe_label(a, sizeof a, view_str(b, "attack"));
        view_fmt_pct(c, sizeof c, view_num(b, "confidence"));
        sbuf_addf(dat, "# %s / %s: guesses epsilon_lower_bound\n", m, a);
        const cJSON *g = view_get(s, "guesses")->child;
        const cJSON *e = view_get(s, "epsilon_lower_bound")->child;
        for (; g && e; g = g->next, e = e->next) {
            sbuf_addf(dat, "%.17g %.17g\n", g->valuedouble, e->valuedouble);
            if (e->valuedouble > max_eps)
                max_eps = e->valuedouble;
        }
        sbuf_add(dat, "\n\n");
        sbuf_addf(&plot, "%s'guesses.dat' index %d using 1:2 with linespoints lw 2.5 "
                         "pt 7 lc rgb '%s' title '%s / %s (%s confidence)'",
                  idx ? ", \\\n    " : "    ", idx, COLORS[idx % N_COLORS], m, a, c);
        idx++;
    }
    double top = fmax(max_eps, max_claim) * 1.3;
    if (!(top > 0))
        top = 1;
    script_head(gp, "guesses", TITLES[PLOT_GUESSES]);
    sbuf_addf(gp,
              "set title 'Epsilon lower bound against the number of guesses'\n"
              "set xlabel 'Number of guesses'\n"
              "set ylabel 'Epsilon lower bound'\n"
              "set yrange [0:%.17g]\n"
              "set key top right box opaque\n"
              "plot \\\n",
              top);
    sbuf_add(gp, sbuf_str(&plot));
    if (plot.oom)
        gp->oom = true;
    sbuf_release(&plot);
    claim_lines(rep, gp, &max_claim);
    sbuf_add(gp, "\n");
}

int plot_write_script(const cJSON *rep, const char *dir, enum plot_id id,
                      struct error *err)
{
    struct sbuf dat, gp;
    sbuf_init(&dat);
    sbuf_init(&gp);
    int rc = 0;
    switch (id) {
    case PLOT_ROC: roc_script(rep, &dat, &gp); break;
    case PLOT_HIST: hist_script(rep, &dat, &gp); break;
    case PLOT_EPSILON: epsilon_script(rep, &dat, &gp); break;
    case PLOT_GUESSES: guesses_script(rep, &dat, &gp); break;
    default:
        rc = error_set(err, ERR_INTERNAL, "unknown plot %d", (int)id);
        goto cleanup;
    }
    if ((rc = sbuf_status(&dat, "a plot", err)) || (rc = sbuf_status(&gp, "a plot", err)))
        goto cleanup;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s.dat", dir, NAMES[id]);
    if ((rc = afile_write(path, dat.s ? dat.s : "", dat.len, err)))
        goto cleanup;
    snprintf(path, sizeof path, "%s/%s.gp", dir, NAMES[id]);
    rc = afile_write(path, gp.s ? gp.s : "", gp.len, err);
cleanup:
    sbuf_release(&dat);
    sbuf_release(&gp);
    return rc;
}

/* ---- running gnuplot ----------------------------------------------------------- */

bool plot_find_gnuplot(char *buf, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return false;
    const char *p = path;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len > 0 && len < cap - 10) {
            snprintf(buf, cap, "%.*s/gnuplot", (int)len, p);
            struct stat st;
            if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
                return true;
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    buf[0] = '\0';
    return false;
}

int plot_run(const char *gnuplot, const char *dir, const char *name, const char *ext,
             struct error *err)
{
    char tmp[PATH_MAX], final[PATH_MAX], expr[PATH_MAX + 64], script[128];
    int rc = 0, pfd[2] = {-1, -1};
    if (strcmp(ext, "png") != 0 && strcmp(ext, "svg") != 0)
        return error_set(err, ERR_INTERNAL, "plot format '%s' is not png or svg", ext);
    snprintf(final, sizeof final, "%s/%s.%s", dir, name, ext);
    snprintf(tmp, sizeof tmp, "%s/%s.%s.tmp.XXXXXX", dir, name, ext);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return error_errno(err, errno, "cannot create", final);
    /* mkstemp makes 0600; images are ordinary files */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    close(fd);
    const char *base = strrchr(tmp, '/') + 1; /* mkstemp letters: safe to quote */
    snprintf(expr, sizeof expr, "fmt='%s'; out='%s'", ext, base);
    snprintf(script, sizeof script, "%s.gp", name);
    char *const argv[] = {"gnuplot", "-e", expr, script, NULL};
    if (pipe(pfd) != 0) {
        rc = error_errno(err, errno, "cannot run gnuplot for", final);
        goto cleanup;
    }
    pid_t pid = fork();
    if (pid < 0) {
        rc = error_errno(err, errno, "cannot run gnuplot for", final);
        goto cleanup;
    }
    if (pid == 0) {
        /* child: async-signal-safe calls only */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 1);
        }
        dup2(pfd[1], 2);
        close(pfd[0]);
        if (chdir(dir) != 0)
            _exit(126);
        execv(gnuplot, argv);
        _exit(127);
    }
    close(pfd[1]);
    pfd[1] = -1;
    char msg[512];
    size_t used = 0;
    for (;;) {
        char chunk[512];
        ssize_t n = read(pfd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n && used + 1 < sizeof msg; i++)
            msg[used++] = chunk[i];
    }
    msg[used] = '\0';
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            rc = error_errno(err, errno, "waiting for gnuplot drawing", final);
            goto cleanup;
        }
    }
    struct stat st;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(tmp, &st) != 0 ||
        st.st_size == 0) {
        /* the first non-blank line of gnuplot's complaint */
        char *line = msg;
        while (*line == '\n' || *line == ' ')
            line++;
        for (char *q = line; *q; q++)
            if (*q == '\n' || *q == '\r' || (unsigned char)*q < 0x20) {
                if (*q == '\n') {
                    *q = '\0';
                    break;
                }
                *q = ' ';
            }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            rc = error_set(err, ERR_INTERNAL, "cannot execute '%s' to draw '%s'", gnuplot,
                           final);
        else
            rc = error_set(err, ERR_INTERNAL, "gnuplot failed drawing '%s' from %s/%s%s%s",
                           final, dir, script, *line ? ": " : "", line);
        goto cleanup;
    }
    if (rename(tmp, final) != 0) {
        rc = error_errno(err, errno, "cannot rename onto", final);
        goto cleanup;
    }
    tmp[0] = '\0';
cleanup:
    if (pfd[0] >= 0)
        close(pfd[0]);
    if (pfd[1] >= 0)
        close(pfd[1]);
    if (tmp[0])
        unlink(tmp);
    return rc;
}
