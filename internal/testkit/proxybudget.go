package testkit

// budget is what CutAfter armed.
type budget struct {
	armed bool
	gen   uint64 // tells one CutAfter from the next
	dir   Direction
	kind  CutKind
	left  int64
}

// CutAfter arms a cut of every connection for the moment n more bytes
// have crossed the proxy in direction dir, counted over all connections
// from this call on. The byte that makes n is the last forwarded, and the
// cut waits for the writes of the bytes counted before it: a side reading
// from a FIN cut gets exactly them, then the end. Bytes of other
// directions go on crossing until then, while bytes that would exceed n
// wait for the cut and are dropped by it. The cut happens once; a later
// call replaces an armed one, and n <= 0 cuts at once.
func (p *Proxy) CutAfter(n int64, dir Direction, kind CutKind) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n <= 0 {
		p.budget.armed = false
		p.cutLocked(kind, true)
		return
	}
	p.budget = budget{armed: true, gen: p.budget.gen + 1, dir: dir, kind: kind, left: n}
}

// grant is what a writer may write of a piece.
type grant struct {
	n        int
	budgeted bool // n comes out of the budget: settle when written
	last     bool // n spends the budget: cut when written
	gen      uint64
	kind     CutKind
}

// reserve grants a writer of l in direction dir up to want bytes, and
// counts them as forwarded before any side can see them. A grant of 0
// means that l is cut, or will be by the writer that spent the budget.
func (p *Proxy) reserve(l *link, dir Direction, want int) grant {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l.isCut() {
		return grant{}
	}
	g := grant{n: want}
	if b := &p.budget; b.armed && (b.dir == Either || b.dir == dir) {
		g = grant{n: int(min(int64(want), b.left)), budgeted: true, gen: b.gen, kind: b.kind}
		b.left -= int64(g.n)
		g.last = b.left == 0 && g.n > 0
		if g.n > 0 {
			p.writing++
		}
	}
	p.count(dir, int64(g.n))
	return g
}

// settle takes back what a granted write did not write, and makes the
// cut if the grant spent the budget, once every other write of the budget
// has ended.
func (p *Proxy) settle(dir Direction, g grant, wrote int) {
	p.count(dir, int64(wrote-g.n))
	if !g.budgeted || g.n == 0 {
		return
	}
	p.mu.Lock()
	p.writing--
	p.settled.Broadcast()
	if !g.last {
		p.mu.Unlock()
		return
	}
	// A write still under way would end up on the far side of the cut, or
	// be cut short by it.
	for p.writing > 0 {
		p.settled.Wait()
	}
	// Disarmed with the cut, not before: a writer that reserved in between
	// would forward bytes beyond the budget.
	if p.budget.gen == g.gen {
		p.budget.armed = false
	}
	p.cutLocked(g.kind, true)
	p.mu.Unlock()
}

func (p *Proxy) count(dir Direction, n int64) {
	if dir == Up {
		p.up.Add(n)
	} else {
		p.down.Add(n)
	}
}
