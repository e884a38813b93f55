// SPDX-License-Identifier: GPL-2.0
/*
 * tlbh_cmd.c - the commands that act on a space.
 *
 * Each handler validates its whole argument first (reserved words,
 * flags, enum values, ranges), copies any embedded user array in before
 * taking a lock, runs the operation through the engine with the space's
 * policy under tlbh_space_enter(), and copies arrays out after the locks
 * are dropped.  The rows of the command table are in tlbh_ioctl.c.
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

static bool tlbh_zero(const __u64 *w, unsigned int n)
{
	while (n--)
		if (w[n])
			return false;
	return true;
}

static struct tlbh_space *tlbh_sp(struct tlbh_file *tf)
{
	return READ_ONCE(tf->space);
}

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

long tlbh_ioc_space_info(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_space_info *si = arg;
	int ret;

	if (!sp)
		return -ENXIO;
	ret = tlbh_space_enter(sp, false);
	if (ret)
		return ret;
	si->base = sp->base;
	si->size = sp->size;
	si->data_size = sp->data_size;
	si->space_id = sp->id;
	si->policy = sp->policy_base - tlbh_policies + 1;
	si->nr_policies = tlbh_nr_policies;
	si->rules = sp->policy.rules;
	si->pages = sp->nr_pages;
	si->quarantined = sp->nr_quarantined;
	si->tables = tlbh_pt_count_tables(sp, false);
	si->parked = tlbh_pt_count_tables(sp, true);
	tlbh_space_leave(sp, false);
	return 0;
}

long tlbh_ioc_set_policy(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_policy_arg *p = arg;
	const struct tlbh_policy *base;
	int ret;

	if (!tlbh_zero(p->reserved, ARRAY_SIZE(p->reserved)) || !p->policy ||
	    p->policy > tlbh_nr_policies ||
	    ((p->add | p->drop) & ~TLBH_RULES_KNOWN))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	ret = tlbh_space_enter(sp, false);
	if (ret)
		return ret;
	if (sp->reclaim.nr || sp->reclaim.batch.flush_required || sp->held) {
		ret = -EBUSY;
	} else {
		base = &tlbh_policies[p->policy - 1];
		sp->policy_base = base;
		sp->policy = *base;
		sp->policy.rules = (base->rules | p->add) & ~p->drop;
		p->is_buggy = base->is_buggy;
		p->rules = sp->policy.rules;
	}
	tlbh_space_leave(sp, false);
	return ret;
}

long tlbh_ioc_set_vmas(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_vma_desc d[TLBH_MAX_VMAS];
	struct tlbh_set_vmas *sv = arg;
	u64 prev_end = 0;
	unsigned int i;
	int ret;

	if (!tlbh_zero(sv->reserved, ARRAY_SIZE(sv->reserved)) || !sv->nr)
		return -EINVAL;
	if (sv->nr > TLBH_MAX_VMAS)
		return -E2BIG;
	if (!sp)
		return -ENXIO;
	if (copy_from_user(d, u64_to_user_ptr(sv->vmas), sv->nr * sizeof(d[0])))
		return -EFAULT;
	for (i = 0; i < sv->nr; i++) {
		if (d[i].reserved || (d[i].flags & ~TLBH_VMA_ALL) ||
		    !tlbh_range_ok(sp, d[i].offset, d[i].length) ||
		    d[i].offset < prev_end)
			return -EINVAL;
		prev_end = d[i].offset + d[i].length;
	}
	ret = tlbh_space_enter(sp, true);
	if (ret)
		return ret;
	if (sp->held || (tlbh_pt_count_tables(sp, false) &&
			 sp->nr_pages != sp->nr_quarantined)) {
		ret = -EBUSY;
		goto out;
	}
	for (i = 0; i < sv->nr; i++) {
		struct tlbh_vma *v = &sp->vmas[i];

		v->start = sp->base + d[i].offset;
		v->end = v->start + d[i].length;
		v->flags = ((d[i].flags & TLBH_VMA_EXEC) ? TLBH_VM_EXEC : 0) |
			   ((d[i].flags & TLBH_VMA_HUGE) ? TLBH_VM_HUGETLB : 0) |
			   ((d[i].flags & TLBH_VMA_PFNMAP) ? TLBH_VM_PFNMAP : 0) |
			   ((d[i].flags & TLBH_VMA_MIXEDMAP) ? TLBH_VM_MIXEDMAP : 0);
		v->luf_deferred = false;
	}
	sp->nr_vmas = sv->nr;
out:
	tlbh_space_leave(sp, true);
	return ret;
}

/* Common prologue of the range commands. */
static int tlbh_range_enter(struct tlbh_file *tf, struct tlbh_range *r,
			    u64 flags_ok, struct tlbh_space **spp)
{
	struct tlbh_space *sp = tlbh_sp(tf);

	r->out = 0;
	if (!tlbh_zero(r->reserved, ARRAY_SIZE(r->reserved)) || (r->flags & ~flags_ok))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	if (!tlbh_range_ok(sp, r->offset, r->length))
		return -EINVAL;
	*spp = sp;
	return tlbh_space_enter(sp, true);
}

