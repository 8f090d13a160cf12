# SPDX-License-Identifier: GPL-2.0-or-later
# domain/: the domain paced and pacectl share. Profiles and programmes
# (libconfig), plans, scale-back, the session state machine and the
# advisory checker are pure: no I/O, no clock of their own. History and
# session logs own their file formats. pacectl links this library too, so
# 'pacectl profile check' validates exactly as paced does.

noinst_LTLIBRARIES += domain/libpaced-domain.la
domain_libpaced_domain_la_SOURCES = \
	domain/profile.c domain/profile.h domain/plan.c domain/plan.h \
	domain/scaleback.c domain/scaleback.h \
	domain/programme.c domain/programme.h \
	domain/session.c domain/session.h \
	domain/advisory.c domain/advisory.h \
	domain/cue.c domain/cue.h domain/units.c domain/units.h \
	domain/history.c domain/history.h \
	domain/session-log.c domain/session-log.h \
	domain/session-read.c domain/session-read.h \
	domain/export-timeline.c domain/export-timeline.h \
	domain/export.c domain/export.h domain/export-fit.c \
	domain/export-tcx.c domain/export-csv.c \
	domain/checkin.c domain/checkin.h \
	domain/progression.c domain/progression.h \
	domain/settings.c domain/settings.h \
	domain/exercise.c domain/exercise.h \
	domain/exercise-session.c domain/exercise-session.h \
	domain/report.c domain/report.h
domain_libpaced_domain_la_CPPFLAGS = $(domain_cppflags)
domain_libpaced_domain_la_CFLAGS = $(AM_CFLAGS) $(LIBCONFIG_CFLAGS)
domain_libpaced_domain_la_LIBADD = $(LIBCONFIG_LIBS) -lm
