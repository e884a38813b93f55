// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_scenario_file.c - the scenario file format: parse it, write it,
 * find the files.
 *
 * One scenario per file, one statement per line, '#' starts a comment.
 * Header lines start with a lower-case keyword (scenario, doc, note,
 * outcome, roles, space, vma, iterations, let, expect); a step line
 * starts with its role letter, then the action and its arguments:
 *
 *	scenario   luf-munmap
 *	roles      3
 *	let X = 5p
 *	A POPULATE X 1p
 *	A READ X
 *	B RECLAIM X BATCH
 *	C UNMAP X 1p
 *	A CHECK X
 *	expect luf-naive: buggy
 *	expect upstream-current +luf: buggy
 *
 * Numbers are sums of terms: a decimal or 0x number with an optional
 * unit (K, M, G bytes, p pages of 4 KiB), or a name bound by let.
 * Every error names the file and line.  Documentation/scenarios.rst is
 * the full description.  No device is needed here: the host tools
 * (kunit/host: the explorer, the scenario model check) use this file
 * unchanged.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tlbh_scenario.h"

#define PMD_BYTES	(2ULL << 20)
#define MAX_TOKENS	24
#define MAX_LETS	16

enum sc_field { F_NONE, F_OFF, F_LEN, F_TO, F_NR };

struct sc_flag_word {
	const char *word;
	uint64_t flag;
};

/* Per action: its name, its arguments (in order) and its flag words. */
static const struct sc_action_spec {
	const char *name;
	const char *usage;
	uint8_t nr_min, nr_max;
	uint8_t field[4];
	struct sc_flag_word flags[2];
} specs[SC_NR_ACTIONS] = {
	[SC_READ] = { "READ", "OFF [LEN]", 1, 2, { F_OFF, F_LEN } },
	[SC_WRITE] = { "WRITE", "OFF [LEN]", 1, 2, { F_OFF, F_LEN } },
	[SC_CHECK] = { "CHECK", "OFF [LEN]", 1, 2, { F_OFF, F_LEN } },
	[SC_CHECK_WRITE] = { "CHECK_WRITE", "OFF [LEN]", 1, 2, { F_OFF, F_LEN } },
	[SC_POPULATE] = { "POPULATE", "OFF LEN [WRITE]", 2, 2, { F_OFF, F_LEN },
			  { { "WRITE", TLBH_MAP_WRITE } } },
	[SC_REMAP] = { "REMAP", "OFF LEN [FLUSH]", 2, 2, { F_OFF, F_LEN },
		       { { "FLUSH", TLBH_REMAP_FLUSH } } },
	[SC_FLUSH] = { "FLUSH", "OFF LEN | FLUSH MM", 0, 2, { F_OFF, F_LEN },
		       { { "MM", TLBH_FLUSH_MM } } },
	[SC_ZAP] = { "ZAP", "OFF LEN [HOLD]", 2, 2, { F_OFF, F_LEN },
		     { { "HOLD", TLBH_HOLD } } },
	[SC_ZAP_BATCH] = { "ZAP_BATCH", "OFF LEN NR STRIDE", 4, 4,
			   { F_OFF, F_LEN, F_NR, F_TO } },
	[SC_UNMAP] = { "UNMAP", "OFF LEN [HOLD]", 2, 2, { F_OFF, F_LEN },
		       { { "HOLD", TLBH_HOLD } } },
	[SC_RECLAIM] = { "RECLAIM", "OFF [BATCH] [HOLD]", 1, 1, { F_OFF },
			 { { "BATCH", TLBH_RECLAIM_BATCH }, { "HOLD", TLBH_HOLD } } },
	[SC_RESUME] = { "RESUME", "(no arguments)", 0, 0 },
	[SC_RECLAIM_FLUSH] = { "RECLAIM_FLUSH", "(no arguments)", 0, 0 },
	[SC_MREMAP] = { "MREMAP", "FROM TO LEN [PMD]", 3, 3, { F_OFF, F_TO, F_LEN },
			{ { "PMD", TLBH_MREMAP_PMD } } },
	[SC_MPROTECT] = { "MPROTECT", "OFF LEN [WRITE]", 2, 2, { F_OFF, F_LEN },
			  { { "WRITE", TLBH_PROT_WRITE } } },
	[SC_CLEAR_REFS] = { "CLEAR_REFS", "(no arguments)", 0, 0 },
	[SC_DRAIN] = { "DRAIN", "(no arguments)", 0, 0 },
	[SC_INJECT] = { "INJECT", "NR (batch allocations that fail)", 1, 1,
			{ F_NR } },
};