/* Common prologue of the commands that act on the whole space. */
static int tlbh_whole_enter(struct tlbh_file *tf, struct tlbh_range *r,
			    struct tlbh_space **spp)
{
	struct tlbh_space *sp = tlbh_sp(tf);

	r->out = 0;
	if (!tlbh_zero(r->reserved, ARRAY_SIZE(r->reserved)) || r->flags ||
	    r->offset || r->length)
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	*spp = sp;
	return tlbh_space_enter(sp, true);
}

long tlbh_ioc_populate(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_range_enter(tf, r, TLBH_MAP_WRITE, &sp);

	if (ret)
		return ret;
	ret = tlbh_pt_populate(sp, sp->base + r->offset, r->length,
			       r->flags & TLBH_MAP_WRITE, &r->out);
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_remap(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	unsigned long start;
	int ret = tlbh_range_enter(tf, r, TLBH_REMAP_FLUSH, &sp);

	if (ret)
		return ret;
	start = sp->base + r->offset;
	ret = tlbh_pt_remap(sp, start, r->length, &r->out);
	if (!ret && (r->flags & TLBH_REMAP_FLUSH))
		tlbh_flush_tlb_range(&sp->engine, start, start + r->length,
				     TLBH_PAGE_SHIFT, false, "remap");
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_flush(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_range *r = arg;
	unsigned long start;
	int ret;

	r->out = 0;
	if (!tlbh_zero(r->reserved, ARRAY_SIZE(r->reserved)) || (r->flags & ~TLBH_FLUSH_MM))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	if (r->flags & TLBH_FLUSH_MM) {
		if (r->offset || r->length)
			return -EINVAL;
	} else if (!tlbh_range_ok(sp, r->offset, r->length)) {
		return -EINVAL;
	}
	ret = tlbh_space_enter(sp, true);
	if (ret)
		return ret;
	start = sp->base + r->offset;
	if (r->flags & TLBH_FLUSH_MM)
		tlbh_flush_tlb_mm(&sp->engine, "ioctl");
	else
		tlbh_flush_tlb_range(&sp->engine, start, start + r->length,
				     TLBH_PAGE_SHIFT, false, "ioctl");
	tlbh_space_leave(sp, true);
	return 0;
}

/* A second TLBH_HOLD while one operation is held is -EBUSY. */
static int tlbh_hold_ok(struct tlbh_space *sp, u64 flags)
{
	return (flags & TLBH_HOLD) && sp->held ? -EBUSY : 0;
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
	return ret == -EAGAIN ? -EBUSY : ret;
}

long tlbh_ioc_zap(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_range_enter(tf, r, TLBH_HOLD, &sp);

	if (ret)
		return ret;
	ret = tlbh_hold_ok(sp, r->flags);
	if (!ret)
		ret = tlbh_do_zap(sp, r->offset, r->length, r->flags, &r->out);
	tlbh_space_leave(sp, true);
	return ret;
}

/*
 * process_madvise(MADV_DONTNEED): every range in one gather, one final
 * flush (zap_page_range_single_batched).  A range that meets a hugetlb
 * VMA ends the batch so far and is zapped alone, with the hugetlb VMA
 * lock; a new batch starts after it.
 */
static int tlbh_zap_batch(struct tlbh_space *sp, const struct tlbh_range *r,
			  unsigned int nr, u64 *done)
{
	unsigned long start, end;
	struct tlbh_vma *first;
	struct tlbh_op op;
	unsigned int i, n;
	int ret = 0;

	tlbh_op_zap_begin(&op, &sp->vm, NULL, 0, 0, 0);
	for (i = 0; i < nr && !ret; i++) {
		start = sp->base + r[i].offset;
		end = start + r[i].length;
		n = tlbh_vmas_in(sp, start, end, &first);
		if (n && tlbh_vmas_hugetlb(first, n)) {
			tlbh_op_zap_end(&op);
			ret = tlbh_do_zap(sp, r[i].offset, r[i].length, 0, NULL);
			tlbh_op_zap_begin(&op, &sp->vm, NULL, 0, 0, 0);
		} else if (n) {
			tlbh_op_zap_more(&op, first, n, start, end);
		}
		if (!ret)
			(*done)++;
	}
	tlbh_op_zap_end(&op);
	tlbh_maybe_drain(sp);
	return ret;
}

long tlbh_ioc_zap_batch(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_range_batch *b = arg;
	struct tlbh_range *r;
	unsigned int i;
	int ret;

	b->out = 0;
	if (b->reserved || !b->nr)
		return -EINVAL;
	if (b->nr > TLBH_MAX_BATCH)
		return -E2BIG;
	if (!sp)
		return -ENXIO;
	r = vmemdup_user(u64_to_user_ptr(b->ranges), b->nr * sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	ret = -EINVAL;
	for (i = 0; i < b->nr; i++)
		if (!tlbh_zero(r[i].reserved, ARRAY_SIZE(r[i].reserved)) ||
		    r[i].flags || r[i].out ||
		    !tlbh_range_ok(sp, r[i].offset, r[i].length))
			goto out;
	ret = tlbh_space_enter(sp, true);
	if (ret)
		goto out;
	ret = tlbh_zap_batch(sp, r, b->nr, &b->out);
	tlbh_space_leave(sp, true);
out:
	kvfree(r);
	return ret;
}

long tlbh_ioc_unmap(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	struct tlbh_vma *first;
	unsigned long start;
	struct tlbh_op op;
	unsigned int n;
	int ret = tlbh_range_enter(tf, r, TLBH_HOLD, &sp);

	if (ret)
		return ret;
	ret = tlbh_hold_ok(sp, r->flags);
	if (ret)
		goto out;
	start = sp->base + r->offset;
	n = tlbh_vmas_in(sp, start, start + r->length, &first);
	if (n && (r->flags & TLBH_HOLD)) {
		tlbh_op_munmap_begin(&sp->held_op, &sp->vm, first, n,
				     start, start + r->length);
		sp->held = TLBH_HELD_UNMAP;
		r->out = 1;
	} else if (n) {
		tlbh_op_munmap_begin(&op, &sp->vm, first, n, start,
				     start + r->length);
		tlbh_op_munmap_end(&op);
	}
	tlbh_maybe_drain(sp);
out:
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_reclaim(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_reclaim_arg *ra = arg;
	struct tlbh_vma *vma;
	unsigned long addr;
	int ret;

	ra->out = 0;
	if (ra->reserved || (ra->flags & ~(TLBH_RECLAIM_BATCH | TLBH_HOLD)))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	if (!tlbh_range_ok(sp, ra->offset, PAGE_SIZE))
		return -EINVAL;
	ret = tlbh_space_enter(sp, true);
	if (ret)
		return ret;
	addr = sp->base + ra->offset;
	if (!tlbh_vmas_in(sp, addr, addr + PAGE_SIZE, &vma) ||
	    !tlbh_pt_identity(sp, addr, NULL) ||
	    sp->reclaim.nr >= TLBH_RECLAIM_MAX_PAGES ||
	    sp->held == TLBH_HELD_RECLAIM || tlbh_hold_ok(sp, ra->flags)) {
		ret = -EBUSY;
		goto out;
	}
	if (ra->flags & TLBH_HOLD) {
		ret = tlbh_op_reclaim_walk(&sp->reclaim, &sp->vm, vma,
					   addr);
		if (!ret) {
			sp->held = TLBH_HELD_RECLAIM;
			sp->held_batch = ra->flags & TLBH_RECLAIM_BATCH;
		}
	} else {
		ret = tlbh_op_reclaim(&sp->reclaim, &sp->vm, vma, addr,
				      ra->flags & TLBH_RECLAIM_BATCH);
	}
	if (ret)
		ret = -EBUSY;
	else
		ra->out = 1;
	tlbh_maybe_drain(sp);
out:
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_reclaim_flush(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_whole_enter(tf, r, &sp);

	if (ret)
		return ret;
	r->out = sp->reclaim.nr;
	tlbh_op_reclaim_flush(&sp->reclaim);
	tlbh_maybe_drain(sp);
	tlbh_space_leave(sp, true);
	return 0;
}

long tlbh_ioc_resume(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_whole_enter(tf, r, &sp);

	if (ret)
		return ret;
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
		ret = -EBUSY;
		goto out;
	}
	sp->held = TLBH_HELD_NONE;
	r->out = 1;
	tlbh_maybe_drain(sp);
out:
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_mremap(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_mremap *m = arg;
	unsigned long from, to, off;
	struct tlbh_vma *vma;
	bool pmd;
	int ret;

	if (!tlbh_zero(m->reserved, ARRAY_SIZE(m->reserved)) || (m->flags & ~TLBH_MREMAP_PMD))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	pmd = m->flags & TLBH_MREMAP_PMD;
	if (!tlbh_range_ok(sp, m->old_offset, m->length) ||
	    !tlbh_range_ok(sp, m->new_offset, m->length) ||
	    m->old_offset == m->new_offset)
		return -EINVAL;
	if (pmd && (m->length != PMD_SIZE ||
		    (m->old_offset | m->new_offset) & ~PMD_MASK))
		return -EINVAL;
	if (!pmd && ((m->old_offset & PMD_MASK) !=
		     ((m->old_offset + m->length - 1) & PMD_MASK) ||
		     (m->new_offset & PMD_MASK) !=
		     ((m->new_offset + m->length - 1) & PMD_MASK)))
		return -EINVAL;
	ret = tlbh_space_enter(sp, true);
	if (ret)
		return ret;
	from = sp->base + m->old_offset;
	to = sp->base + m->new_offset;
	if (!tlbh_vmas_in(sp, from, from + m->length, &vma)) {
		ret = -EBUSY;
		goto out;
	}
	if (pmd) {
		if (!tlbh_pt_has_table(sp, from) ||
		    tlbh_pt_has_table(sp, to)) {
			ret = -EBUSY;
			goto out;
		}
		ret = tlbh_op_move_pmd(&sp->vm, vma, from, to);
		if (ret)
			ret = -EBUSY;
		goto out;
	}
	for (off = 0; off < m->length; off += PAGE_SIZE) {
		if (tlbh_pt_identity(sp, to + off, NULL)) {
			ret = -EBUSY;
			goto out;
		}
	}
	ret = tlbh_pt_ensure_table(sp, to);
	if (!ret)
		tlbh_op_move_ptes(&sp->vm, vma, from, to, m->length);
out:
	tlbh_space_leave(sp, true);
	return ret;
}

long tlbh_ioc_mprotect(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	unsigned long start, end;
	unsigned int i;
	int ret = tlbh_range_enter(tf, r, TLBH_PROT_WRITE, &sp);

	if (ret)
		return ret;
	start = sp->base + r->offset;
	end = start + r->length;
	for (i = 0; i < sp->nr_vmas; i++)
		if (sp->vmas[i].end > start && sp->vmas[i].start < end)
			tlbh_op_mprotect(&sp->vm, &sp->vmas[i], start, end,
					 r->flags & TLBH_PROT_WRITE);
	tlbh_space_leave(sp, true);
	return 0;
}

long tlbh_ioc_snapshot(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_snapshot *s = arg;
	struct tlbh_snap_entry *e;
	unsigned long addr, i;
	int ret;

	if (s->reserved || !s->npages)
		return -EINVAL;
	if (s->npages > TLBH_MAX_SNAPSHOT)
		return -E2BIG;
	if (!sp)
		return -ENXIO;
	if (!tlbh_range_ok(sp, s->offset, s->npages << PAGE_SHIFT))
		return -EINVAL;
	e = kvcalloc(s->npages, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	ret = tlbh_space_enter(sp, false);
	if (ret)
		goto out;
	addr = sp->base + s->offset;
	for (i = 0; i < s->npages; i++, addr += PAGE_SIZE)
		e[i].identity = tlbh_pt_identity(sp, addr, &e[i].flags);
	tlbh_space_leave(sp, false);
	if (copy_to_user(u64_to_user_ptr(s->entries), e, s->npages * sizeof(*e)))
		ret = -EFAULT;
out:
	kvfree(e);
	return ret;
}

static const char * const tlbh_probe_names[] = {
	[TLBH_PROBE_FRESH] = "fresh",
	[TLBH_PROBE_STALE] = "stale",
	[TLBH_PROBE_ABSENT] = "absent",
	[TLBH_PROBE_FAULT] = "fault",
};

long tlbh_ioc_probe(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_probe *p = arg;
	unsigned int cpu;
	u64 val = 0;
	int ret, err;

	p->read = 0;
	p->mapped = 0;
	p->result = 0;
	if (!tlbh_zero(p->reserved, ARRAY_SIZE(p->reserved)) || p->cpu >= nr_cpu_ids ||
	    !cpu_online(p->cpu))
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	if (!tlbh_range_ok(sp, p->offset, PAGE_SIZE))
		return -EINVAL;
	cpu = p->cpu;
	/* Check the space, then read without the mmap lock: it may fault. */
	ret = tlbh_space_enter(sp, false);
	if (ret)
		return ret;
	mmap_read_unlock(sp->mm);
	err = tlbh_probe_read(sp, cpu, sp->base + p->offset, &val);
	mmap_read_lock(sp->mm);
	if (!tlbh_space_mapped(sp)) {
		ret = -ENXIO;		/* unmapped while the probe ran */
		goto out;
	}
	if (err && err != -EFAULT) {
		ret = err;
		goto out;
	}
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
out:
	tlbh_space_leave(sp, false);
	return ret;
}

long tlbh_ioc_counters(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_counters *c = arg;
	const struct tlbh_stats *st;
	unsigned int i;
	int ret;

	if (c->flags & ~TLBH_COUNTERS_RESET)
		return -EINVAL;
	memset(c->c, 0, sizeof(c->c));
	if (!sp)
		return -ENXIO;
	ret = tlbh_space_enter(sp, false);
	if (ret)
		return ret;
	for (i = 0; i < TLBH_CNT_NR; i++)
		c->c[i] = atomic64_read(&sp->cnt[i]);
	st = &sp->engine.stats;
	c->c[TLBH_CNT_GATHERS] = st->gathers;
	c->c[TLBH_CNT_FLUSH_SKIPPED] = st->flush_skipped;
	c->c[TLBH_CNT_FLUSH_NO_TARGET] = st->flush_no_target;
	c->c[TLBH_CNT_PAGES_FREED] = st->pages_freed;
	c->c[TLBH_CNT_TABLES_FREED] = st->tables_freed;
	if (c->flags & TLBH_COUNTERS_RESET) {
		for (i = 0; i < TLBH_CNT_NR; i++)
			atomic64_set(&sp->cnt[i], 0);
		memset(&sp->engine.stats, 0, sizeof(sp->engine.stats));
		memset(sp->cpu, 0, sizeof(sp->cpu));
	}
	tlbh_space_leave(sp, false);
	return 0;
}

long tlbh_ioc_cpu_counters(struct tlbh_file *tf, void *arg)
{
	struct tlbh_space *sp = tlbh_sp(tf);
	struct tlbh_cpu_counters *c = arg;
	struct tlbh_cpu_stat *st;
	int ret;

	if (c->reserved || c->cpu >= nr_cpu_ids || c->cpu >= TLBH_MAX_CPUS)
		return -EINVAL;
	if (!sp)
		return -ENXIO;
	ret = tlbh_space_enter(sp, false);
	if (ret)
		return ret;
	st = &sp->cpu[c->cpu];
	c->handled = READ_ONCE(st->handled);
	c->pages = READ_ONCE(st->pages);
	c->full = READ_ONCE(st->full);
	c->skipped = READ_ONCE(st->skipped);
	c->probes = READ_ONCE(st->probes);
	c->stale = READ_ONCE(st->stale);
	tlbh_space_leave(sp, false);
	return 0;
}

long tlbh_ioc_pool(struct tlbh_file *tf, void *arg)
{
	struct tlbh_pool *p = arg;

	p->pool_pages = tlbh_pool_pages();
	p->spaces = tlbh_nr_spaces();
	p->max_pool_pages = tlbh_max_pool_pages;
	return 0;
}

long tlbh_ioc_drain(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_whole_enter(tf, r, &sp);

	if (ret)
		return ret;
	r->out = tlbh_pool_drain(sp);
	tlbh_space_leave(sp, true);
	return 0;
}

long tlbh_ioc_clear_refs(struct tlbh_file *tf, void *arg)
{
	struct tlbh_range *r = arg;
	struct tlbh_space *sp;
	int ret = tlbh_whole_enter(tf, r, &sp);

	if (ret)
		return ret;
	tlbh_op_clear_refs(&sp->vm, sp->vmas, sp->nr_vmas);
	tlbh_space_leave(sp, true);
	return 0;
}

long tlbh_ioc_policy_info(struct tlbh_file *tf, void *arg)
{
	struct tlbh_policy_info *pi = arg;
	const struct tlbh_policy *pol;

	pi->is_buggy = 0;
	pi->rules = 0;
	pi->nr_policies = tlbh_nr_policies;
	memset(pi->name, 0, sizeof(pi->name));
	if (!tlbh_zero(pi->reserved, ARRAY_SIZE(pi->reserved)) ||
	    !pi->policy || pi->policy > tlbh_nr_policies)
		return -EINVAL;
	pol = &tlbh_policies[pi->policy - 1];
	pi->is_buggy = pol->is_buggy;
	pi->rules = pol->rules;
	strscpy((char *)pi->name, pol->name, sizeof(pi->name));
	return 0;
}

long tlbh_ioc_rule_info(struct tlbh_file *tf, void *arg)
{
	struct tlbh_rule_info *ri = arg;
	const struct tlbh_rule *rule;

	memset(ri->name, 0, sizeof(ri->name));
	memset(ri->doc, 0, sizeof(ri->doc));
	if (!tlbh_zero(ri->reserved, ARRAY_SIZE(ri->reserved)) || ri->bit > 63)
		return -EINVAL;
	if (ri->bit >= tlbh_nr_rules)
		return -ENOENT;
	rule = &tlbh_rules[ri->bit];
	strscpy((char *)ri->name, rule->name, sizeof(ri->name));
	strscpy((char *)ri->doc, rule->doc, sizeof(ri->doc));
	return 0;
}
