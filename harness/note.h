/*
 * note.h - appending to a note: the free-text "why" of a row (a skip
 * reason, a failed check, a verdict's reason), several reasons separated
 * by "; ", cut at the buffer's size rather than failing.
 */
#ifndef PRIMBENCH_NOTE_H
#define PRIMBENCH_NOTE_H

#include <stdarg.h>
#include <stddef.h>

/* Append the formatted text to the NUL-terminated note in buf (size bytes
 * in all), after "; " when the note is not empty.  The text is cut to
 * what fits; a note without room for "; " and one byte of text is left as
 * it is. */
void note_append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with a va_list. */
void note_vappend(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
