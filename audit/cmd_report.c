/*
 * audit/cmd_report.c - `privaudit report`: re-render a report.json as
 * Markdown, HTML, JUnit XML and plots (report/render.h does the work).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit/cli.h"
#include "report/render.h"
#include "report/schema.h"

static const char REPORT_USAGE[] =
    "usage: privaudit report REPORT.json [--format LIST] [--out DIR] [--quiet]\n"
    "\n"
    "Render a report.json (schema version 1) for people and CI.\n"
    "\n"
    "  --format LIST   comma-separated: md, html, junit, png, svg, or all\n"
    "                  (default: all)\n"
    "  --out DIR       output directory (default: the directory of REPORT.json)\n"
    "  --quiet         print nothing on success\n"
    "\n"
    "Writes report.md, report.html (self-contained, plots inline),\n"
    "report.junit.xml, and for each plot NAME.dat, NAME.gp and NAME.png /\n"
    "NAME.svg (drawn by gnuplot; without gnuplot on PATH only the .dat/.gp).\n"
    "Exit codes: 0 done, 2 bad usage or an invalid / unsupported report,\n"
    "3 internal error (e.g. gnuplot failed).  See docs/reporting.md.\n";

int cmd_report(int argc, char **argv)
{
    const char *format = "all", *out = NULL;
    bool quiet = false, help = false;
    const struct opt_spec specs[] = {
        {"format", true, &format, NULL},
        {"out", true, &out, NULL},
        {"quiet", false, NULL, &quiet},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, 3, pos, 1, &n_pos, &help, &err))
        return cli_fail("report", &err);
    if (help) {
        fputs(REPORT_USAGE, stdout);
        return 0;
    }
    if (n_pos != 1) {
        error_set(&err, ERR_USAGE, "report needs one REPORT.json argument");
        return cli_fail("report", &err);
    }
    unsigned formats = 0;
    if (report_parse_formats(format, &formats, &err))
        return cli_fail("report", &err);
    char dir[PATH_MAX];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
    } else {
        const char *slash = strrchr(pos[0], '/');
        if (slash)
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - pos[0]) ? (int)(slash - pos[0]) : 1,
                     pos[0]);
        else
            snprintf(dir, sizeof dir, ".");
    }
    cJSON *rep = NULL;
    if (schema_load(pos[0], &rep, &err))
        return cli_fail("report", &err);
    struct report_notes *notes = calloc(1, sizeof *notes);
    if (!notes) {
        cJSON_Delete(rep);
        error_set(&err, ERR_NOMEM, "out of memory");
        return cli_fail("report", &err);
    }
    int rc = report_render_ex(rep, dir, formats, notes, &err);
    cJSON_Delete(rep);
    if (notes->gnuplot_missing)
        fprintf(stderr, "privaudit: warning: gnuplot not found on PATH; plots not drawn "
                        "(their .dat and .gp files are written, the rest is rendered)\n");
    if (!quiet)
        for (size_t i = 0; i < notes->n_warnings; i++)
            fprintf(stderr, "privaudit report: note: %s\n", notes->warnings[i]);
    if (!quiet && notes->n_files) {
        printf("privaudit report: wrote into %s:", dir);
        for (size_t i = 0; i < notes->n_files; i++)
            printf(" %s", notes->files[i]);
        printf("\n");
    }
    free(notes);
    if (rc)
        return cli_fail("report", &err);
    return 0;
}
