package nlu

import (
	"math"
	"testing"
)

func TestChooseCentroidWeight(t *testing.T) {
	// Two classes, n held-out examples of class 0. The SVM margins get
	// `wrong` of them wrong by 0.1; the centroid cosines favour class 0 by 0.3.
	mk := func(n, wrong int) (s, cent []float64, label []int) {
		for i := 0; i < n; i++ {
			if i < wrong {
				s = append(s, 0, 0.1)
			} else {
				s = append(s, 1, -1)
			}
			cent = append(cent, 0.5, 0.2)
			label = append(label, 0)
		}
		return
	}
	s, c, l := mk(200, 0)
	if got := chooseCentroidWeight(s, c, l, 2); got != 0 {
		t.Errorf("nothing to gain: λ=%v, want 0", got)
	}
	s, c, l = mk(1000, 4) // 4 of 1000 < centroidMinGain: noise
	if got := chooseCentroidWeight(s, c, l, 2); got != 0 {
		t.Errorf("gain below centroidMinGain: λ=%v, want 0", got)
	}
	s, c, l = mk(200, 20) // λ=0.25 is not enough (0.075 < 0.1), λ=0.5 is
	if got := chooseCentroidWeight(s, c, l, 2); got != 0.5 {
		t.Errorf("λ=%v, want the smallest that fixes them, 0.5", got)
	}
}

func TestAddCentroidsUnitLength(t *testing.T) {
	xs := []sparse{
		{idx: []int32{0, 2}, val: []float32{0.6, 0.8}},
		{idx: []int32{1}, val: []float32{1}},
		{idx: []int32{0}, val: []float32{1}},
	}
	label := []int{0, 1, 0}
	const nc, dim = 2, 3
	w := make([]float32, dim*nc)
	addCentroids(w, xs, label, nc, 2)
	for c := 0; c < nc; c++ {
		var n float64
		for f := 0; f < dim; f++ {
			n += float64(w[f*nc+c]) * float64(w[f*nc+c])
		}
		if math.Abs(math.Sqrt(n)-2) > 1e-6 {
			t.Errorf("class %d: centroid norm %v, want 2", c, math.Sqrt(n))
		}
	}
	// Class 0's centroid is (1.6, 0, 0.8) normalised.
	if r := w[0*nc+0] / w[2*nc+0]; math.Abs(float64(r)-2) > 1e-6 {
		t.Errorf("class 0 centroid direction: ratio %v, want 2", r)
	}
}