static const struct sc_flag_word vma_words[] = {
	{ "exec", TLBH_VMA_EXEC }, { "huge", TLBH_VMA_HUGE },
	{ "pfnmap", TLBH_VMA_PFNMAP }, { "mixedmap", TLBH_VMA_MIXEDMAP },
};

static const char * const outcome_names[] = {
	[SC_OUT_STALE] = "stale",
	[SC_OUT_VIOLATION] = "violation",
	[SC_OUT_COUNT] = "count",
};

/* Header keywords that may appear once. */
enum { K_SCENARIO, K_DOC, K_OUTCOME, K_ROLES, K_SPACE, K_ITERATIONS, K_NR };
static const char * const once_words[K_NR] = {
	"scenario", "doc", "outcome", "roles", "space", "iterations",
};

struct pctx {
	const char *path;
	unsigned int line;
	char *err;
	size_t errlen;
	unsigned int seen[K_NR];	/* line of the keyword, 0: not yet */
	unsigned int nr_lets;
	char let_name[MAX_LETS][SC_NAME_MAX];
	uint64_t let_val[MAX_LETS];
	unsigned int vma_line[TLBH_MAX_VMAS];
};

const char *sc_action_name(unsigned int action)
{
	if (action < SC_NR_ACTIONS && specs[action].name)
		return specs[action].name;
	return "?";
}

const char *sc_outcome_name(enum sc_outcome outcome)
{
	return outcome <= SC_OUT_COUNT ? outcome_names[outcome] : "?";
}

