/*
 * report/render.c - rendering entry points (see render.h).
 */
#include "report/render.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/afile.h"
#include "report/doc.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/md.h"
#include "report/plot.h"
#include "report/sbuf.h"
#include "report/schema.h"
#include "report/summary.h"
#include "report/view.h"

static const struct {
    const char *name;
    unsigned bit;
} FORMATS[] = {{"md", REPORT_FMT_MD},     {"markdown", REPORT_FMT_MD},
               {"html", REPORT_FMT_HTML}, {"junit", REPORT_FMT_JUNIT},
               {"png", REPORT_FMT_PNG},   {"svg", REPORT_FMT_SVG},
               {"all", REPORT_FMT_ALL}};

int report_parse_formats(const char *text, unsigned *out, struct error *err)
{
    unsigned bits = 0;
    const char *p = text;
    *out = 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        bool found = false;
        for (size_t i = 0; i < sizeof FORMATS / sizeof *FORMATS && !found; i++)
            if (strlen(FORMATS[i].name) == len && strncmp(FORMATS[i].name, p, len) == 0) {
                bits |= FORMATS[i].bit;
                found = true;
            }
        if (!found)
            return error_set(err, ERR_USAGE,
                             "--format: unknown format '%.*s' (expected md, html, junit, "
                             "png, svg or all, comma-separated)",
                             (int)len, p);
        if (!comma)
            break;
        p = comma + 1;
    }
    *out = bits;
    return 0;
}

static void note(struct report_notes *n, const char *msg)
{
    if (!n || n->n_warnings >= REPORT_NOTES_MAX)
        return;
    snprintf(n->warnings[n->n_warnings++], sizeof n->warnings[0], "%s", msg);
}

static void wrote(struct report_notes *n, const char *name, const char *ext)
{
    if (!n || n->n_files >= REPORT_FILES_MAX)
        return;
    snprintf(n->files[n->n_files++], sizeof n->files[0], "%s%s", name, ext);
}

static int write_text(const char *dir, const char *file, const struct sbuf *b,
                      struct report_notes *notes, struct error *err)
{
    char path[PATH_MAX];
    int rc = sbuf_status(b, file, err);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if ((rc = afile_write(path, sbuf_str(b), b->len, err)))
        return rc;
    wrote(notes, file, "");
    return 0;
}

int report_markdown(const cJSON *report, char **out, struct error *err)
{
    struct doc d;
    struct sbuf b;
    doc_init(&d);
    sbuf_init(&b);
    *out = NULL;
    int rc = summary_build(report, &d, err);
    if (!rc) {
        md_render(&d, &b);
        rc = sbuf_status(&b, "the Markdown summary", err);
    }
    if (!rc) {
        *out = b.s;
        b.s = NULL;
        if (!*out && !(*out = calloc(1, 1)))
            rc = error_set(err, ERR_NOMEM, "out of memory");
    }
    sbuf_release(&b);
    doc_release(&d);
    return rc;
}

int report_render_ex(const cJSON *report, const char *out_dir, unsigned formats,
                     struct report_notes *notes, struct error *err)
{
    struct doc d;
    struct sbuf b;
    struct plot_info plan[PLOT_N];
    char *svgs[PLOT_N] = {NULL};
    char plot_err[PLOT_N][ERROR_MSG_MAX];
    int rc = 0, plot_rc = 0;
    struct error perr;
    error_clear(&perr);
    doc_init(&d);
    sbuf_init(&b);
    if (notes)
        memset(notes, 0, sizeof *notes);
    memset(plot_err, 0, sizeof plot_err);
    if ((rc = schema_check(report, "report", err)) || (rc = afile_mkdirs(out_dir, err)) ||
        (rc = summary_build(report, &d, err)))
        goto cleanup;

