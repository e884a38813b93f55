// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_engine_kunit.c - KUnit suite running the engine case table
 *
 * One parameterised test, one case per row of tlbh_engine_cases[]
 * (tlbh_engine_cases.c), named after the row.  Each case runs the row
 * through tlbh_case_run(), the same executor the userspace runner in
 * kunit/host uses, and fails with its mismatch message.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "tlbh_engine_cases.h"

/* v6.6 added KUNIT_ARRAY_PARAM_DESC; v6.1 needs a description callback. */
#ifdef KUNIT_ARRAY_PARAM_DESC
KUNIT_ARRAY_PARAM_DESC(tlbh_engine, tlbh_engine_cases, name);
#else
static void tlbh_engine_case_name(const struct tlbh_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(tlbh_engine, tlbh_engine_cases, tlbh_engine_case_name);
#endif

static void tlbh_engine_case(struct kunit *test)
{
	const struct tlbh_case *c = test->param_value;
	char *msg = kunit_kzalloc(test, TLBH_CASE_MSG_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, msg);
	if (!tlbh_case_run(c, msg, TLBH_CASE_MSG_LEN))
		KUNIT_FAIL(test, "[%s, %s] %s", tlbh_cond_names[c->cond],
			   c->policy, msg);
}

static struct kunit_case tlbh_engine_test_cases[] = {
	KUNIT_CASE_PARAM(tlbh_engine_case, tlbh_engine_gen_params),
	{}
};

static struct kunit_suite tlbh_engine_suite = {
	.name = "tlbh_engine",
	.test_cases = tlbh_engine_test_cases,
};

kunit_test_suite(tlbh_engine_suite);

MODULE_IMPORT_NS(TLBH_NS);
