package nlu

import (
	"math/bits"
	"slices"
)

// featureIndex maps feature hashes to columns. It is an open-addressing
// table with linear probing over the hashes themselves (already well mixed
// by FNV and one multiplication), which the prediction path looks up a few
// hundred times per text; it costs about half of a Go map's lookup there.
type featureIndex struct {
	keys  []uint64
	cols  []int32 // -1 marks an empty slot
	shift uint
	n     int
}

// newFeatureIndex returns an empty index for up to n features, at most half
// full.
func newFeatureIndex(n int) *featureIndex {
	size := 8
	if 2*n > size {
		size = 1 << bits.Len(uint(2*n-1))
	}
	x := &featureIndex{keys: make([]uint64, size), cols: make([]int32, size), shift: uint(64 - bits.TrailingZeros(uint(size)))}
	for i := range x.cols {
		x.cols[i] = -1
	}
	return x
}

func (x *featureIndex) slot(h uint64) uint64 { return (h * 0x9e3779b97f4a7c15) >> x.shift }

// get returns the column of feature h.
func (x *featureIndex) get(h uint64) (int32, bool) {
	mask := uint64(len(x.keys) - 1)
	for i := x.slot(h); ; i = (i + 1) & mask {
		c := x.cols[i]
		if c < 0 {
			return 0, false
		}
		if x.keys[i] == h {
			return c, true
		}
	}
}

// put adds feature h at column c; false when h is already there or half of
// the slots are taken (it holds at least the n it was made for).
func (x *featureIndex) put(h uint64, c int32) bool {
	if 2*(x.n+1) > len(x.keys) {
		return false
	}
	mask := uint64(len(x.keys) - 1)
	for i := x.slot(h); ; i = (i + 1) & mask {
		if x.cols[i] < 0 {
			x.keys[i], x.cols[i] = h, c
			x.n++
			return true
		}
		if x.keys[i] == h {
			return false
		}
	}
}

// len returns the number of features.
func (x *featureIndex) len() int { return x.n }

// each calls fn for every feature and its column, in no particular order.
func (x *featureIndex) each(fn func(h uint64, c int32)) {
	for i, c := range x.cols {
		if c >= 0 {
			fn(x.keys[i], c)
		}
	}
}

// sortColumns sorts feature columns (non-negative) in place, using tmp
// (grown as needed and returned) as scratch. Long texts give hundreds of
// columns, where a byte-wise radix sort costs about a third of a comparison
// sort; the order, and so every vector, is the same either way.
func sortColumns(cols, tmp []int32) []int32 {
	if len(cols) < 128 {
		slices.Sort(cols)
		return tmp
	}
	var hi int32
	for _, c := range cols {
		hi = max(hi, c)
	}
	tmp = slices.Grow(tmp[:0], len(cols))[:len(cols)]
	src, dst := cols, tmp
	for shift := uint(0); shift < 32 && hi>>shift > 0; shift += 8 {
		var count [257]int
		for _, c := range src {
			count[(c>>shift)&0xff+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, c := range src {
			b := (c >> shift) & 0xff
			dst[count[b]] = c
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &cols[0] {
		copy(cols, src)
	}
	return tmp
}