    /* 1. Plots: scripts always, images when gnuplot is there. */
    bool want_png = formats & REPORT_FMT_PNG, want_svg = formats & REPORT_FMT_SVG;
    bool want_html = formats & REPORT_FMT_HTML;
    char gnuplot[PATH_MAX] = "";
    bool have_gnuplot = false;
    plot_plan(report, plan);
    if (want_png || want_svg || want_html) {
        have_gnuplot = plot_find_gnuplot(gnuplot, sizeof gnuplot);
        if (!have_gnuplot && notes)
            notes->gnuplot_missing = true;
        for (int i = 0; i < PLOT_N; i++) {
            if (!plan[i].available) {
                char msg[400];
                snprintf(msg, sizeof msg, "plot '%s' skipped: %s", plan[i].name,
                         plan[i].reason);
                note(notes, msg);
                continue;
            }
            if ((rc = plot_write_script(report, out_dir, (enum plot_id)i, err)))
                goto cleanup;
            wrote(notes, plan[i].name, ".dat");
            wrote(notes, plan[i].name, ".gp");
            if (!have_gnuplot)
                continue;
            if (want_png) {
                if (plot_run(gnuplot, out_dir, plan[i].name, "png", &perr)) {
                    plot_rc = plot_rc ? plot_rc : perr.code;
                    snprintf(plot_err[i], sizeof plot_err[i], "%s", perr.msg);
                    continue;
                }
                wrote(notes, plan[i].name, ".png");
            }
            if (want_svg || want_html) {
                if (plot_run(gnuplot, out_dir, plan[i].name, "svg", &perr)) {
                    plot_rc = plot_rc ? plot_rc : perr.code;
                    snprintf(plot_err[i], sizeof plot_err[i], "%s", perr.msg);
                    continue;
                }
                char path[PATH_MAX];
                snprintf(path, sizeof path, "%s/%s.svg", out_dir, plan[i].name);
                size_t len;
                if (want_html && (rc = afile_read_all(path, &svgs[i], &len, err)))
                    goto cleanup;
                if (want_svg)
                    wrote(notes, plan[i].name, ".svg");
                else
                    unlink(path);
            }
        }
    }

    /* 2. Markdown. */
    if (formats & REPORT_FMT_MD) {
        md_render(&d, &b);
        if ((rc = write_text(out_dir, "report.md", &b, notes, err)))
            goto cleanup;
        sbuf_release(&b);
    }

    /* 3. HTML with the SVGs inline. */
    if (want_html) {
        struct html_plot hp[PLOT_N];
        struct sbuf inl[PLOT_N];
        for (int i = 0; i < PLOT_N; i++) {
            sbuf_init(&inl[i]);
            hp[i].name = plan[i].name;
            hp[i].title = plan[i].title;
            hp[i].svg = NULL;
            hp[i].note = !plan[i].available ? plan[i].reason
                         : !have_gnuplot    ? "gnuplot was not found on PATH when this "
                                              "page was made"
                         : plot_err[i][0]   ? plot_err[i]
                                            : "the SVG could not be embedded safely";
            if (svgs[i] && html_inline_svg(svgs[i], plan[i].name, &inl[i]) && !inl[i].oom)
                hp[i].svg = sbuf_str(&inl[i]);
        }
        char title[512];
        snprintf(title, sizeof title, "Privacy audit: %s", view_str_or(report, "name", ""));
        struct html_opts ho = {title, view_str(view_obj(report, "verdict"), "status"), hp,
                               PLOT_N};
        html_render(&d, &ho, &b);
        for (int i = 0; i < PLOT_N; i++)
            sbuf_release(&inl[i]);
        if ((rc = write_text(out_dir, "report.html", &b, notes, err)))
            goto cleanup;
        sbuf_release(&b);
    }

    /* 4. JUnit. */
    if (formats & REPORT_FMT_JUNIT) {
        junit_report(report, &b);
        if ((rc = write_text(out_dir, "report.junit.xml", &b, notes, err)))
            goto cleanup;
        sbuf_release(&b);
    }
    if (plot_rc) {
        for (int i = 0; i < PLOT_N; i++)
            if (plot_err[i][0]) {
                rc = error_set(err, plot_rc, "%s", plot_err[i]);
                break;
            }
    }
cleanup:
    for (int i = 0; i < PLOT_N; i++)
        free(svgs[i]);
    sbuf_release(&b);
    doc_release(&d);
    return rc;
}

int report_render(const cJSON *report, const char *out_dir, unsigned formats,
                  struct error *err)
{
    return report_render_ex(report, out_dir, formats, NULL, err);
}
