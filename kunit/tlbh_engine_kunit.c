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

/*
 * One parameter per row of the table, named after it.  The table's size
 * is not known here, so this is KUNIT_ARRAY_PARAM written out; its
 * signature follows the kernel's (Kbuild probes whether generate_params
 * takes the test first, as it does on newer kernels such as 7.2).
 */
static const void *tlbh_engine_next(const void *prev, char *desc)
{
	const struct tlbh_case *c = prev ? (const struct tlbh_case *)prev + 1 :
					   tlbh_engine_cases;

	if (c >= tlbh_engine_cases + tlbh_nr_engine_cases)
		return NULL;
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
	return c;
}

#ifdef TLBH_KUNIT_GEN_TAKES_TEST
static const void *tlbh_engine_gen_params(struct kunit *test,
					  const void *prev, char *desc)
#else
static const void *tlbh_engine_gen_params(const void *prev, char *desc)
#endif
{
	return tlbh_engine_next(prev, desc);
}

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
