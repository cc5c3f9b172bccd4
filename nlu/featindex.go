package nlu

import "math/bits"

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
