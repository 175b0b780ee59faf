package o200k

// The byte-pair merge of one piece on the vocabulary.

// mergeCount is the number of tokens byte-pair encoding makes of piece:
// merge the adjacent pair of lowest rank (the leftmost of equals) until no
// pair is in the vocabulary.
func mergeCount(vocab *vocabulary, piece string) int {
	if len(piece) > shortPiece {
		return mergeCountLong(vocab, piece)
	}
	// bound[k] is where part k starts; rank[k] the rank of parts k and k+1
	// merged. Small arrays on the stack: a short piece allocates nothing,
	// and zeroing them costs little (a word missing from the vocabulary
	// is a few bytes).
	var bound [shortPiece + 1]int32
	var rank [shortPiece + 1]uint32
	n := len(piece) + 1
	for k := range n {
		bound[k] = int32(k)
	}
	pair := func(k int) uint32 {
		if k+2 < n {
			if r, ok := vocab.rank(piece[bound[k]:bound[k+2]]); ok {
				return r
			}
		}
		return noMerge
	}
	for k := 0; k < n-2; k++ { // the pairs of bytes: twos holds rank+1, 0 (so noMerge) for none
		rank[k] = vocab.twos[uint16(piece[k])<<8|uint16(piece[k+1])] - 1
	}
	rank[n-2] = noMerge
	for n > 2 {
		best, at := uint32(noMerge), -1
		for k := 0; k < n-2; k++ {
			if rank[k] < best {
				best, at = rank[k], k
			}
		}
		if at < 0 {
			break
		}
		copy(bound[at+1:n-1], bound[at+2:n])
		copy(rank[at+1:n-1], rank[at+2:n])
		n--
		rank[at] = pair(at)
		if at > 0 {
			rank[at-1] = pair(at - 1)
		}
	}
	return n - 1
}

const noMerge = ^uint32(0)

// shortPiece is the longest piece mergeCount merges on the stack.
const shortPiece = 64

// mergeCountLong is mergeCount for long pieces (a run of letters without a
// space, base64): parts in a linked list, candidate pairs in a min-heap by
// rank then position, O(n log n) where the scan is O(n²).
func mergeCountLong(vocab *vocabulary, piece string) int {
	var m merger
	return m.count(vocab, piece)
}

// merger holds the scratch space of mergeCountLong, about 20 bytes per
// byte of a piece: a text's long pieces share one, sized for the longest
// (at most maxPiece bytes, see counter).
type merger struct {
	next, prev []int32
	rank       []uint32
	heap       mergeHeap
}

// count is mergeCountLong on m's scratch space.
func (m *merger) count(vocab *vocabulary, piece string) int { //nolint:gocognit // the byte-pair merge loop, on scratch space, with no allocation per piece
	n := int32(len(piece))
	next, prev, rank := sized(m.next, n+1), sized(m.prev, n+1), sized(m.rank, n+1)
	m.next, m.prev, m.rank = next, prev, rank
	for k := range next {
		next[k], prev[k], rank[k] = int32(k)+1, int32(k)-1, noMerge
	}
	next[n] = -1
	pair := func(k int32) uint32 {
		j := next[k]
		if j < 0 || next[j] < 0 {
			return noMerge
		}
		if r, ok := vocab.rank(piece[k:next[j]]); ok {
			return r
		}
		return noMerge
	}
	h := sized(m.heap, n)[:0]
	for k := int32(0); k < n; k++ {
		if rank[k] = pair(k); rank[k] != noMerge {
			h = append(h, mergeAt{rank[k], k})
		}
	}
	h.init()
	parts := int(n)
	for len(h) > 0 {
		top := h.pop()
		k := top.pos
		if rank[k] != top.rank || next[k] < 0 {
			continue // stale: this part changed since the pair was pushed
		}
		j := next[k]
		next[k] = next[j]
		if next[j] >= 0 {
			prev[next[j]] = k
		}
		next[j], rank[j] = -1, noMerge
		parts--
		for _, b := range [2]int32{k, prev[k]} {
			if b < 0 {
				continue
			}
			if rank[b] = pair(b); rank[b] != noMerge {
				h.push(mergeAt{rank[b], b})
			}
		}
	}
	m.heap = h[:0]
	return parts
}

// sized returns s with length n, reusing its array if it is large enough.
func sized[S ~[]E, E any](s S, n int32) S {
	if int(n) <= cap(s) {
		return s[:n]
	}
	return make(S, n)
}

type mergeAt struct {
	rank uint32
	pos  int32
}

// mergeHeap is a min-heap of candidate merges, lowest rank first and the
// leftmost among equal ranks, as the scan in mergeCount picks them.
type mergeHeap []mergeAt

func (h mergeHeap) less(a, b int) bool {
	return h[a].rank < h[b].rank || h[a].rank == h[b].rank && h[a].pos < h[b].pos
}

func (h mergeHeap) init() {
	for k := len(h)/2 - 1; k >= 0; k-- {
		h.down(k)
	}
}

func (h *mergeHeap) push(m mergeAt) {
	*h = append(*h, m)
	for k := len(*h) - 1; k > 0; {
		p := (k - 1) / 2
		if !h.less(k, p) {
			break
		}
		(*h)[k], (*h)[p] = (*h)[p], (*h)[k]
		k = p
	}
}

func (h *mergeHeap) pop() mergeAt {
	old := *h
	top := old[0]
	old[0] = old[len(old)-1]
	*h = old[:len(old)-1]
	h.down(0)
	return top
}

func (h mergeHeap) down(k int) {
	for {
		l := 2*k + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, k) {
			return
		}
		h[k], h[m] = h[m], h[k]
		k = m
	}
}
