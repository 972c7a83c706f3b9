#!/bin/sh
# Runs every unit test (cmocka, TAP output) and every integration script
# (TAP) through one prove, so the last line is prove's summary.
# usage: tests/run.sh OBJDIR UNIT_TEST...
O=$1; shift
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
TRUNKD_OBJ=$(cd "$O" && pwd); export TRUNKD_OBJ
exec prove --exec '' --timer "$@" tests/integration/*.t
