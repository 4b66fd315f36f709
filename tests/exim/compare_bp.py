#!/usr/bin/env python3
"""compare_bp.py BP QSUMM LIST_JSON SUMMARY_JSON
   compare_bp.py --ids BP IDS

Compares mxtop's list and summary (JSON) with Exim's own `exim -bp` and
`exiqsumm` output for the same spool.  Exits 1 and says why on a
difference.  Exim is the oracle: nothing here is typed in by hand."""
import json
import re
import sys


def parse_bp(path):
    """exim -bp: first line per message, then recipient lines."""
    msgs = {}
    cur = None
    head = re.compile(r'^\s*(\d+[mhd]) (.{5}) (\S+?)(?:-H)? <(.*?)>'
                      r'( \(.*?\))?( \*\*\* frozen \*\*\*)?\s*$')
    for line in open(path, encoding='latin-1'):
        line = line.rstrip('\n')
        if not line:
            cur = None
            continue
        m = head.match(line)
        if m:
            cur = {'size': m.group(2), 'sender': m.group(4),
                   'frozen': bool(m.group(6)), 'pending': [],
                   'delivered': []}
            msgs[m.group(3)] = cur
            continue
        if cur is None:
            raise SystemExit('unparsed -bp line: %r' % line)
        if line.startswith('        D '):
            cur['delivered'].append(line[10:])
        elif line.startswith('          '):
            cur['pending'].append(line[10:])
        elif line.strip().startswith('*** spool'):
            cur['bad'] = True
        else:
            raise SystemExit('unparsed -bp recipient line: %r' % line)
    return msgs


def exim_size(n):
    """Exim's string_format_size(), to compare with -bp's column."""
    if n < 0:
        return '     '
    if n < 1024:
        return '%5d' % n
    if n < 10 * 1024:
        return '%4.1fK' % (n / 1024.0)
    if n < 1024 * 1024:
        return '%4dK' % ((n + 512) // 1024)
    if n < 10 * 1024 * 1024:
        return '%4.1fM' % (n / 1048576.0)
    return '%4dM' % ((n + 524288) // 1048576)


def parse_qsumm(path):
    """exiqsumm: count per domain (pending recipients) and the total."""
    rows = {}
    total = None
    for line in open(path, encoding='latin-1'):
        m = re.match(r'^\s*(\d+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s*$', line)
        if not m:
            continue
        if m.group(2) == 'TOTAL':
            total = int(m.group(1))
        elif m.group(2) != 'Domain':
            rows[m.group(2)] = int(m.group(1))
    return rows, total


def order_key(i):
    """-bp's sort key: the time field, then what follows the pid
    (exim-spool.md 8.2); ids alike in it keep either order."""
    return i[:6] + (i[14:] if len(i) == 16 else i[19:])


def same_ids(bp_path, ids_path):
    """compare_bp.py --ids BP IDS: the ids of IDS (one a line, as
    `list --format ids` writes them) are exim -bp's, in its order."""
    bp = list(parse_bp(bp_path))
    mx = open(ids_path).read().split()
    if set(bp) != set(mx):
        print('no: %d ids only in exim -bp, %d only in mxtop' %
              (len(set(bp) - set(mx)), len(set(mx) - set(bp))))
        return 1
    if [order_key(i) for i in bp] != [order_key(i) for i in mx]:
        print('no: the same ids in another order')
        return 1
    print('yes (%d ids, in exim -bp order)' % len(bp))
    return 0


def main():
    if sys.argv[1] == '--ids':
        return same_ids(sys.argv[2], sys.argv[3])
    bp_path, qs_path, list_path, sum_path = sys.argv[1:5]
    bp = parse_bp(bp_path)
    mx = {m['id']: m for m in json.load(open(list_path))}
    errors = []
    if set(bp) != set(mx):
        errors.append('ids differ: only in exim %s, only in mxtop %s' % (
            sorted(set(bp) - set(mx))[:5], sorted(set(mx) - set(bp))[:5]))
    # The order of -bp.
    eo = [order_key(i) for i in bp if i in mx]
    mo = [order_key(m['id']) for m in json.load(open(list_path))
          if m['id'] in bp]
    if eo != mo:
        at = next(k for k in range(len(eo)) if eo[k] != mo[k])
        errors.append('order differs from exim -bp at message %d: %s vs %s'
                      % (at, eo[at:at + 3], mo[at:at + 3]))
    for mid in sorted(set(bp) & set(mx)):
        e, m = bp[mid], mx[mid]
        if e['sender'] != m['sender']:
            errors.append('%s: sender %r vs %r' % (mid, e['sender'],
                                                    m['sender']))
        if e['frozen'] != m['frozen']:
            errors.append('%s: frozen %s vs %s' % (mid, e['frozen'],
                                                    m['frozen']))
        pend = [r['address'] for r in m['recipients']
                if r['state'] == 'pending']
        dlv = [r['address'] for r in m['recipients']
               if r['state'] == 'delivered']
        if e['pending'] != pend:
            errors.append('%s: pending %s vs %s' % (mid, e['pending'], pend))
        if e['delivered'] != dlv:
            errors.append('%s: delivered %s vs %s' % (mid, e['delivered'],
                                                       dlv))
        if e['size'] != exim_size(m['size']):
            errors.append('%s: size %r vs %r (%d)' % (
                mid, e['size'], exim_size(m['size']), m['size']))
    ndel = sum(len(e['delivered']) for e in bp.values())
    nfrz = sum(e['frozen'] for e in bp.values())
    if ndel == 0 or nfrz == 0:
        errors.append('queue lacks delivered recipients (%d) or frozen '
                      'messages (%d): the test proves too little'
                      % (ndel, nfrz))

    rows, total = parse_qsumm(qs_path)
    summ = json.load(open(sum_path))
    ours = {d['domain']: d['recipients'] for d in summ['domains']}
    if rows != ours:
        errors.append('per-domain pending recipients differ:\n exiqsumm '
                      '%s\n mxtop    %s' % (sorted(rows.items()),
                                            sorted(ours.items())))
    if total != summ['total']['recipients']:
        errors.append('total recipients %s vs %s' % (
            total, summ['total']['recipients']))
    # Messages per domain, counted from -bp itself.
    per_dom = {}
    for e in bp.values():
        for d in {a.rsplit('@', 1)[-1].lower() for a in e['pending']}:
            per_dom[d] = per_dom.get(d, 0) + 1
    ourm = {d['domain']: d['messages'] for d in summ['domains']}
    if per_dom != ourm:
        errors.append('messages per domain differ: %s vs %s' % (
            sorted(per_dom.items()), sorted(ourm.items())))
    for e in errors[:20]:
        print('# ' + e)
    if not errors:
        print('# %d messages, %d domains, %d pending recipients, %d '
              'delivered, %d frozen: identical' % (
                  len(bp), len(rows), total, ndel, nfrz))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
