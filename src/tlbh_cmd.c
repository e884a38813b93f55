// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_cmd.c - the bodies of the commands.
 *
 * Each command of tlbh_ioctls[] (tlbh_ioctl.c) has up to three parts
 * here: tlbh_check_*() validates what the prologue could not (ranges,
 * flags, enum values) and copies embedded user arrays in, before any
 * lock is taken; tlbh_cmd_*() runs it with the space entered; done
 * parts copy embedded output arrays out and free.  Reserved words, the
 * zeroing of outputs, the space lookup, locking and errno mapping are
 * the prologue's, so nothing here repeats them.
 *
 * A command that fails changes nothing: every state check comes before
 * the first change, and the two commands that allocate pages (POPULATE,
 * REMAP) allocate them all before mapping any.
 */
#include <linux/cpumask.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <uapi/linux/tlbh.h>

#include "tlbh.h"
#include "tlbh_policy.h"
#include "tlbh_space.h"
#include "tlbh_trace.h"

/* A page-aligned, non-empty range inside the data area. */
static bool tlbh_range_ok(struct tlbh_space *sp, u64 off, u64 len)
{
	return len && !(off & ~PAGE_MASK) && !(len & ~PAGE_MASK) &&
	       off < sp->data_size && len <= sp->data_size - off;
}

/* The VMA was unlinked by a held UNMAP: lookups no longer find it. */
static bool tlbh_vma_unlinked(struct tlbh_space *sp, struct tlbh_vma *v)
{
	struct tlbh_op *op = &sp->held_op;

	return sp->held == TLBH_HELD_UNMAP && v >= op->vmas &&
	       v < op->vmas + op->nr_vmas;
}

/*
 * The harness VMAs that meet start..end, as the first one and a count of
 * consecutive ones.  VMAs a held UNMAP has unlinked are not found, as
 * unmap_mapping_range no longer finds a VMA that munmap has unlinked; a
 * lookup stops at the first one of them.
 */
static unsigned int tlbh_vmas_in(struct tlbh_space *sp, unsigned long start,
				 unsigned long end, struct tlbh_vma **first)
{
	unsigned int i, n = 0;

	*first = NULL;
	for (i = 0; i < sp->nr_vmas; i++) {
		if (sp->vmas[i].end <= start || sp->vmas[i].start >= end)
			continue;
		if (tlbh_vma_unlinked(sp, &sp->vmas[i])) {
			if (n)
				break;
			continue;
		}
		if (!*first)
			*first = &sp->vmas[i];
		n++;
	}
	return n;
}

static void tlbh_maybe_drain(struct tlbh_space *sp)
{
	if (sp->nr_quarantined > tlbh_max_quarantine)
		tlbh_pool_drain(sp);
}

/* A second TLBH_HOLD while one operation is held is -EBUSY. */
static int tlbh_hold_ok(struct tlbh_space *sp, u64 flags)
{
	return (flags & TLBH_HOLD) && sp->held ? -EBUSY : 0;
}

