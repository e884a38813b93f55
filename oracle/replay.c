// SPDX-License-Identifier: GPL-2.0
/*
 * replay.c - the engine side of the oracle (Documentation/oracle.rst)
 *
 *   replay -s STATE -k KERNEL.LOG [-R RELEASE] [-p POLICY] [-o OUT]
 *
 * Reads the workload's state log (pre-state of every operation) and the
 * kernel's canonical log (for the CPU state the kernel had at each flush:
 * mm_cpumask, lazy CPUs, issuing CPU), and drives the engine's operation
 * drivers (src/tlbh_op.c, compiled unchanged) on a general model page
 * table (pt.c).  A recording backend writes the same canonical log as
 * oracle.py makes of the kernel trace.
 *
 * The replay drives the engine as it is.  What the engine API cannot
 * express (see the gaps list of Documentation/oracle.rst) is not worked
 * around here: the difference is what the diff is for.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tlbh_engine.h"
#include "tlbh_op.h"
#include "tlbh_policy.h"
#include "pt.h"

/* Linux errno values (the header shim has only a few of them). */
#define ORACLE_EPERM	1
#define ORACLE_ESRCH	3
#define ORACLE_EBADF	9
#define ORACLE_EFAULT	14
#define ORACLE_EINVAL	22

/* ------------------------------------------------------------------ */
/* Which policy claims which release: first name the engine knows wins. */

static const struct {
	const char *release;
	const char *policies[3];
} release_policies[] = {
	{ "6.1", { "upstream-6.1" } },
	{ "6.12", { "upstream-6.12", "upstream-current" } },
	{ "7.2", { "upstream-7.2", "upstream-current" } },
};

