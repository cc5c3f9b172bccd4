package nlu

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrCorruptModel is returned (wrapped) when model bytes cannot be decoded.
var ErrCorruptModel = errors.New("corrupt model")

// ErrStaleModel is returned (wrapped) by Decode for a well-formed model that
// this build cannot use as it is (an older format, another lexicon): train it
// again.
var ErrStaleModel = errors.New("model made by another version of Sabiá")

// maxDecodeLen bounds any length read from model bytes so that corrupt input
// cannot make the decoder allocate without limit.
const maxDecodeLen = 1 << 28 // elements; larger models are not produced

// encoder appends little-endian primitives to a byte slice.
type encoder struct{ buf []byte }

func (e *encoder) u8(v uint8)   { e.buf = append(e.buf, v) }
func (e *encoder) u32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }
func (e *encoder) u64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }
func (e *encoder) int(v int)    { e.buf = binary.AppendVarint(e.buf, int64(v)) }
func (e *encoder) f32(v float32) {
	e.u32(math.Float32bits(v))
}
func (e *encoder) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *encoder) bool(v bool) {
	if v {
		e.u8(1)
	} else {
		e.u8(0)
	}
}
func (e *encoder) str(s string) {
	e.int(len(s))
	e.buf = append(e.buf, s...)
}
func (e *encoder) strs(ss []string) {
	e.int(len(ss))
	for _, s := range ss {
		e.str(s)
	}
}
func (e *encoder) f32s(v []float32) {
	e.int(len(v))
	for _, x := range v {
		e.f32(x)
	}
}
func (e *encoder) ints(v []int32) {
	e.int(len(v))
	for _, x := range v {
		e.int(int(x))
	}
}

// decoder reads what encoder wrote. The first error sticks; every read after
// it returns zero values, so callers check err once at the end.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or invalid %s", ErrCorruptModel, what)
	}
	d.buf = nil
}

func (d *decoder) u8() uint8 {
	if len(d.buf) < 1 {
		d.fail("byte")
		return 0
	}
	v := d.buf[0]
	d.buf = d.buf[1:]
	return v
}
func (d *decoder) u32() uint32 {
	if len(d.buf) < 4 {
		d.fail("uint32")
		return 0
	}
	v := binary.LittleEndian.Uint32(d.buf)
	d.buf = d.buf[4:]
	return v
}
func (d *decoder) u64() uint64 {
	if len(d.buf) < 8 {
		d.fail("uint64")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.buf)
	d.buf = d.buf[8:]
	return v
}
func (d *decoder) int() int {
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.buf = d.buf[n:]
	return int(v)
}
func (d *decoder) f32() float32 { return math.Float32frombits(d.u32()) }
func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }
func (d *decoder) bool() bool   { return d.u8() != 0 }

// length reads a length and checks it against what is left: each element
// needs at least minBytes bytes.
func (d *decoder) length(minBytes int) int {
	n := d.int()
	if d.err != nil {
		return 0
	}
	if n < 0 || n > maxDecodeLen || (minBytes > 0 && n > len(d.buf)/minBytes) {
		d.fail("length")
		return 0
	}
	return n
}
func (d *decoder) str() string {
	n := d.length(1)
	if d.err != nil {
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	return s
}
func (d *decoder) strs() []string {
	n := d.length(1)
	out := make([]string, 0, n)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.str())
	}
	return out
}
func (d *decoder) f32s() []float32 {
	n := d.length(4)
	out := make([]float32, n)
	for i := range out {
		out[i] = d.f32()
	}
	return out
}
func (d *decoder) ints() []int32 {
	n := d.length(1)
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(d.int())
	}
	return out
}
