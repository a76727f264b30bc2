# ddb_emul -- PGXS build.
#
#   make                 build the shared library
#   make install         install it into the server found by pg_config
#   make installcheck    run the pg_regress suite against a running server
#
# The full suite (temp instances, pgTAP, isolation, extra) is scripts/test.sh.

EXTENSION = ddb_emul
MODULE_big = ddb_emul
DATA_built = ddb_emul--0.1.sql
PGFILEDESC = "ddb_emul - DynamoDB data model and API inside PostgreSQL"

OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))

REGRESS = $(basename $(notdir $(sort $(wildcard sql/*.sql))))
REGRESS_OPTS = --temp-config=$(srcdir)/test/ddb_emul.conf

ISOLATION = $(basename $(notdir $(sort $(wildcard test/specs/*.spec))))
ISOLATION_OPTS = --temp-config=$(srcdir)/test/ddb_emul.conf \
	--inputdir=$(srcdir)/test --outputdir=output_iso

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

EXTRA_CLEAN = output_iso

# The extension script is assembled from one file per concern.
ddb_emul--0.1.sql: $(sort $(wildcard $(srcdir)/src/sql/*.sql))
	cat $^ > $@
