/*
 * complete: what the word under the cursor of a logbook command line can
 * be, for the bash and zsh completion scripts (`logbook complete`).
 *
 * Nothing here lists commands or options by hand: the options and the
 * arguments of a command come from its own --help, whose synopsis lines
 * ("usage: logbook remote rm NAME") say which literal words come where
 * and which placeholders (DAY, HOST, ADMIN, DIR...) stand for what, and
 * whose option lines ("  --host HOST   ...") say which options take a
 * value.  A command added tomorrow completes the day it has a --help.
 *
 * This module is pure: it parses text and words and answers with
 * literal words or a kind of value; looking the values up in a journal
 * is the command's job.
 */
#ifndef LOGBOOK_COMPLETE_H
#define LOGBOOK_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/*
 * The kinds of values a placeholder stands for: DAY days, HOST hosts,
 * ADMIN admins (and NAME under team), NAME under remote remotes, KIND
 * record kinds, WHEN colour modes, ZONE time zones, COMMAND commands,
 * DIR directories, FILE and PATH files.  Others (TEXT, URL, N...) have
 * no completion.
 */
enum complete_kind {
	COMPLETE_NONE,
	COMPLETE_DAYS,
	COMPLETE_HOSTS,
	COMPLETE_ADMINS,
	COMPLETE_REMOTES,
	COMPLETE_KINDS,
	COMPLETE_WHEN,
	COMPLETE_ZONES,
	COMPLETE_COMMANDS,
	COMPLETE_DIRS,
	COMPLETE_FILES,
};

/* the kind of a placeholder of command cmd's help */
enum complete_kind complete_placeholder(const char *cmd, const char *placeholder);

/*
 * The options of a command's help text: every "-x" or "--name" in the
 * synopsis and at the start of a help line, in order of appearance, each
 * once.  The placeholder of an option that takes a value ("--host HOST",
 * "--color=WHEN") in values[i], else NULL; eq[i] when written with '='.
 */
struct complete_options {
	char **names;
	char **values;
	bool *eq;
	size_t n;
};
void complete_options_parse(const char *help, struct complete_options *out);
void complete_options_free(struct complete_options *o);

/*
 * What the word at index cword of words (words[0] is the command's name,
 * e.g. "remote"; option words included) can be, from the command's help:
 * literal words are appended to lits (one per line), the kinds of
 * placeholders OR'ed into *kinds as (1 << kind).  Options are not
 * proposed here (the caller does, for a word starting with '-').
 */
void complete_args(const char *help, const char *const *words, size_t cword, struct buf *lits, unsigned *kinds);

#endif