static const struct tlbh_policy *policy_for(const char *release)
{
	unsigned int i, j;

	for (i = 0; i < sizeof(release_policies) / sizeof(release_policies[0]); i++) {
		if (strcmp(release_policies[i].release, release))
			continue;
		for (j = 0; j < 3 && release_policies[i].policies[j]; j++) {
			const struct tlbh_policy *p =
				tlbh_policy_find(release_policies[i].policies[j]);

			if (p)
				return p;
		}
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Kernel CPU state per operation and per flush                         */

struct cpu_state {
	tlbh_cpus_t mask, lazy, loaded;
	bool trim;
};

struct kop {
	long id;
	int issuer;
	struct cpu_state start;
	struct cpu_state *flush;	/* one per kernel flush, in order */
	int nr_flush, cap_flush;
};

static struct kop *kops;
static long nr_kops, cap_kops;

static struct kop *kop_find(long id)
{
	long lo = 0, hi = nr_kops - 1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;

		if (kops[mid].id == id)
			return &kops[mid];
		if (kops[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static unsigned long annot(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoul(p + strlen(key), NULL, 16) : 0;
}

/* The annotation of a kernel flush ends in " split" (oracle.py). */
static bool split_flush(const char *line)
{
	size_t n = strcspn(line, "\n");

	return n > 6 && !strncmp(line + n - 6, " split", 6) && strchr(line, '#');
}

static void read_kernel_log(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	struct kop *k = NULL;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		long id;

		if (sscanf(line, "op %ld", &id) == 1) {
			if (nr_kops == cap_kops) {
				cap_kops = cap_kops ? 2 * cap_kops : 1024;
				kops = realloc(kops, cap_kops * sizeof(*kops));
			}
			k = &kops[nr_kops++];
			memset(k, 0, sizeof(*k));
			k->id = id;
		} else if (k && !strncmp(line, "state ", 6)) {
			k->issuer = annot(line, "issuer=");
			k->start.mask = annot(line, "mask=");
			k->start.lazy = annot(line, "lazy=");
			k->start.loaded = strstr(line, "loaded=") ?
					  annot(line, "loaded=") : k->start.mask;
		} else if (k && strstr(line, "  flush ") && split_flush(line)) {
			/*
			 * Folded into the next flush by a need_resched split
			 * (oracle.py): the engine's one flush for both gets
			 * the state of the last.
			 */
			continue;
		} else if (k && (strstr(line, "  flush ") || strstr(line, "  tlbbatch "))) {
			struct cpu_state *s;

			if (k->nr_flush == k->cap_flush) {
				k->cap_flush = k->cap_flush ? 2 * k->cap_flush : 16;
				k->flush = realloc(k->flush, k->cap_flush * sizeof(*k->flush));
				if (!k->flush) {
					perror("replay");
					exit(2);
				}
			}
			s = &k->flush[k->nr_flush++];

			s->mask = annot(line, "mask=");
			s->lazy = strstr(line, "lazy=") ? annot(line, "lazy=") :
				  (k->nr_flush > 1 ? k->flush[k->nr_flush - 2].lazy :
				   k->start.lazy);
			/* A batch flush has no loaded state: every CPU of it. */
			s->loaded = strstr(line, " loaded=") ?
				    annot(line, " loaded=") : s->mask;
			s->trim = strstr(line, " trim") != NULL;
		}
	}
	fclose(f);
}

/* ------------------------------------------------------------------ */
/* Recording backend                                                    */

struct rec {
	FILE *out;
	struct oracle_pt *pt;
	const struct kop *kop;
	int nr_emitted;		/* flush-like events so far in this op */
	unsigned long pages;
	unsigned long tables[4];
	int muted;
	int muted_pages;
};

static void cpus_str(char *buf, size_t len, tlbh_cpus_t cpus)
{
	int c, n = 0;

	buf[0] = 0;
	for (c = 0; c < TLBH_MAX_CPUS; c++)
		if (cpus & TLBH_CPU(c))
			n += snprintf(buf + n, len - n, "%s%d", n ? "," : "", c);
	if (!n)
		snprintf(buf, len, "-");
}

static void emit_pending(struct rec *r)
{
	if (r->tables[0] || r->tables[1] || r->tables[2] || r->tables[3])
		fprintf(r->out, "  tables pte=%lu pmd=%lu pud=%lu p4d=%lu\n",
			r->tables[0], r->tables[1], r->tables[2], r->tables[3]);
	if (r->pages)
		fprintf(r->out, "  free pages=%lu\n", r->pages);
	memset(r->tables, 0, sizeof(r->tables));
	r->pages = 0;
}

static const struct cpu_state *cur_state(struct rec *r)
{
	static const struct cpu_state none;
	const struct kop *k = r->kop;

	if (!k)
		return &none;
	if (r->nr_emitted < k->nr_flush)
		return &k->flush[r->nr_emitted];
	if (k->nr_flush)
		return &k->flush[k->nr_flush - 1];
	return &k->start;
}

static void emit_flush(struct rec *r, const struct tlbh_flush *f)
{
	char t[128];

	if (r->muted)
		return;
	emit_pending(r);
	cpus_str(t, sizeof(t), f->cpus);
	if (f->reason && !strcmp(f->reason, "reclaim-batch"))
		fprintf(r->out, "  tlbbatch targets=%s\n", t);
	else if (f->full)
		fprintf(r->out, "  flush full ft=%d targets=%s  # reason=%s stride=%u\n",
			f->freed_tables, t, f->reason, f->stride_shift);
	else
		fprintf(r->out, "  flush range %lx-%lx stride=%u ft=%d targets=%s  # reason=%s\n",
			f->start, f->end, f->stride_shift, f->freed_tables, t,
			f->reason);
	r->nr_emitted++;
}

static void be_flush(void *priv, const struct tlbh_flush *f)
{
	emit_flush(priv, f);
}

static void be_free_page(void *priv, unsigned long pfn, bool luf)
{
	struct rec *r = priv;

	if (!r->muted && !r->muted_pages)
		r->pages++;
}

static void be_free_table(void *priv, unsigned long pfn)
{
	struct rec *r = priv;
	struct oracle_table *t = oracle_pt_table(r->pt, pfn);

	if (!r->muted && t && t->level < 4)
		r->tables[t->level]++;
	oracle_pt_release_table(r->pt, pfn);
}

static void be_sync(void *priv)
{
}

static void *be_alloc_batch(void *priv)
{
	return malloc(TLBH_PAGE_SIZE);
}

static void be_free_batch(void *priv, void *batch)
{
	free(batch);
}

static tlbh_cpus_t be_mm_cpus(void *priv)
{
	return cur_state(priv)->mask;
}

static tlbh_cpus_t be_lazy_cpus(void *priv)
{
	const struct cpu_state *s = cur_state(priv);

	return s->lazy & s->mask;
}

/* 7.2: CPUs that left the mm stay in mm_cpumask; the kernel read both. */
static tlbh_cpus_t be_loaded_cpus(void *priv)
{
	const struct cpu_state *s = cur_state(priv);

	return s->loaded & s->mask;
}

static bool be_trim_cpumask(void *priv)
{
	return cur_state(priv)->trim;
}

static unsigned int be_this_cpu(void *priv)
{
	struct rec *r = priv;

	return r->kop ? r->kop->issuer : 0;
}

static void be_violation(void *priv, enum tlbh_violation kind,
			 unsigned long addr, const char *what)
{
	struct rec *r = priv;

	if (!r->muted)
		fprintf(r->out, "  # violation %s %lx %s\n",
			tlbh_violation_name(kind), addr, what);
}

static void be_flush_skip(void *priv, const char *why)
{
	struct rec *r = priv;

	if (r->muted || strcmp(why, "no-target"))
		return;
	/* The backend is not told what a flush without targets asked for. */
	emit_pending(r);
	fprintf(r->out, "  flush ? ft=? targets=-  # reason=no-target\n");
	r->nr_emitted++;
}

static const struct tlbh_backend_ops rec_ops = {
	.flush_range = be_flush,
	.flush_all = be_flush,
	.free_page = be_free_page,
	.free_table = be_free_table,
	.sync_table_free = be_sync,
	.alloc_batch = be_alloc_batch,
	.free_batch = be_free_batch,
	.mm_cpus = be_mm_cpus,
	.lazy_cpus = be_lazy_cpus,
	.loaded_cpus = be_loaded_cpus,
	.trim_cpumask = be_trim_cpumask,
	.this_cpu = be_this_cpu,
	.violation = be_violation,
	.flush_skip = be_flush_skip,
};

/* ------------------------------------------------------------------ */
/* Pre-state                                                            */

#define MAX_VMAS	256
#define MAX_RUNS	65536
#define MAX_IOVS	16

struct pvma {
	unsigned long start, end;
	char prot[8], type[32];
};

struct run {
	unsigned long addr, n;
	char flags[8];
};

struct pre {
	struct pvma vma[MAX_VMAS];
	int nr_vma;
	struct run *run;
	long nr_run;
	unsigned long iov[MAX_IOVS][2];
	int nr_iov;
	long rc;
	long vmpte_kb;		/* exit: the child's VmPTE, -1 unknown */
};

static bool vma_huge(const struct pvma *v)
{
	return !strcmp(v->type, "huge");
}

static struct tlbh_vma to_tlbh(const struct pvma *v)
{
	struct tlbh_vma t = { .start = v->start, .end = v->end };

	if (v->prot[2] == 'x')
		t.flags |= TLBH_VM_EXEC;
	if (vma_huge(v))
		t.flags |= TLBH_VM_HUGETLB;
	if (!strcmp(v->type, "pfn"))
		t.flags |= TLBH_VM_PFNMAP;
	return t;
}

static const struct pvma *vma_at(const struct pre *p, unsigned long addr)
{
	int i;

	for (i = 0; i < p->nr_vma; i++)
		if (p->vma[i].start <= addr && addr < p->vma[i].end)
			return &p->vma[i];
	return NULL;
}

/* VMAs overlapping [start, end), optionally clipped to it. */
static int vmas_in(const struct pre *p, unsigned long start, unsigned long end,
		   bool clip, struct tlbh_vma *out)
{
	int i, n = 0;

	for (i = 0; i < p->nr_vma; i++) {
		const struct pvma *v = &p->vma[i];

		if (v->end <= start || v->start >= end)
			continue;
		out[n] = to_tlbh(v);
		if (clip) {
			out[n].start = max(out[n].start, start);
			out[n].end = min(out[n].end, end);
		}
		n++;
	}
	return n;
}

/* The state log says soft-dirty ('d'): a page without it is write-protected. */
static bool soft_dirty_known;

/*
 * The traced kernel maps a dirty folio of a writable shared mapping with
 * a dirty entry on a read fault too (newer than 6.12): a file page
 * written once in this sequence comes back dirty.
 */
static bool read_fault_dirties;

/*
 * The traced kernel's mremap moves a whole PTE table when the source and
 * destination sit at the same offset in their 2 MiB and nothing else is
 * mapped below either start in it (6.12 and 7.2 do, 6.1 does not).
 */
static bool mremap_realigns;

/* Pages of the window's files written in this sequence (a set of addresses). */
#define WRITTEN_SLOTS	(1UL << 20)
static unsigned long *file_written;

static unsigned long *written_slot(unsigned long addr)
{
	unsigned long i = (addr >> TLBH_PAGE_SHIFT) * 0x9e3779b97f4a7c15UL >> 44;

	while (file_written[i & (WRITTEN_SLOTS - 1)] &&
	       file_written[i & (WRITTEN_SLOTS - 1)] != addr)
		i++;
	return &file_written[i & (WRITTEN_SLOTS - 1)];
}

static void note_file_written(unsigned long addr)
{
	*written_slot(addr) = addr;
}

static bool was_file_written(unsigned long addr)
{
	return *written_slot(addr) == addr;
}

/* Is [start, end) mapped throughout? */
static bool covered(const struct pre *p, unsigned long start, unsigned long end)
{
	const struct pvma *v;

	while (start < end) {
		v = vma_at(p, start);
		if (!v)
			return false;
		start = v->end;
	}
	return true;
}

static tlbh_pte_t want_pte(const struct pvma *v, const char *flags,
			   unsigned long zero_pfn, unsigned long pfn,
			   unsigned long addr)
{
	tlbh_pte_t bits = 0;

	if (!strcmp(v->type, "pfn") || strchr(flags, 'z'))
		bits |= TLBH_PTE_SPECIAL;
	if (strchr(flags, 'f'))
		bits |= TLBH_PTE_FILE;
	if (strchr(flags, 'w'))
		bits |= TLBH_PTE_DIRTY;
	if (read_fault_dirties && strchr(flags, 'f') && v->prot[1] == 'w' &&
	    v->prot[3] == 's' && was_file_written(addr))
		bits |= TLBH_PTE_DIRTY;
	/*
	 * Writable: a written page of a writable VMA; in a shared writable
	 * mapping without write notification (tmpfs) a read fault maps the
	 * page writable too.  A page that clear_refs 4 write-protected stays
	 * so until written again, which shows as soft-dirty (when the state
	 * log has the bit).
	 */
	if (v->prot[1] == 'w' && !strchr(flags, 'z') &&
	    (strchr(flags, 'w') || v->prot[3] == 's') &&
	    (!soft_dirty_known || strchr(flags, 'd')))
		bits |= TLBH_PTE_WRITE;
	if (strchr(flags, 'd'))
		bits |= TLBH_PTE_SOFT_DIRTY;
	if (strchr(flags, 'z'))
		pfn = zero_pfn;
	/* Just faulted in: accessed (the hardware walk sets the bit). */
	return tlbh_mk_pte(pfn, bits | TLBH_PTE_YOUNG);
}

#define BITS_MASK	((1ULL << TLBH_PTE_PFN_SHIFT) - 1)

static bool present_in_pre(const struct pre *p, unsigned long addr)
{
	long lo = 0, hi = p->nr_run - 1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;
		const struct run *r = &p->run[mid];
		unsigned long step = vma_at(p, r->addr) && vma_huge(vma_at(p, r->addr)) ?
				     TLBH_PMD_SIZE : TLBH_PAGE_SIZE;

		if (addr < r->addr)
			hi = mid - 1;
		else if (addr >= r->addr + r->n * step)
			lo = mid + 1;
		else
			return strchr(r->flags, 'p');
	}
	return false;
}

/*
 * Make the model's present pages those of the pre-state; tables stay as
 * the engine left them.  Pure model writes: the engine sees nothing.
 */
static void reconcile(struct oracle_pt *pt, const struct pre *p,
		      unsigned long zero_pfn)
{
	unsigned long i, j, a;
	tlbh_pte_t young_mask;
	long k;

	for (i = 0; i < pt->nr_tables; i++) {
		struct oracle_table *t = pt->tables[i];

		if (!t->hooked)
			continue;
		for (j = 0; j < ORACLE_PT_ENTRIES; j++) {
			if (t->level == 0 && t->e[j]) {
				a = t->base + j * TLBH_PAGE_SIZE;
				if (!present_in_pre(p, a))
					t->e[j] = 0;
			} else if (t->level == 1 && (t->e[j] & TLBH_PTE_HUGE)) {
				a = t->base + j * TLBH_PMD_SIZE;
				if (!present_in_pre(p, a))
					t->e[j] = 0;
			}
		}
	}
	/* Without pagemap's soft-dirty bit the model's stays as it is. */
	young_mask = TLBH_PTE_YOUNG | (soft_dirty_known ? 0 : TLBH_PTE_SOFT_DIRTY);
	for (k = 0; k < p->nr_run; k++) {
		const struct run *r = &p->run[k];
		const struct pvma *v = vma_at(p, r->addr);
		bool huge = v && vma_huge(v);
		unsigned long step = huge ? TLBH_PMD_SIZE : TLBH_PAGE_SIZE;

		if (!v || !strchr(r->flags, 'p'))
			continue;
		for (a = r->addr; a < r->addr + r->n * step; a += step) {
			int level = huge ? 1 : 0;
			tlbh_pte_t cur = oracle_pt_read_entry(pt, level, a), want;

			if (huge && !(cur & TLBH_PTE_HUGE))
				cur = 0;
			if (strchr(r->flags, 'f') && strchr(r->flags, 'w'))
				note_file_written(a);
			want = want_pte(v, r->flags, zero_pfn,
					cur ? tlbh_pte_pfn(cur) : oracle_pt_new_page(pt), a);
			if (huge)
				want |= TLBH_PTE_HUGE;
			/* The folio stays lazyfree while the page is mapped. */
			if (cur)
				want |= cur & TLBH_PTE_LAZYFREE;
			/*
			 * A page stays writable while its VMA is (MADV_FREE
			 * cleans a PTE but keeps it writable; user space
			 * cannot see the bit).
			 */
			if (cur && (cur & TLBH_PTE_WRITE) && v->prot[1] == 'w' &&
			    !strchr(r->flags, 'z') &&
			    (!soft_dirty_known || strchr(r->flags, 'd')))
				want |= TLBH_PTE_WRITE;
			/*
			 * Unchanged as far as user space can tell: the young
			 * bit stays as the model has it unless the workload
			 * touched the page since the last operation ('a').
			 */
			if (cur && (cur & BITS_MASK & ~young_mask) ==
				   (want & BITS_MASK & ~TLBH_PTE_YOUNG) &&
			    !strchr(r->flags, 'z') &&
			    ((cur & TLBH_PTE_YOUNG) || !strchr(r->flags, 'a')))
				continue;
			if (cur == want)
				continue;
			oracle_pt_write_entry(pt, level, a, want);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Driving the engine                                                   */

struct replay {
	struct tlbh_mm mm;
	struct oracle_pt pt;
	struct rec rec;
	struct tlbh_vm vm;
	const struct tlbh_policy *policy;
};

/*
 * free_pgtables' floor and ceiling for an unmap of [start, end) when @v
 * (@nr VMAs) is what the address space holds: the end of what stays
 * below, the start of what stays above (a split VMA stays up to @start
 * or from @end); 0 when nothing does.  Nothing else shares the window's
 * top-level entry, so the real neighbours beyond it decide nothing
 * inside it and 0 (nothing) stands for them.
 */
static void unmap_bounds(const struct tlbh_vma *v, int nr, unsigned long start,
			 unsigned long end, unsigned long *floor,
			 unsigned long *ceiling)
{
	int i;

	*floor = 0;
	*ceiling = 0;
	for (i = 0; i < nr; i++) {
		if (v[i].start < start)
			*floor = max(*floor, min(v[i].end, start));
		if (v[i].end > end && (!*ceiling || max(v[i].start, end) < *ceiling))
			*ceiling = max(v[i].start, end);
	}
}

static int all_vmas(const struct pre *p, struct tlbh_vma *out)
{
	int i;

	for (i = 0; i < p->nr_vma; i++)
		out[i] = to_tlbh(&p->vma[i]);
	return p->nr_vma;
}

/* munmap of [start, end) when @all is the address space. */
static void unmap_in(struct replay *rp, const struct tlbh_vma *all, int nr,
		     unsigned long start, unsigned long end)
{
	static struct tlbh_vma v[MAX_VMAS];
	unsigned long floor, ceiling;
	int i, n = 0;

	for (i = 0; i < nr; i++) {
		if (all[i].end <= start || all[i].start >= end)
			continue;
		v[n] = all[i];
		v[n].start = max(v[n].start, start);
		v[n].end = min(v[n].end, end);
		n++;
	}
	if (!n)
		return;
	unmap_bounds(all, nr, start, end, &floor, &ceiling);
	tlbh_op_munmap(&rp->vm, v, n, start, end, floor, ceiling);
}

static void replay_init(struct replay *rp, const struct tlbh_policy *policy,
			FILE *out)
{
	oracle_pt_init(&rp->pt);
	memset(&rp->rec, 0, sizeof(rp->rec));
	rp->rec.out = out;
	rp->rec.pt = &rp->pt;
	rp->policy = policy;
	tlbh_mm_init(&rp->mm, policy, NULL, &rec_ops, &rp->rec);
	rp->vm.engine = &rp->mm;
	rp->vm.pt_ops = &oracle_pt_ops;
	rp->vm.pt = &rp->pt;
}

static void replay_fini(struct replay *rp)
{
	oracle_pt_destroy(&rp->pt);
}

static unsigned long pmd_next(unsigned long a)
{
	return (a + TLBH_PMD_SIZE) & ~(TLBH_PMD_SIZE - 1);
}

static long hooked_tables(struct oracle_pt *pt)
{
	unsigned long n[3];

	oracle_pt_count_hooked(pt, n);
	return n[0] + n[1] + n[2];
}

/*
 * Exit: the child's VmPTE (PTE, PMD and PUD tables) against the model
 * built from its pagemap.  The tables the kernel counts and the model
 * lacks hold no present entry: fork copied them empty from the parent
 * (copy_page_range allocates a PTE table, and the PMD table above it,
 * for every PTE table of an anonymous or PFN VMA), or the child zapped
 * them empty.  First the parent's model gives them: its PTE tables in
 * the child's anonymous and PFN VMAs, with the tables above them; the
 * rest go where a PMD table exists and no PTE table does yet, so that
 * exit frees what the kernel frees.  Pure model writes (muted): the
 * engine sees nothing.
 */
static void add_empty_tables(struct replay *rp, struct replay *parent,
			     const struct pre *p)
{
	unsigned long a;
	long have, want, from_parent = 0, added = 0;
	int i;

	if (p->vmpte_kb < 0)
		return;
	have = hooked_tables(&rp->pt);
	want = p->vmpte_kb / (TLBH_PAGE_SIZE / 1024);
	for (i = 0; i < p->nr_vma && have + from_parent < want; i++) {
		const struct pvma *v = &p->vma[i];

		if (strcmp(v->type, "anon") && strcmp(v->type, "pfn"))
			continue;
		for (a = v->start; a < v->end && have + from_parent < want;
		     a = pmd_next(a)) {
			if (!(oracle_pt_read_entry(&parent->pt, 1, a) & TLBH_PTE_TABLE) ||
			    oracle_pt_read_entry(&rp->pt, 1, a))
				continue;
			oracle_pt_write_entry(&rp->pt, 0, a,
					      tlbh_mk_pte(ORACLE_PAGE_PFN0, 0));
			oracle_pt_write_entry(&rp->pt, 0, a, 0);
			from_parent = hooked_tables(&rp->pt) - have;
		}
	}
	have += from_parent;
	for (i = 0; i < p->nr_vma && have + added < want; i++) {
		const struct pvma *v = &p->vma[i];

		if (vma_huge(v))
			continue;
		for (a = v->start; a < v->end && have + added < want;
		     a = pmd_next(a)) {
			if (!(oracle_pt_read_entry(&rp->pt, 2, a) & TLBH_PTE_TABLE) ||
			    oracle_pt_read_entry(&rp->pt, 1, a))
				continue;
			oracle_pt_write_entry(&rp->pt, 0, a,
					      tlbh_mk_pte(ORACLE_PAGE_PFN0, 0));
			oracle_pt_write_entry(&rp->pt, 0, a, 0);
			added++;
		}
	}
	fprintf(rp->rec.out,
		"  # vmpte: the kernel has %ld tables, pagemap shows %ld, %ld copied empty from the parent, %ld empty PTE tables added%s\n",
		want, have - from_parent, from_parent, added,
		have + added < want ? ", no room for the rest" : "");
}

static int vma_cmp(const void *a, const void *b)
{
	const struct tlbh_vma *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Take [start, end) out of the VMA list @v (@n entries, room for one more). */
static void cut_range(struct tlbh_vma *v, int *n, unsigned long start,
		      unsigned long end)
{
	static struct tlbh_vma out[MAX_VMAS + 2];
	int i, k = 0;

	for (i = 0; i < *n && k < MAX_VMAS + 1; i++) {
		if (v[i].end <= start || v[i].start >= end) {
			out[k++] = v[i];
			continue;
		}
		if (v[i].start < start) {
			out[k] = v[i];
			out[k++].end = start;
		}
		if (v[i].end > end) {
			out[k] = v[i];
			out[k++].start = end;
		}
	}
	memcpy(v, out, k * sizeof(*v));
	*n = k;
}

static bool any_vma_in(const struct tlbh_vma *v, int n, unsigned long start,
		       unsigned long end)
{
	int i;

	for (i = 0; i < n; i++)
		if (v[i].start < end && v[i].end > start)
			return true;
	return false;
}

/*
 * mremap(MREMAP_MAYMOVE | MREMAP_FIXED): what is mapped at the
 * destination goes first; then every VMA of the source range in turn
 * (one on 6.x, where a range over several is refused; each of them on
 * 7.2) has its page tables moved and its old range unmapped, with the
 * moved VMA already in place at the destination.
 */
static void do_mremap(struct replay *rp, const struct pre *p, unsigned long old,
		      unsigned long len, unsigned long new)
{
	static struct tlbh_vma cur[MAX_VMAS + 2], src[MAX_VMAS];
	unsigned long o, n, extent, vs, ve, ns;
	int i, nr, nsrc;

	if (!vma_at(p, old) || p->rc)
		return;
	nr = all_vmas(p, cur);
	nsrc = vmas_in(p, old, old + len, true, src);
	unmap_in(rp, cur, nr, new, new + len);
	cut_range(cur, &nr, new, new + len);
	for (i = 0; i < nsrc; i++) {
		vs = src[i].start;
		ve = src[i].end;
		ns = new + (vs - old);
		o = vs;
		n = ns;
		if (mremap_realigns && (vs & (TLBH_PMD_SIZE - 1)) &&
		    !((vs ^ ns) & (TLBH_PMD_SIZE - 1)) &&
		    ve >= pmd_next(vs) &&
		    !any_vma_in(cur, nr, vs & ~(TLBH_PMD_SIZE - 1), vs) &&
		    !any_vma_in(cur, nr, ns & ~(TLBH_PMD_SIZE - 1), ns)) {
			o = vs & ~(TLBH_PMD_SIZE - 1);
			n = ns & ~(TLBH_PMD_SIZE - 1);
		}
		for (; o < ve; o += extent, n += extent) {
			extent = min(pmd_next(o) - o, ve - o);
			extent = min(extent, pmd_next(n) - n);
			if (extent == TLBH_PMD_SIZE &&
			    (oracle_pt_read_entry(&rp->pt, 1, o) & TLBH_PTE_TABLE) &&
			    !oracle_pt_read_entry(&rp->pt, 1, n) &&
			    !tlbh_op_move_pmd(&rp->vm, &src[i], o, n))
				continue;
			if (!(oracle_pt_read_entry(&rp->pt, 1, o) & TLBH_PTE_TABLE))
				continue;
			/*
			 * move_page_tables allocates the destination's tables
			 * (alloc_new_pmd, pte_alloc) for every source PTE table,
			 * whether or not an entry moves: a model write.
			 */
			if (!oracle_pt_read_entry(&rp->pt, 1, n)) {
				oracle_pt_write_entry(&rp->pt, 0, n,
						      tlbh_mk_pte(ORACLE_PAGE_PFN0, 0));
				oracle_pt_write_entry(&rp->pt, 0, n, 0);
			}
			tlbh_op_move_ptes(&rp->vm, &src[i], o, n, extent);
		}
		if (nr < MAX_VMAS) {
			cur[nr] = src[i];
			cur[nr].start = ns;
			cur[nr++].end = ns + (ve - vs);
			qsort(cur, nr, sizeof(*cur), vma_cmp);
		}
		unmap_in(rp, cur, nr, vs, ve);
		cut_range(cur, &nr, vs, ve);
	}
}

/* MADV_PAGEOUT: the engine's driver, reclaim's own frees not compared. */
static void do_pageout(struct replay *rp, const struct pre *p,
		       unsigned long start, unsigned long end)
{
	static struct tlbh_vma v[MAX_VMAS];
	static struct tlbh_reclaim r;
	int n;

	memset(&r, 0, sizeof(r));
	n = vmas_in(p, start, end, false, v);
	/* What reclaim frees goes back through other paths on both sides. */
	rp->rec.muted_pages = 1;
	if (n)
		tlbh_op_pageout(&rp->vm, &r, v, n, start, end);
	rp->rec.muted_pages = 0;
}

/* clear_refs 1-3: the young bits of all, anonymous or file pages go. */
static void age_pages(struct replay *rp, const struct pre *p, int type)
{
	const struct pvma *v;
	unsigned long a;
	tlbh_pte_t pte;
	int i;

	for (i = 0; i < p->nr_vma; i++) {
		v = &p->vma[i];
		if (vma_huge(v) || !strcmp(v->type, "pfn"))
			continue;
		for (a = v->start; a < v->end; a += TLBH_PAGE_SIZE) {
			pte = oracle_pt_read_entry(&rp->pt, 0, a);
			if (!(pte & TLBH_PTE_YOUNG) ||
			    (type == 2 && (pte & TLBH_PTE_FILE)) ||
			    (type == 3 && !(pte & TLBH_PTE_FILE)))
				continue;
			oracle_pt_write_entry(&rp->pt, 0, a, pte & ~TLBH_PTE_YOUNG);
		}
	}
}

static void run_op(struct replay *rp, const struct pre *p, const char *kind,
		   char **arg, int nargs)
{
	static struct tlbh_vma v[MAX_VMAS];
	unsigned long s = nargs > 0 ? strtoul(arg[0], NULL, 16) : 0;
	unsigned long e = nargs > 1 ? strtoul(arg[1], NULL, 16) : 0;
	int n, i;

	/* Refused before doing anything: nothing to replay. */
	if (p->rc == -ORACLE_EINVAL || p->rc == -ORACLE_EPERM ||
	    p->rc == -ORACLE_EBADF || p->rc == -ORACLE_ESRCH ||
	    p->rc == -ORACLE_EFAULT)
		return;
	if (!strcmp(kind, "munmap")) {
		n = all_vmas(p, v);
		unmap_in(rp, v, n, s, e);
	} else if (!strcmp(kind, "dontneed")) {
		n = vmas_in(p, s, e, false, v);
		if (n)
			tlbh_op_zap(&rp->vm, v, n, s, e);
	} else if (!strcmp(kind, "pmadv") && nargs > 0 && !strcmp(arg[0], "dontneed")) {
		struct tlbh_op op;

		for (i = 0; i < p->nr_iov; i++) {
			n = vmas_in(p, p->iov[i][0], p->iov[i][1], false, v);
			if (!i)
				tlbh_op_zap_begin(&op, &rp->vm, v, n, p->iov[i][0],
						  p->iov[i][1]);
			else
				tlbh_op_zap_more(&op, v, n, p->iov[i][0], p->iov[i][1]);
			/*
			 * A range with a hole is zapped where mapped and fails
			 * with ENOMEM; process_madvise stops there.
			 */
			if (!covered(p, p->iov[i][0], p->iov[i][1]))
				break;
		}
		if (p->nr_iov)
			tlbh_op_zap_end(&op);
	} else if (!strcmp(kind, "free")) {
		n = vmas_in(p, s, e, false, v);
		if (n)
			tlbh_op_madv_free(&rp->vm, v, n, s, e);
	} else if (!strcmp(kind, "pageout")) {
		do_pageout(rp, p, s, e);
	} else if (!strcmp(kind, "mprotect")) {
		bool rw = nargs > 2 && !strcmp(arg[2], "rw");

		unsigned long next = s;

		/*
		 * hugetlb_change_protection is not the engine's, and
		 * mprotect_fixup leaves a VMA whose flags stay the same
		 * alone (no page-table walk, nothing to flush).  The VMAs
		 * are taken in order up to the first hole, where mprotect
		 * stops with ENOMEM (at once if the range starts in one).
		 */
		for (i = n = 0; i < p->nr_vma; i++) {
			if (p->vma[i].end <= s || p->vma[i].start >= e)
				continue;
			if (p->vma[i].start > next)
				break;
			next = p->vma[i].end;
			if (!vma_huge(&p->vma[i]) &&
			    (p->vma[i].prot[1] == 'w') != rw)
				v[n++] = to_tlbh(&p->vma[i]);
		}
		if (n)
			tlbh_op_mprotect(&rp->vm, v, n, s, e, rw);
	} else if (!strcmp(kind, "mremap") && nargs > 2) {
		do_mremap(rp, p, s, e, strtoul(arg[2], NULL, 16));
	} else if (!strcmp(kind, "clear-refs")) {
		if (s == 4) {
			for (i = n = 0; i < p->nr_vma; i++)
				v[n++] = to_tlbh(&p->vma[i]);
			tlbh_op_clear_refs(&rp->vm, v, n);
		} else if (s >= 1 && s <= 3) {
			/* young bits cleared, no flush */
			age_pages(rp, p, s);
		}
	} else if (!strcmp(kind, "exit")) {
		for (i = n = 0; i < p->nr_vma; i++)
			v[n++] = to_tlbh(&p->vma[i]);
		tlbh_op_exit(&rp->vm, v, n);
	} else {
		fprintf(rp->rec.out, "  # unknown operation %s\n", kind);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: replay -s STATE -k KERNEL.LOG [-R RELEASE] [-p POLICY] [-o OUT]\n"
		"       replay -L    (the release -> policy table)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *state = NULL, *klog = NULL, *release = NULL, *pname = NULL;
	const struct tlbh_policy *policy;
	static struct pre pre;
	struct replay rp, child;
	FILE *in, *out = stdout;
	char line[4096], op_line[4096] = "";
	unsigned long zero_pfn = 0;
	bool in_op = false;
	long id = 0;
	int opt;

	while ((opt = getopt(argc, argv, "s:k:R:p:o:L")) != -1) {
		switch (opt) {
		case 's': state = optarg; break;
		case 'k': klog = optarg; break;
		case 'R': release = optarg; break;
		case 'p': pname = optarg; break;
		case 'o':
			out = fopen(optarg, "w");
			if (!out) {
				perror(optarg);
				return 2;
			}
			break;
		case 'L': {
			unsigned int i;

			for (i = 0; i < sizeof(release_policies) / sizeof(release_policies[0]); i++) {
				policy = policy_for(release_policies[i].release);
				printf("%s %s\n", release_policies[i].release,
				       policy ? policy->name : "-");
			}
			return 0;
		}
		default:
			usage();
		}
	}
	if (!state || !klog)
		usage();
	pre.run = calloc(MAX_RUNS, sizeof(*pre.run));
	file_written = calloc(WRITTEN_SLOTS, sizeof(*file_written));
	read_kernel_log(klog);
	in = fopen(state, "r");
	if (!in) {
		perror(state);
		return 2;
	}
	/* The release comes from the state log unless given. */
	policy = pname ? tlbh_policy_find(pname) : NULL;
	if (pname && !policy) {
		fprintf(stderr, "replay: no policy %s\n", pname);
		return 2;
	}
	replay_init(&rp, policy ? policy : tlbh_policy_default(), out);
	while (fgets(line, sizeof(line), in)) {
		char *tok[16], *save = NULL, copy[4096];
		int nt = 0;

		line[strcspn(line, "\n")] = 0;
		strcpy(copy, line);
		for (char *t = strtok_r(copy, " ", &save); t && nt < 16;
		     t = strtok_r(NULL, " ", &save))
			tok[nt++] = t;
		if (!nt)
			continue;
		if (!strcmp(tok[0], "kernel") && nt > 1 && !pname) {
			char rel[32];
			int maj = 0, min = 0;

			sscanf(tok[1], "%d.%d", &maj, &min);
			snprintf(rel, sizeof(rel), "%d.%d", maj, min);
			read_fault_dirties = maj > 6 || (maj == 6 && min > 12);
			mremap_realigns = maj > 6 || (maj == 6 && min >= 12);
			policy = policy_for(release ? release : rel);
			if (!policy) {
				fprintf(stderr, "replay: no policy for release %s\n",
					release ? release : rel);
				return 2;
			}
			replay_fini(&rp);
			replay_init(&rp, policy, out);
			fprintf(out, "# replay policy %s for %s\n", policy->name,
				release ? release : rel);
		} else if (!strcmp(tok[0], "softdirty") && nt > 1) {
			soft_dirty_known = strtol(tok[1], NULL, 10);
		} else if (!strcmp(tok[0], "zero_pfn") && nt > 1) {
			zero_pfn = strtoul(tok[1], NULL, 16);
		} else if (!strcmp(tok[0], "seq")) {
			/* A new sequence starts from an empty window. */
			memset(file_written, 0, WRITTEN_SLOTS * sizeof(*file_written));
			replay_fini(&rp);
			replay_init(&rp, rp.policy, out);
		} else if (!strcmp(tok[0], "op") && nt > 1) {
			id = strtol(tok[1], NULL, 10);
			strcpy(op_line, line);
			pre.nr_vma = 0;
			pre.nr_run = 0;
			pre.nr_iov = 0;
			pre.rc = 0;
			pre.vmpte_kb = -1;
			in_op = true;
		} else if (in_op && !strcmp(tok[0], "vma") && nt >= 5 &&
			   pre.nr_vma < MAX_VMAS) {
			struct pvma *v = &pre.vma[pre.nr_vma++];

			v->start = strtoul(tok[1], NULL, 16);
			v->end = strtoul(tok[2], NULL, 16);
			snprintf(v->prot, sizeof(v->prot), "%s", tok[3]);
			snprintf(v->type, sizeof(v->type), "%s", tok[4]);
		} else if (in_op && !strcmp(tok[0], "pte") && nt >= 4 &&
			   pre.nr_run < MAX_RUNS) {
			struct run *r = &pre.run[pre.nr_run++];

			r->addr = strtoul(tok[1], NULL, 16);
			r->n = strtoul(tok[2], NULL, 10);
			snprintf(r->flags, sizeof(r->flags), "%s", tok[3]);
		} else if (in_op && !strcmp(tok[0], "iov") && nt >= 3 &&
			   pre.nr_iov < MAX_IOVS) {
			pre.iov[pre.nr_iov][0] = strtoul(tok[1], NULL, 16);
			pre.iov[pre.nr_iov][1] = strtoul(tok[2], NULL, 16);
			pre.nr_iov++;
		} else if (in_op && !strcmp(tok[0], "vmpte") && nt >= 2) {
			pre.vmpte_kb = strtol(tok[1], NULL, 10);
		} else if (in_op && !strcmp(tok[0], "res") && nt >= 3) {
			pre.rc = strtol(tok[2], NULL, 10);
		} else if (in_op && !strcmp(tok[0], "end")) {
			/* op ID GROUP CASE KIND ARGS... */
			char *ot[16], ocopy[4096], *osave = NULL;
			int no = 0;
			struct replay *r = &rp;

			strcpy(ocopy, op_line);
			for (char *t = strtok_r(ocopy, " ", &osave); t && no < 16;
			     t = strtok_r(NULL, " ", &osave))
				ot[no++] = t;
			in_op = false;
			if (no < 5)
				continue;
			fprintf(out, "%s\n", op_line);
			if (!strcmp(ot[4], "exit")) {
				/*
				 * The child's own mm, built from its pre-state.
				 * fork copies the mm_struct whole (dup_mm), and
				 * tlb_flush_batched with it: a reclaim flush the
				 * parent still owes, the child owes too.
				 */
				replay_init(&child, rp.policy, out);
				atomic_set(&child.mm.batched_pending,
					   atomic_read(&rp.mm.batched_pending));
				atomic_set(&child.mm.batched_flushed,
					   atomic_read(&rp.mm.batched_flushed));
				r = &child;
			}
			r->rec.kop = kop_find(id);
			r->rec.nr_emitted = 0;
			r->rec.muted = 1;
			reconcile(&r->pt, &pre, zero_pfn);
			if (r == &child)
				add_empty_tables(r, &rp, &pre);
			r->rec.muted = 0;
			run_op(r, &pre, ot[4], ot + 5, no - 5);
			emit_pending(&r->rec);
			fprintf(out, "end %ld\n", id);
			if (r == &child)
				replay_fini(&child);
		}
	}
	fclose(in);
	if (out != stdout)
		fclose(out);
	return 0;
}