static int perr_at(struct pctx *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

#define perr(p, ...)	perr_at(p, (p)->line, __VA_ARGS__)

static bool is_name(const char *s, bool allow_dash)
{
	if (!*s || strlen(s) >= SC_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && !(allow_dash && (*s == '-' || *s == '.')))
			return false;
	return true;
}

static int parse_term(struct pctx *p, const char *t, uint64_t *v)
{
	unsigned long long n;
	unsigned int i;
	char *end;

	if (isdigit((unsigned char)*t)) {
		errno = 0;
		n = strtoull(t, &end, 0);
		if (errno)
			return perr(p, "number '%s' out of range", t);
		if (!strcmp(end, "K"))
			n <<= 10;
		else if (!strcmp(end, "M"))
			n <<= 20;
		else if (!strcmp(end, "G"))
			n <<= 30;
		else if (!strcmp(end, "p"))
			n *= SC_PAGE;
		else if (*end)
			return perr(p, "'%s': unknown unit (K, M, G or p for pages)", t);
		*v = n;
		return 0;
	}
	for (i = 0; i < p->nr_lets; i++) {
		if (!strcmp(p->let_name[i], t)) {
			*v = p->let_val[i];
			return 0;
		}
	}
	return perr(p, "'%s' is not a number, and no let names it", t);
}

/* term ('+' term)*, no spaces inside */
static int parse_expr(struct pctx *p, const char *s, uint64_t *v)
{
	char buf[128], *t, *save = NULL;
	uint64_t x = 0;

	if (strlen(s) >= sizeof(buf))
		return perr(p, "'%s' is too long", s);
	strcpy(buf, s);
	*v = 0;
	for (t = strtok_r(buf, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
		if (parse_term(p, t, &x))
			return -1;
		*v += x;
	}
	if (s[0] == '+' || s[strlen(s) - 1] == '+' || strstr(s, "++"))
		return perr(p, "'%s': a term is missing around '+'", s);
	return 0;
}

static unsigned int tokenize(char *line, char **tok)
{
	unsigned int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t", &save); t && n < MAX_TOKENS;
	     t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* The text after the first word of @line, trimmed. */
static const char *rest_of(const char *line)
{
	while (isspace((unsigned char)*line))
		line++;
	while (*line && !isspace((unsigned char)*line))
		line++;
	while (isspace((unsigned char)*line))
		line++;
	return line;
}

static void append_text(char *dst, size_t len, const char *src)
{
	size_t n = strlen(dst);

	if (n && n + 1 < len)
		dst[n++] = ' ';
	snprintf(dst + n, len - n, "%s", src);
}

int sc_ruleset_parse(const char *text, struct sc_ruleset *rs, char *err,
		     size_t errlen)
{
	char buf[SC_TEXT_MAX], *tok[MAX_TOKENS];
	unsigned int n, i;

	memset(rs, 0, sizeof(*rs));
	snprintf(buf, sizeof(buf), "%s", text);
	n = tokenize(buf, tok);
	if (!n) {
		snprintf(err, errlen, "empty rule set: a policy name is missing");
		return -1;
	}
	if (!is_name(tok[0], true)) {
		snprintf(err, errlen, "'%s' is not a policy name", tok[0]);
		return -1;
	}
	snprintf(rs->policy, sizeof(rs->policy), "%s", tok[0]);
	for (i = 1; i < n; i++) {
		if ((tok[i][0] != '+' && tok[i][0] != '-') ||
		    !is_name(tok[i] + 1, false)) {
			snprintf(err, errlen,
				 "'%s': a rule is +name or -name (lower case, '_')",
				 tok[i]);
			return -1;
		}
		if (rs->nr_mods == SC_MAX_MODS) {
			snprintf(err, errlen, "more than %u rules", SC_MAX_MODS);
			return -1;
		}
		rs->mod[rs->nr_mods].add = tok[i][0] == '+';
		snprintf(rs->mod[rs->nr_mods].rule, SC_NAME_MAX, "%s", tok[i] + 1);
		rs->nr_mods++;
	}
	return 0;
}

void sc_ruleset_format(const struct sc_ruleset *rs, char *buf, size_t len)
{
	unsigned int i;
	size_t n;

	snprintf(buf, len, "%s", rs->policy);
	for (i = 0; i < rs->nr_mods; i++) {
		n = strlen(buf);
		snprintf(buf + n, len - n, " %c%s", rs->mod[i].add ? '+' : '-',
			 rs->mod[i].rule);
	}
}

int sc_ruleset_resolve(const struct sc_ruleset *rs, const struct sc_names *n,
		       uint64_t *policy, uint64_t *add, uint64_t *drop,
		       char *err, size_t errlen)
{
	unsigned int i;
	int bit;

	*policy = n->policy(n->priv, rs->policy);
	*add = 0;
	*drop = 0;
	if (!*policy) {
		snprintf(err, errlen, "no policy is named '%s'", rs->policy);
		return -1;
	}
	for (i = 0; i < rs->nr_mods; i++) {
		bit = n->rule(n->priv, rs->mod[i].rule);
		if (bit < 0 || bit > 63) {
			snprintf(err, errlen, "no rule is named '%s'",
				 rs->mod[i].rule);
			return -1;
		}
		if (rs->mod[i].add)
			*add |= 1ULL << bit;
		else
			*drop |= 1ULL << bit;
	}
	return 0;
}

static int keyword_once(struct pctx *p, unsigned int k)
{
	if (p->seen[k])
		return perr(p, "'%s' again (first on line %u)", once_words[k],
			    p->seen[k]);
	p->seen[k] = p->line;
	return 0;
}

static int parse_step(struct pctx *p, struct scenario *sc, char **tok,
		      unsigned int n)
{
	const struct sc_action_spec *spec = NULL;
	uint64_t args[4], *field;
	unsigned int a, i, j, nargs = 0;
	struct sc_step *st;
	bool flag, bad;

	if (sc->nr_steps == SC_MAX_STEPS)
		return perr(p, "more than %u steps", SC_MAX_STEPS);
	st = &sc->steps[sc->nr_steps];
	memset(st, 0, sizeof(*st));
	st->role = tok[0][0] - 'A';
	st->line = p->line;
	if (n < 2)
		return perr(p, "step of role %c names no action", tok[0][0]);
	for (a = 1; a < SC_NR_ACTIONS; a++)
		if (!strcmp(specs[a].name, tok[1]))
			break;
	if (a == SC_NR_ACTIONS) {
		char list[256] = "";

		for (i = 1; i < SC_NR_ACTIONS; i++)
			append_text(list, sizeof(list), specs[i].name);
		return perr(p, "unknown action '%s' (one of %s)", tok[1], list);
	}
	spec = &specs[a];
	st->action = a;
	for (i = 2; i < n; i++) {
		if (!strcmp(tok[i], "may-block")) {
			if (i != n - 1)
				return perr(p, "may-block must end the step");
			st->may_block = true;
			continue;
		}
		flag = false;
		for (j = 0; j < 2 && spec->flags[j].word; j++) {
			if (!strcmp(spec->flags[j].word, tok[i])) {
				if (st->flags & spec->flags[j].flag)
					return perr(p, "flag %s twice", tok[i]);
				st->flags |= spec->flags[j].flag;
				flag = true;
			}
		}
		if (flag)
			continue;
		if (nargs == spec->nr_max)
			return perr(p, "'%s': %s takes %s", tok[i], spec->name,
				    spec->usage);
		if (parse_expr(p, tok[i], &args[nargs]))
			return -1;
		nargs++;
	}
	if (a == SC_FLUSH)
		bad = (st->flags & TLBH_FLUSH_MM) ? nargs != 0 : nargs != 2;
	else
		bad = nargs < spec->nr_min;
	if (bad)
		return perr(p, "%s takes %s", spec->name, spec->usage);
	for (i = 0; i < nargs; i++) {
		switch (spec->field[i]) {
		case F_OFF:
			field = &st->off;
			break;
		case F_LEN:
			field = &st->len;
			break;
		case F_TO:
			field = &st->to;
			break;
		default:
			st->nr = args[i];
			continue;
		}
		*field = args[i];
	}
	sc->nr_steps++;
	return 0;
}

static int parse_line(struct pctx *p, struct scenario *sc, char *line)
{
	char copy[SC_TEXT_MAX], *tok[MAX_TOKENS], *colon;
	struct sc_variant *v;
	uint64_t x, y;
	unsigned int n, i, j;

	snprintf(copy, sizeof(copy), "%s", line);
	n = tokenize(copy, tok);
	if (!n)
		return 0;
	if (strlen(tok[0]) == 1 && isupper((unsigned char)tok[0][0]))
		return parse_step(p, sc, tok, n);

	if (!strcmp(tok[0], "scenario")) {
		if (keyword_once(p, K_SCENARIO))
			return -1;
		if (n != 2 || !is_name(tok[1], true))
			return perr(p, "scenario takes one name (lower case, digits, '-', '_')");
		snprintf(sc->name, sizeof(sc->name), "%s", tok[1]);
	} else if (!strcmp(tok[0], "doc")) {
		if (keyword_once(p, K_DOC))
			return -1;
		snprintf(sc->doc, sizeof(sc->doc), "%s", rest_of(line));
	} else if (!strcmp(tok[0], "note")) {
		append_text(sc->note, sizeof(sc->note), rest_of(line));
	} else if (!strcmp(tok[0], "outcome")) {
		if (keyword_once(p, K_OUTCOME))
			return -1;
		for (i = 0; i < 3; i++)
			if (n == 2 && !strcmp(tok[1], outcome_names[i]))
				break;
		if (i == 3)
			return perr(p, "outcome is stale, violation or count");
		sc->outcome = i;
	} else if (!strcmp(tok[0], "roles")) {
		if (keyword_once(p, K_ROLES))
			return -1;
		if (n < 2 || n > 3 || (n == 3 && strcmp(tok[2], "one-cpu")))
			return perr(p, "roles takes N [one-cpu]");
		if (parse_expr(p, tok[1], &x))
			return -1;
		if (!x || x > SC_MAX_ROLES)
			return perr(p, "roles: 1 to %u", SC_MAX_ROLES);
		sc->nr_roles = x;
		sc->one_cpu = n == 3;
	} else if (!strcmp(tok[0], "space")) {
		if (keyword_once(p, K_SPACE))
			return -1;
		if (n != 2)
			return perr(p, "space takes one size");
		if (parse_expr(p, tok[1], &x))
			return -1;
		if (!x || x % TLBH_SPACE_ALIGN || x > (1ULL << 30))
			return perr(p, "space: a multiple of 2M, at most 1G");
		sc->space_size = x;
	} else if (!strcmp(tok[0], "vma")) {
		struct tlbh_vma_desc *d;

		if (sc->nr_vmas == TLBH_MAX_VMAS)
			return perr(p, "more than %u VMAs", TLBH_MAX_VMAS);
		if (n < 3)
			return perr(p, "vma takes OFF LEN [exec] [huge] [pfnmap] [mixedmap]");
		d = &sc->vmas[sc->nr_vmas];
		if (parse_expr(p, tok[1], &x) || parse_expr(p, tok[2], &y))
			return -1;
		d->offset = x;
		d->length = y;
		for (i = 3; i < n; i++) {
			for (j = 0; j < 4; j++)
				if (!strcmp(tok[i], vma_words[j].word))
					break;
			if (j == 4)
				return perr(p, "'%s': a VMA flag is exec, huge, pfnmap or mixedmap",
					    tok[i]);
			d->flags |= vma_words[j].flag;
		}
		p->vma_line[sc->nr_vmas++] = p->line;
	} else if (!strcmp(tok[0], "iterations")) {
		if (keyword_once(p, K_ITERATIONS))
			return -1;
		if (n != 3)
			return perr(p, "iterations takes BUGGY FIXED");
		if (parse_expr(p, tok[1], &x) || parse_expr(p, tok[2], &y))
			return -1;
		if (!x || !y || x > 100000 || y > 100000)
			return perr(p, "iterations: 1 to 100000 each");
		sc->buggy_iters = x;
		sc->fixed_iters = y;
	} else if (!strcmp(tok[0], "let")) {
		if (n != 4 || strcmp(tok[2], "="))
			return perr(p, "let takes NAME = VALUE");
		if (!isalpha((unsigned char)tok[1][0]) || strlen(tok[1]) >= SC_NAME_MAX)
			return perr(p, "'%s' is not a name", tok[1]);
		for (i = 0; i < p->nr_lets; i++)
			if (!strcmp(p->let_name[i], tok[1]))
				return perr(p, "'%s' is bound already", tok[1]);
		if (p->nr_lets == MAX_LETS)
			return perr(p, "more than %u names", MAX_LETS);
		if (parse_expr(p, tok[3], &x))
			return -1;
		snprintf(p->let_name[p->nr_lets], SC_NAME_MAX, "%s", tok[1]);
		p->let_val[p->nr_lets++] = x;
	} else if (!strcmp(tok[0], "expect")) {
		char rs_text[SC_TEXT_MAX], word[32], msg[SC_ERR_MAX];
		const char *r = rest_of(line);

		if (sc->nr_variants == SC_MAX_VARIANTS)
			return perr(p, "more than %u expect lines", SC_MAX_VARIANTS);
		colon = strrchr(r, ':');
		if (!colon)
			return perr(p, "expect takes RULE SET: buggy|fixed");
		snprintf(rs_text, sizeof(rs_text), "%.*s", (int)(colon - r), r);
		if (sscanf(colon + 1, " %31s %c", word, msg) != 1 ||
		    (strcmp(word, "buggy") && strcmp(word, "fixed")))
			return perr(p, "expect: after the ':' comes buggy or fixed");
		v = &sc->variants[sc->nr_variants];
		memset(v, 0, sizeof(*v));
		if (sc_ruleset_parse(rs_text, &v->rs, msg, sizeof(msg)))
			return perr(p, "expect: %s", msg);
		sc_ruleset_format(&v->rs, v->policy, sizeof(v->policy));
		for (i = 0; i < sc->nr_variants; i++)
			if (!strcmp(sc->variants[i].policy, v->policy))
				return perr(p, "expect %s again (first on line %u)",
					    v->policy, sc->variants[i].line);
		v->expect = strcmp(word, "buggy") ? SC_FIXED : SC_BUGGY;
		v->line = p->line;
		sc->nr_variants++;
	} else {
		return perr(p, "'%s': not a keyword (scenario, doc, note, outcome, roles, space, vma, iterations, let, expect) nor a role letter",
			    tok[0]);
	}
	return 0;
}

static bool aligned(uint64_t v)
{
	return !(v % SC_PAGE);
}

/* Offsets and lengths against the data area, once the space is known. */
static int check_step(struct pctx *p, const struct scenario *sc,
		      const struct sc_step *st)
{
	uint64_t data = sc->space_size / 2, len = st->len, end;
	const char *name = sc_action_name(st->action);

	if (st->role >= sc->nr_roles)
		return perr_at(p, st->line, "step names role %c, scenario has %u role%s",
			       'A' + st->role, sc->nr_roles,
			       sc->nr_roles == 1 ? "" : "s");
	if (!aligned(st->off) || !aligned(st->len) || !aligned(st->to))
		return perr_at(p, st->line, "%s: offsets and lengths are whole pages",
			       name);
	switch (st->action) {
	case SC_READ:
	case SC_WRITE:
	case SC_CHECK:
	case SC_CHECK_WRITE:
		if (len > SC_MAX_PAGES * SC_PAGE)
			return perr_at(p, st->line, "%s covers at most %u pages", name,
				       SC_MAX_PAGES);
		if (!len)
			len = SC_PAGE;
		break;
	case SC_RECLAIM:
		len = SC_PAGE;
		break;
	case SC_RESUME:
	case SC_RECLAIM_FLUSH:
	case SC_CLEAR_REFS:
	case SC_DRAIN:
	case SC_INJECT:
		return 0;
	case SC_FLUSH:
		if (st->flags & TLBH_FLUSH_MM)
			return 0;
		break;
	case SC_ZAP_BATCH:
		if (!st->nr || st->nr > TLBH_MAX_BATCH)
			return perr_at(p, st->line, "ZAP_BATCH: 1 to %u ranges",
				       TLBH_MAX_BATCH);
		len += (uint64_t)(st->nr - 1) * st->to;
		break;
	case SC_MREMAP:
		if (st->to + st->len > data)
			return perr_at(p, st->line, "MREMAP: the destination ends past the data area (%llu bytes)",
				       (unsigned long long)data);
		break;
	}
	if (!st->len && st->action != SC_READ && st->action != SC_WRITE &&
	    st->action != SC_CHECK && st->action != SC_CHECK_WRITE &&
	    st->action != SC_RECLAIM)
		return perr_at(p, st->line, "%s: the length is zero", name);
	end = st->off + len;
	if (end > data)
		return perr_at(p, st->line, "%s ends at %llu, past the data area (%llu bytes: half the space)",
			       name, (unsigned long long)end,
			       (unsigned long long)data);
	return 0;
}

static int check_scenario(struct pctx *p, struct scenario *sc)
{
	uint64_t data, prev_end = 0;
	unsigned int i;

	if (!p->seen[K_SCENARIO])
		return perr_at(p, 1, "no 'scenario NAME' line");
	if (!p->seen[K_ROLES])
		return perr_at(p, p->seen[K_SCENARIO], "no 'roles N' line");
	if (!sc->nr_steps)
		return perr_at(p, p->line, "no steps");
	if (!sc->nr_variants)
		return perr_at(p, p->line, "no 'expect' line");
	if (!sc->space_size)
		sc->space_size = SC_DEFAULT_SPACE;
	if (!sc->buggy_iters) {
		sc->buggy_iters = 30;
		sc->fixed_iters = 100;
	}
	data = sc->space_size / 2;
	for (i = 0; i < sc->nr_vmas; i++) {
		const struct tlbh_vma_desc *d = &sc->vmas[i];

		if (!aligned(d->offset) || !aligned(d->length) || !d->length ||
		    d->offset + d->length > data)
			return perr_at(p, p->vma_line[i], "vma: whole pages inside the data area (%llu bytes)",
				       (unsigned long long)data);
		if (d->offset < prev_end)
			return perr_at(p, p->vma_line[i], "vma: VMAs go in address order and do not overlap");
		prev_end = d->offset + d->length;
	}
	for (i = 0; i < sc->nr_steps; i++) {
		const struct sc_step *st = &sc->steps[i];

		if (check_step(p, sc, st))
			return -1;
		if ((st->flags & TLBH_HOLD && (st->action == SC_ZAP ||
					       st->action == SC_UNMAP ||
					       st->action == SC_RECLAIM)) ||
		    st->action == SC_RESUME)
			sc->needs_hold = true;
	}
	return 0;
}

int sc_parse(const char *path, const char *text, struct scenario *sc,
	     char *err, size_t errlen)
{
	struct pctx p = { .path = path, .err = err, .errlen = errlen };
	char line[SC_TEXT_MAX], *hash;
	const char *s = text, *nl;
	size_t n;

	memset(sc, 0, sizeof(*sc));
	err[0] = 0;
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	while (*s) {
		p.line++;
		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		if (n >= sizeof(line))
			return perr(&p, "line longer than %zu characters",
				    sizeof(line) - 1);
		memcpy(line, s, n);
		line[n] = 0;
		s += n + (nl ? 1 : 0);
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (parse_line(&p, sc, line))
			return -1;
	}
	return check_scenario(&p, sc);
}

int sc_load(const char *path, struct scenario *sc, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > 1 << 20 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot read it (or larger than 1 MiB)",
			 path);
		fclose(f);
		return -1;
	}
	text = calloc(1, n + 1);
	if (!text || fread(text, 1, n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: read failed", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (memchr(text, 0, n)) {
		snprintf(err, errlen, "%s: not a text file", path);
		free(text);
		return -1;
	}
	ret = sc_parse(path, text, sc, err, errlen);
	free(text);
	return ret;
}

/* Sizes as the format writes them: 5p, 2M, 2M+5p. */
static const char *fmt_size(char *buf, size_t len, uint64_t v)
{
	if (!v)
		snprintf(buf, len, "0");
	else if (!(v % PMD_BYTES))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v > PMD_BYTES && aligned(v))
		snprintf(buf, len, "%lluM+%llup",
			 (unsigned long long)((v - v % PMD_BYTES) >> 20),
			 (unsigned long long)(v % PMD_BYTES / SC_PAGE));
	else if (aligned(v))
		snprintf(buf, len, "%llup", (unsigned long long)(v / SC_PAGE));
	else
		snprintf(buf, len, "%#llx", (unsigned long long)v);
	return buf;
}

int sc_write(FILE *f, const struct scenario *sc, const char *comment)
{
	const char *c = comment, *nl;
	char a[32], b[32], d[32];
	unsigned int i, j;

	while (c && *c) {
		nl = strchr(c, '\n');
		fprintf(f, "#%s%.*s\n", *c == '\n' ? "" : " ",
			(int)(nl ? nl - c : (int)strlen(c)), c);
		c = nl ? nl + 1 : NULL;
	}
	if (comment)
		fprintf(f, "\n");
	fprintf(f, "scenario   %s\n", sc->name);
	if (sc->doc[0])
		fprintf(f, "doc        %s\n", sc->doc);
	if (sc->note[0])
		fprintf(f, "note       %s\n", sc->note);
	fprintf(f, "outcome    %s\n", sc_outcome_name(sc->outcome));
	fprintf(f, "roles      %u%s\n", sc->nr_roles, sc->one_cpu ? " one-cpu" : "");
	fprintf(f, "space      %s\n", fmt_size(a, sizeof(a), sc->space_size));
	for (i = 0; i < sc->nr_vmas; i++) {
		fprintf(f, "vma        %s %s", fmt_size(a, sizeof(a), sc->vmas[i].offset),
			fmt_size(b, sizeof(b), sc->vmas[i].length));
		for (j = 0; j < 4; j++)
			if (sc->vmas[i].flags & vma_words[j].flag)
				fprintf(f, " %s", vma_words[j].word);
		fprintf(f, "\n");
	}
	fprintf(f, "iterations %u %u\n\n", sc->buggy_iters, sc->fixed_iters);
	for (i = 0; i < sc->nr_steps; i++) {
		const struct sc_step *st = &sc->steps[i];
		const struct sc_action_spec *spec = &specs[st->action];

		fprintf(f, "%c %s", 'A' + st->role, spec->name);
		fmt_size(a, sizeof(a), st->off);
		fmt_size(b, sizeof(b), st->len);
		fmt_size(d, sizeof(d), st->to);
		switch (st->action) {
		case SC_READ:
		case SC_WRITE:
		case SC_CHECK:
		case SC_CHECK_WRITE:
			fprintf(f, " %s", a);
			if (st->len && st->len != SC_PAGE)
				fprintf(f, " %s", b);
			break;
		case SC_RECLAIM:
			fprintf(f, " %s", a);
			break;
		case SC_MREMAP:
			fprintf(f, " %s %s %s", a, d, b);
			break;
		case SC_ZAP_BATCH:
			fprintf(f, " %s %s %u %s", a, b, st->nr, d);
			break;
		case SC_INJECT:
			fprintf(f, " %u", st->nr);
			break;
		case SC_FLUSH:
			if (!(st->flags & TLBH_FLUSH_MM))
				fprintf(f, " %s %s", a, b);
			break;
		default:
			if (spec->nr_max)
				fprintf(f, " %s %s", a, b);
		}
		for (j = 0; j < 2 && spec->flags[j].word; j++)
			if (st->flags & spec->flags[j].flag)
				fprintf(f, " %s", spec->flags[j].word);
		fprintf(f, "%s\n", st->may_block ? " may-block" : "");
	}
	fprintf(f, "\n");
	for (i = 0; i < sc->nr_variants; i++)
		fprintf(f, "expect %s: %s\n", sc->variants[i].policy,
			sc->variants[i].expect == SC_BUGGY ? "buggy" : "fixed");
	return ferror(f) ? -1 : 0;
}

int sc_dir(const char *rel, char *buf, size_t len)
{
	const char *env = getenv("TLBH_SCENARIO_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, len, "%s/%s", exe, rel);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void add_bad(struct sc_set *set, const char *msg)
{
	char (*bad)[SC_ERR_MAX] = realloc(set->bad, (set->nr_bad + 1) * sizeof(*bad));

	if (!bad)
		return;
	set->bad = bad;
	snprintf(set->bad[set->nr_bad++], SC_ERR_MAX, "%.*s", SC_ERR_MAX - 1, msg);
}

/* Load @path into the set; the file name must be the scenario's name. */
static void add_file(struct sc_set *set, const char *path)
{
	char err[2 * PATH_MAX], base[SC_NAME_MAX + 8];
	const char *slash = strrchr(path, '/');
	struct scenario *sc, *grown;
	unsigned int i;

	grown = realloc(set->sc, (set->nr + 1) * sizeof(*grown));
	if (!grown) {
		add_bad(set, "out of memory");
		return;
	}
	set->sc = grown;
	sc = &set->sc[set->nr];
	if (sc_load(path, sc, err, sizeof(err))) {
		add_bad(set, err);
		return;
	}
	snprintf(base, sizeof(base), "%s.scn", sc->name);
	if (strcmp(slash ? slash + 1 : path, base)) {
		snprintf(err, sizeof(err), "%s:1: the file of scenario %s must be named %s",
			 path, sc->name, base);
		add_bad(set, err);
		return;
	}
	for (i = 0; i < set->nr; i++) {
		if (!strcmp(set->sc[i].name, sc->name)) {
			snprintf(err, sizeof(err), "%s:1: scenario %s twice (also %s)",
				 path, sc->name, set->sc[i].path);
			add_bad(set, err);
			return;
		}
	}
	set->nr++;
}

int sc_load_set(const char *dir, char *const *args, unsigned int nr_args,
		struct sc_set *set)
{
	char path[PATH_MAX], **names = NULL, **grown;
	unsigned int i, n = 0;
	struct dirent *de;
	size_t len;
	DIR *d;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < nr_args; i++) {
		if (strchr(args[i], '/') || strstr(args[i], ".scn"))
			snprintf(path, sizeof(path), "%s", args[i]);
		else
			snprintf(path, sizeof(path), "%s/%s.scn", dir, args[i]);
		add_file(set, path);
	}
	if (nr_args)
		return 0;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".scn") ||
		    de->d_name[0] == '.')
			continue;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			break;
		names = grown;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		add_file(set, path);
		free(names[i]);
	}
	free(names);
	return 0;
}

void sc_set_free(struct sc_set *set)
{
	free(set->sc);
	free(set->bad);
	memset(set, 0, sizeof(*set));
}
