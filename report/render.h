/*
 * report/render.h - the entry points: re-render a report.json into the
 * formats people and CI read.  report/ knows the report schema only, not the
 * audit pipeline (docs/report-schema.md, docs/reporting.md).
 *
 * Files written into the output directory (each atomically):
 *   report.md         Markdown summary (REPORT_FMT_MD)
 *   report.html       one self-contained page with inline SVG plots (HTML)
 *   report.junit.xml  JUnit XML: the verdict and every bound (JUNIT)
 *   NAME.dat, NAME.gp and NAME.png / NAME.svg for each plot (PNG / SVG);
 *                     HTML draws the SVGs it embeds and removes them again
 *                     unless SVG was asked for as well
 */
#ifndef PRIVAUDIT_REPORT_RENDER_H
#define PRIVAUDIT_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"

enum {
    REPORT_FMT_MD = 1u,
    REPORT_FMT_HTML = 2u,
    REPORT_FMT_JUNIT = 4u,
    REPORT_FMT_PNG = 8u,
    REPORT_FMT_SVG = 16u,
    REPORT_FMT_ALL = 31u
};

/* Parse "md,html" / "all" into REPORT_FMT_* bits; ERR_USAGE naming the bad
 * entry ("--format: unknown format 'pdf' ..."). */
int report_parse_formats(const char *text, unsigned *out, struct error *err);

#define REPORT_NOTES_MAX 8
#define REPORT_FILES_MAX 32

/* What a render did besides succeeding: warnings for the caller to print
 * (gnuplot missing; plots skipped for lack of data, one line each in
 * warnings) and the files written
 * (names relative to the output directory). */
struct report_notes {
    bool gnuplot_missing;  /* plots were asked for but gnuplot is not on PATH */
    char warnings[REPORT_NOTES_MAX][400];
    size_t n_warnings;
    char files[REPORT_FILES_MAX][64];
    size_t n_files;
};

/*
 * Check report against the schema (ERR_INPUT naming the field) and write the
 * requested formats into out_dir (created if needed).  When gnuplot is not on
 * PATH the plots' .dat/.gp are still written, the images are not, and a
 * warning says so; that is not an error.  A gnuplot failure is ERR_INTERNAL
 * after everything else has been written.  notes may be NULL.
 */
int report_render_ex(const cJSON *report, const char *out_dir, unsigned formats,
                     struct report_notes *notes, struct error *err);

/* report_render_ex without notes: for `privaudit run`. */
int report_render(const cJSON *report, const char *out_dir, unsigned formats,
                  struct error *err);

/* Render only the Markdown summary of a schema-checked report into a heap
 * string (*out, free()). */
int report_markdown(const cJSON *report, char **out, struct error *err);

#endif
