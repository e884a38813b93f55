// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_engine_src.c - the engine, its policies and the operation drivers,
 * compiled into the KUnit module from the same sources as tlbh.ko (and
 * as the userspace runner in kunit/host), so that the engine exports
 * nothing: it is pure logic with no state shared between the modules.
 */
#include "../src/tlbh_engine.c"
#include "../src/tlbh_policy.c"
#include "../src/tlbh_op.c"