int tlbh_done_free(struct tlbh_call *c, int ret)
{
	kvfree(c->buf);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Module and policy information                                       */

int tlbh_cmd_version(struct tlbh_call *c)
{
	struct tlbh_version *v = c->arg;

	v->abi_version = TLBH_ABI_VERSION;
	v->features = TLBH_FEAT_ALL;
	return 0;
}

int tlbh_cmd_pool(struct tlbh_call *c)
{
	struct tlbh_pool *p = c->arg;

	p->pool_pages = tlbh_pool_pages();
	p->spaces = tlbh_nr_spaces();
	p->max_pool_pages = tlbh_max_pool_pages;
	return 0;
}

int tlbh_cmd_policy_info(struct tlbh_call *c)
{
	struct tlbh_policy_info *pi = c->arg;
	const struct tlbh_policy *pol;

	pi->nr_policies = tlbh_nr_policies;
	if (!pi->policy || pi->policy > tlbh_nr_policies)
		return -EINVAL;
	pol = &tlbh_policies[pi->policy - 1];
	pi->is_buggy = pol->is_buggy;
	pi->rules = pol->rules;
	strscpy((char *)pi->name, pol->name, sizeof(pi->name));
	return 0;
}

int tlbh_cmd_rule_info(struct tlbh_call *c)
{
	struct tlbh_rule_info *ri = c->arg;
	const struct tlbh_rule *rule;

	if (ri->bit > 63)
		return -EINVAL;
	if (ri->bit >= tlbh_nr_rules)
		return -ENOENT;
	rule = &tlbh_rules[ri->bit];
	strscpy((char *)ri->name, rule->name, sizeof(ri->name));
	strscpy((char *)ri->doc, rule->doc, sizeof(ri->doc));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Space set-up                                                         */

int tlbh_cmd_space_info(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_space_info *si = c->arg;

	si->base = sp->base;
	si->size = sp->size;
	si->data_size = sp->data_size;
	si->space_id = sp->id;
	si->policy = sp->policy_base - tlbh_policies + 1;
	si->nr_policies = tlbh_nr_policies;
	si->pages = sp->nr_pages;
	si->quarantined = sp->nr_quarantined;
	si->tables = tlbh_pt_count_tables(sp, false);
	si->parked = tlbh_pt_count_tables(sp, true);
	si->rules = sp->policy.rules;
	return 0;
}

int tlbh_check_set_policy(struct tlbh_call *c)
{
	struct tlbh_policy_arg *p = c->arg;

	if (!p->policy || p->policy > tlbh_nr_policies ||
	    ((p->add | p->drop) & ~TLBH_RULES_KNOWN))
		return -EINVAL;
	return 0;
}

int tlbh_cmd_set_policy(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_policy_arg *p = c->arg;
	const struct tlbh_policy *base = &tlbh_policies[p->policy - 1];

	if (sp->reclaim.nr || sp->reclaim.batch.flush_required || sp->held)
		return -EBUSY;
	sp->policy_base = base;
	sp->policy = *base;
	sp->policy.rules = (base->rules | p->add) & ~p->drop;
	p->is_buggy = base->is_buggy;
	p->rules = sp->policy.rules;
	return 0;
}

int tlbh_check_set_vmas(struct tlbh_call *c)
{
	struct tlbh_set_vmas *sv = c->arg;
	struct tlbh_vma_desc *d;
	u64 prev_end = 0;
	unsigned int i;

	if (!sv->nr)
		return -EINVAL;
	if (sv->nr > TLBH_MAX_VMAS)
		return -E2BIG;
	d = vmemdup_user(u64_to_user_ptr(sv->vmas), sv->nr * sizeof(*d));
	if (IS_ERR(d))
		return PTR_ERR(d);
	for (i = 0; i < sv->nr; i++) {
		if (d[i].reserved || (d[i].flags & ~TLBH_VMA_ALL) ||
		    !tlbh_range_ok(c->sp, d[i].offset, d[i].length) ||
		    d[i].offset < prev_end) {
			kvfree(d);
			return -EINVAL;
		}
		prev_end = d[i].offset + d[i].length;
	}
	c->buf = d;
	return 0;
}

static unsigned long tlbh_vm_flags(u64 f)
{
	return ((f & TLBH_VMA_EXEC) ? TLBH_VM_EXEC : 0) |
	       ((f & TLBH_VMA_HUGE) ? TLBH_VM_HUGETLB : 0) |
	       ((f & TLBH_VMA_PFNMAP) ? TLBH_VM_PFNMAP : 0) |
	       ((f & TLBH_VMA_MIXEDMAP) ? TLBH_VM_MIXEDMAP : 0);
}

int tlbh_cmd_set_vmas(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_set_vmas *sv = c->arg;
	struct tlbh_vma_desc *d = c->buf;
	unsigned int i;

	if (sp->held || (tlbh_pt_count_tables(sp, false) &&
			 sp->nr_pages != sp->nr_quarantined))
		return -EBUSY;
	for (i = 0; i < sv->nr; i++) {
		struct tlbh_vma *v = &sp->vmas[i];

		v->start = sp->base + d[i].offset;
		v->end = v->start + d[i].length;
		v->flags = tlbh_vm_flags(d[i].flags);
		v->luf_deferred = false;
	}
	sp->nr_vmas = sv->nr;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Range commands                                                       */

int tlbh_check_range(struct tlbh_call *c)
{
	struct tlbh_range *r = c->arg;

	return tlbh_range_ok(c->sp, r->offset, r->length) ? 0 : -EINVAL;
}

/* Commands on the whole space: offset and length must be 0. */
int tlbh_check_whole(struct tlbh_call *c)
{
	struct tlbh_range *r = c->arg;

	return r->offset || r->length ? -EINVAL : 0;
}

int tlbh_cmd_populate(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;

	return tlbh_pt_populate(sp, sp->base + r->offset, r->length,
				r->flags & TLBH_MAP_WRITE, &r->out);
}

int tlbh_cmd_remap(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;
	unsigned long start = sp->base + r->offset;
	int ret;

	ret = tlbh_pt_remap(sp, start, r->length, &r->out);
	if (ret)
		return ret;
	if (r->flags & TLBH_REMAP_FLUSH)
		tlbh_flush_tlb_range(&sp->engine, start, start + r->length,
				     TLBH_PAGE_SHIFT, false, "remap");
	tlbh_maybe_drain(sp);
	return 0;
}

/* FLUSH: a range, or with TLBH_FLUSH_MM offset and length 0. */
int tlbh_check_flush(struct tlbh_call *c)
{
	struct tlbh_range *r = c->arg;

	if (r->flags & TLBH_FLUSH_MM)
		return r->offset || r->length ? -EINVAL : 0;
	return tlbh_range_ok(c->sp, r->offset, r->length) ? 0 : -EINVAL;
}

int tlbh_cmd_flush(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;
	unsigned long start = sp->base + r->offset;

	if (r->flags & TLBH_FLUSH_MM)
		tlbh_flush_tlb_mm(&sp->engine, "ioctl");
	else
		tlbh_flush_tlb_range(&sp->engine, start, start + r->length,
				     TLBH_PAGE_SHIFT, false, "ioctl");
	return 0;
}

/*
 * One zap in its own gather (madvise, unmap_mapping_range).  With
 * TLBH_HOLD the gather stays open in the space until TLBH_IOC_RESUME.
 */
static int tlbh_do_zap(struct tlbh_space *sp, u64 off, u64 len, u64 flags,
		       u64 *held)
{
	unsigned long start = sp->base + off;
	struct tlbh_vma *first;
	unsigned int n = tlbh_vmas_in(sp, start, start + len, &first);
	struct tlbh_op op;
	int ret;

	if (!n)
		return 0;
	if (flags & TLBH_HOLD) {
		ret = tlbh_op_zap_begin(&sp->held_op, &sp->vm, first, n,
					start, start + len);
		if (!ret) {
			sp->held = TLBH_HELD_ZAP;
			*held = 1;
		}
	} else {
		ret = tlbh_op_zap_begin(&op, &sp->vm, first, n, start,
					start + len);
		if (!ret)
			tlbh_op_zap_end(&op);
	}
	tlbh_maybe_drain(sp);
	return ret;
}

int tlbh_cmd_zap(struct tlbh_call *c)
{
	struct tlbh_range *r = c->arg;
	int ret = tlbh_hold_ok(c->sp, r->flags);

	return ret ? ret : tlbh_do_zap(c->sp, r->offset, r->length, r->flags,
				       &r->out);
}

int tlbh_check_zap_batch(struct tlbh_call *c)
{
	struct tlbh_range_batch *b = c->arg;
	struct tlbh_range *r;
	unsigned int i;

	if (!b->nr)
		return -EINVAL;
	if (b->nr > TLBH_MAX_BATCH)
		return -E2BIG;
	r = vmemdup_user(u64_to_user_ptr(b->ranges), b->nr * sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	for (i = 0; i < b->nr; i++) {
		if (r[i].flags || r[i].out ||
		    memchr_inv(r[i].reserved, 0, sizeof(r[i].reserved)) ||
		    !tlbh_range_ok(c->sp, r[i].offset, r[i].length)) {
			kvfree(r);
			return -EINVAL;
		}
	}
	c->buf = r;
	return 0;
}

/*
 * process_madvise(MADV_DONTNEED): every range in one gather, one final
 * flush (zap_page_range_single_batched).  A range that meets a hugetlb
 * VMA ends the batch so far and is zapped alone, with the hugetlb VMA
 * lock; a new batch starts after it.  When that lock is held (a held
 * hugetlb zap) nothing is zapped: -EBUSY.
 */
int tlbh_cmd_zap_batch(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range_batch *b = c->arg;
	const struct tlbh_range *r = c->buf;
	unsigned long start, end;
	struct tlbh_vma *first;
	struct tlbh_op op;
	unsigned int i, n;

	for (i = 0; i < b->nr; i++) {
		start = sp->base + r[i].offset;
		n = tlbh_vmas_in(sp, start, start + r[i].length, &first);
		if (n && tlbh_vmas_hugetlb(first, n) &&
		    test_bit(TLBH_LOCK_HUGETLB_VMA, &sp->locks))
			return -EBUSY;
	}
	tlbh_op_zap_begin(&op, &sp->vm, NULL, 0, 0, 0);
	for (i = 0; i < b->nr; i++) {
		start = sp->base + r[i].offset;
		end = start + r[i].length;
		n = tlbh_vmas_in(sp, start, end, &first);
		if (n && tlbh_vmas_hugetlb(first, n)) {
			tlbh_op_zap_end(&op);
			tlbh_do_zap(sp, r[i].offset, r[i].length, 0, NULL);
			tlbh_op_zap_begin(&op, &sp->vm, NULL, 0, 0, 0);
		} else if (n) {
			tlbh_op_zap_more(&op, first, n, start, end);
		}
		b->out++;
	}
	tlbh_op_zap_end(&op);
	tlbh_maybe_drain(sp);
	return 0;
}

int tlbh_cmd_unmap(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;
	unsigned long start = sp->base + r->offset, floor, ceiling;
	struct tlbh_vma *first;
	struct tlbh_op op;
	unsigned int n;
	int ret = tlbh_hold_ok(sp, r->flags);

	if (ret)
		return ret;
	n = tlbh_vmas_in(sp, start, start + r->length, &first);
	if (!n)
		goto out;
	/* Page tables of the park area, above the data, are never freed. */
	tlbh_op_unmap_bounds(sp->vmas, sp->nr_vmas, first - sp->vmas, n,
			     start, start + r->length, sp->base,
			     sp->base + sp->data_size, &floor, &ceiling);
	if (r->flags & TLBH_HOLD) {
		tlbh_op_munmap_begin(&sp->held_op, &sp->vm, first, n,
				     start, start + r->length, floor, ceiling);
		sp->held = TLBH_HELD_UNMAP;
		r->out = 1;
	} else {
		tlbh_op_munmap_begin(&op, &sp->vm, first, n, start,
				     start + r->length, floor, ceiling);
		tlbh_op_munmap_end(&op);
	}
out:
	tlbh_maybe_drain(sp);
	return 0;
}

int tlbh_cmd_mprotect(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;
	unsigned long start = sp->base + r->offset, end = start + r->length;
	struct tlbh_vma *first;
	unsigned int n = tlbh_vmas_in(sp, start, end, &first);

	if (n)
		tlbh_op_mprotect(&sp->vm, first, n, start, end,
				 r->flags & TLBH_PROT_WRITE);
	return 0;
}

int tlbh_cmd_drain(struct tlbh_call *c)
{
	struct tlbh_range *r = c->arg;

	r->out = tlbh_pool_drain(c->sp);
	return 0;
}

int tlbh_check_inject(struct tlbh_call *c)
{
	struct tlbh_inject *in = c->arg;

	return in->batch_fail > 1024 ? -EINVAL : 0;
}

int tlbh_cmd_inject(struct tlbh_call *c)
{
	struct tlbh_inject *in = c->arg;

	c->sp->inject_batch_fail = in->batch_fail;
	return 0;
}

int tlbh_cmd_clear_refs(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;

	tlbh_op_clear_refs(&sp->vm, sp->vmas, sp->nr_vmas);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reclaim and held operations                                          */

int tlbh_check_reclaim(struct tlbh_call *c)
{
	struct tlbh_reclaim_arg *ra = c->arg;

	return tlbh_range_ok(c->sp, ra->offset, PAGE_SIZE) ? 0 : -EINVAL;
}

int tlbh_cmd_reclaim(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_reclaim_arg *ra = c->arg;
	unsigned long addr = sp->base + ra->offset;
	bool batch = ra->flags & TLBH_RECLAIM_BATCH;
	struct tlbh_vma *vma;
	int ret;

	if (!tlbh_vmas_in(sp, addr, addr + PAGE_SIZE, &vma) ||
	    !tlbh_pt_identity(sp, addr, NULL))
		return -ENOENT;
	if (sp->reclaim.nr >= TLBH_RECLAIM_IOC_PAGES ||
	    sp->held == TLBH_HELD_RECLAIM || tlbh_hold_ok(sp, ra->flags))
		return -EBUSY;
	if (ra->flags & TLBH_HOLD) {
		ret = tlbh_op_reclaim_walk(&sp->reclaim, &sp->vm, vma, addr);
		if (!ret) {
			sp->held = TLBH_HELD_RECLAIM;
			sp->held_batch = batch;
		}
	} else {
		ret = tlbh_op_reclaim(&sp->reclaim, &sp->vm, vma, addr, batch);
	}
	if (ret)
		return ret;
	ra->out = 1;
	tlbh_maybe_drain(sp);
	return 0;
}

int tlbh_cmd_reclaim_flush(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;

	r->out = sp->reclaim.nr;
	tlbh_op_reclaim_flush(&sp->reclaim);
	tlbh_maybe_drain(sp);
	return 0;
}

int tlbh_cmd_resume(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_range *r = c->arg;

	switch (sp->held) {
	case TLBH_HELD_ZAP:
		tlbh_op_zap_end(&sp->held_op);
		break;
	case TLBH_HELD_UNMAP:
		tlbh_op_munmap_end(&sp->held_op);
		break;
	case TLBH_HELD_RECLAIM:
		/* -ENOENT: the entry went away meanwhile; nothing to do. */
		tlbh_op_reclaim_unmap(&sp->reclaim, sp->held_batch);
		break;
	default:
		return -EBUSY;
	}
	sp->held = TLBH_HELD_NONE;
	r->out = 1;
	tlbh_maybe_drain(sp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* mremap                                                               */

static bool tlbh_one_slot(u64 off, u64 len)
{
	return (off & PMD_MASK) == ((off + len - 1) & PMD_MASK);
}

int tlbh_check_mremap(struct tlbh_call *c)
{
	struct tlbh_mremap *m = c->arg;
	struct tlbh_space *sp = c->sp;

	if (!tlbh_range_ok(sp, m->old_offset, m->length) ||
	    !tlbh_range_ok(sp, m->new_offset, m->length) ||
	    m->old_offset == m->new_offset)
		return -EINVAL;
	if (m->flags & TLBH_MREMAP_PMD)
		return m->length != PMD_SIZE ||
		       ((m->old_offset | m->new_offset) & ~PMD_MASK) ? -EINVAL : 0;
	return tlbh_one_slot(m->old_offset, m->length) &&
	       tlbh_one_slot(m->new_offset, m->length) ? 0 : -EINVAL;
}

int tlbh_cmd_mremap(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_mremap *m = c->arg;
	unsigned long from = sp->base + m->old_offset;
	unsigned long to = sp->base + m->new_offset, off;
	struct tlbh_vma *vma;
	int ret;

	if (!tlbh_vmas_in(sp, from, from + m->length, &vma))
		return -EBUSY;
	if (m->flags & TLBH_MREMAP_PMD) {
		if (!tlbh_pt_has_table(sp, from) || tlbh_pt_has_table(sp, to))
			return -EBUSY;
		/* -EAGAIN: a held walker owns the rmap lock. */
		return tlbh_op_move_pmd(&sp->vm, vma, from, to);
	}
	for (off = 0; off < m->length; off += PAGE_SIZE)
		if (tlbh_pt_identity(sp, to + off, NULL))
			return -EBUSY;
	ret = tlbh_pt_ensure_table(sp, to);
	if (ret)
		return ret;
	tlbh_op_move_ptes(&sp->vm, vma, from, to, m->length);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Inspection                                                           */

int tlbh_check_snapshot(struct tlbh_call *c)
{
	struct tlbh_snapshot *s = c->arg;

	if (!s->npages)
		return -EINVAL;
	if (s->npages > TLBH_MAX_SNAPSHOT)
		return -E2BIG;
	if (!tlbh_range_ok(c->sp, s->offset, s->npages << PAGE_SHIFT))
		return -EINVAL;
	c->buf = kvcalloc(s->npages, sizeof(struct tlbh_snap_entry),
			  GFP_KERNEL);
	return c->buf ? 0 : -ENOMEM;
}

int tlbh_cmd_snapshot(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_snapshot *s = c->arg;
	struct tlbh_snap_entry *e = c->buf;
	unsigned long addr = sp->base + s->offset, i;

	for (i = 0; i < s->npages; i++, addr += PAGE_SIZE)
		e[i].identity = tlbh_pt_identity(sp, addr, &e[i].flags);
	return 0;
}

int tlbh_done_snapshot(struct tlbh_call *c, int ret)
{
	struct tlbh_snapshot *s = c->arg;

	if (!ret && copy_to_user(u64_to_user_ptr(s->entries), c->buf,
				 s->npages * sizeof(struct tlbh_snap_entry)))
		ret = -EFAULT;
	return tlbh_done_free(c, ret);
}

static const char * const tlbh_probe_names[] = {
	[TLBH_PROBE_FRESH] = "fresh",
	[TLBH_PROBE_STALE] = "stale",
	[TLBH_PROBE_ABSENT] = "absent",
	[TLBH_PROBE_FAULT] = "fault",
};

int tlbh_check_probe(struct tlbh_call *c)
{
	struct tlbh_probe *p = c->arg;

	if (p->cpu >= nr_cpu_ids || !cpu_online(p->cpu) ||
	    !tlbh_range_ok(c->sp, p->offset, PAGE_SIZE))
		return -EINVAL;
	return 0;
}

/* Read without the mmap lock (the read may fault), then compare. */
int tlbh_cmd_probe(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_probe *p = c->arg;
	unsigned int cpu = p->cpu;
	u64 val = 0;
	int err;

	mmap_read_unlock(sp->mm);
	err = tlbh_probe_read(sp, cpu, sp->base + p->offset, &val);
	mmap_read_lock(sp->mm);
	if (!tlbh_space_mapped(sp))
		return -ENXIO;		/* unmapped while the probe ran */
	if (err && err != -EFAULT)
		return err;
	p->read = err ? 0 : val;
	p->mapped = tlbh_pt_identity(sp, sp->base + p->offset, NULL);
	if (err)
		p->result = p->mapped ? TLBH_PROBE_FAULT : TLBH_PROBE_ABSENT;
	else
		p->result = p->read == p->mapped ? TLBH_PROBE_FRESH :
						   TLBH_PROBE_STALE;
	atomic64_inc(&sp->cnt[TLBH_CNT_PROBES]);
	atomic64_inc(&sp->cnt[TLBH_CNT_PROBE_FRESH + p->result - 1]);
	trace_tlbh_probe(sp->id, cpu, p->offset, tlbh_probe_names[p->result]);
	if (cpu < TLBH_MAX_CPUS) {
		sp->cpu[cpu].probes++;
		if (p->result == TLBH_PROBE_STALE)
			sp->cpu[cpu].stale++;
	}
	return 0;
}

int tlbh_cmd_counters(struct tlbh_call *c)
{
	struct tlbh_space *sp = c->sp;
	struct tlbh_counters *cn = c->arg;
	const struct tlbh_stats *st = &sp->engine.stats;
	unsigned int i;

	for (i = 0; i < TLBH_CNT_NR; i++)
		cn->c[i] = atomic64_read(&sp->cnt[i]);
	cn->c[TLBH_CNT_GATHERS] = st->gathers;
	cn->c[TLBH_CNT_FLUSH_SKIPPED] = st->flush_skipped;
	cn->c[TLBH_CNT_FLUSH_NO_TARGET] = st->flush_no_target;
	cn->c[TLBH_CNT_PAGES_FREED] = st->pages_freed;
	cn->c[TLBH_CNT_TABLES_FREED] = st->tables_freed;
	if (cn->flags & TLBH_COUNTERS_RESET) {
		for (i = 0; i < TLBH_CNT_NR; i++)
			atomic64_set(&sp->cnt[i], 0);
		memset(&sp->engine.stats, 0, sizeof(sp->engine.stats));
		memset(sp->cpu, 0, sizeof(sp->cpu));
	}
	return 0;
}

int tlbh_check_cpu_counters(struct tlbh_call *c)
{
	struct tlbh_cpu_counters *cc = c->arg;

	return cc->cpu >= nr_cpu_ids || cc->cpu >= TLBH_MAX_CPUS ? -EINVAL : 0;
}

int tlbh_cmd_cpu_counters(struct tlbh_call *c)
{
	struct tlbh_cpu_counters *cc = c->arg;
	struct tlbh_cpu_stat *st = &c->sp->cpu[cc->cpu];

	cc->handled = READ_ONCE(st->handled);
	cc->pages = READ_ONCE(st->pages);
	cc->full = READ_ONCE(st->full);
	cc->skipped = READ_ONCE(st->skipped);
	cc->probes = READ_ONCE(st->probes);
	cc->stale = READ_ONCE(st->stale);
	return 0;
}
