/*
 * report/plot.h - the report's plots, drawn by gnuplot.
 *
 * For each plot the data go to DIR/NAME.dat and a gnuplot script to
 * DIR/NAME.gp (relative file names, so `cd DIR && gnuplot NAME.gp` redraws
 * NAME.png; `gnuplot -e "fmt='svg'" NAME.gp` draws NAME.svg).  plot_run
 * executes gnuplot directly (fork/exec, no shell) and renames the image into
 * place, so images appear atomically.  Labels taken from the report are
 * reduced to a safe character set and single-quoted in the scripts.
 *
 * Plots:
 *   roc       ROC of every attack, log-log, down to 1/n_nonmembers, with the
 *             diagonal
 *   hist      member vs non-member score histograms of the strongest attack
 *             (needs attacks[].histogram, a proposed schema addition)
 *   epsilon   every epsilon lower bound with its confidence against the
 *             claimed epsilon(s)
 *   guesses   the one-run bound against the number of guesses (needs
 *             bounds[].by_guesses, a proposed schema addition)
 */
#ifndef PRIVAUDIT_REPORT_PLOT_H
#define PRIVAUDIT_REPORT_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/error.h"

enum plot_id { PLOT_ROC, PLOT_HIST, PLOT_EPSILON, PLOT_GUESSES, PLOT_N };

struct plot_info {
    const char *name;   /* file stem: "roc" */
    const char *title;  /* a caption */
    bool available;     /* the report has the data */
    char reason[256];   /* when !available: why the plot is skipped */
};

/* Which plots the report supports (and why not for the others). */
void plot_plan(const cJSON *report, struct plot_info plan[PLOT_N]);

/* Write DIR/NAME.dat and DIR/NAME.gp (atomically) for plan[id], which must be
 * available.  Returns 0, ERR_IO or ERR_NOMEM. */
int plot_write_script(const cJSON *report, const char *dir, enum plot_id id,
                      struct error *err);

/* Search $PATH for an executable "gnuplot"; its path goes to buf.  False
 * when there is none (or PATH is unset). */
bool plot_find_gnuplot(char *buf, size_t cap);

/*
 * Run `gnuplot -e "fmt='EXT'; out='TMP'" NAME.gp` in DIR and rename TMP onto
 * DIR/NAME.EXT.  ext is "png" (pngcairo) or "svg".  ERR_INTERNAL naming the
 * plot and gnuplot's first line of stderr when gnuplot fails.
 */
int plot_run(const char *gnuplot, const char *dir, const char *name,
             const char *ext, struct error *err);

#endif
