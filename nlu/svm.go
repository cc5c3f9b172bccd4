package nlu

import (
	"context"
	"math"
	"math/rand/v2"
)

// svmProblem is a binary-per-class training problem over sparse vectors.
type svmProblem struct {
	x     []sparse
	xsq   []float64 // squared norm of each x (bias included)
	dim   int
	bias  float64 // value of the constant bias feature
	c     float64 // regularisation: larger C fits the training data more
	iters int     // passes over the data at most
	eps   float64 // stopping tolerance on the projected gradient gap
}

// trainBinary trains one L2-regularised, squared-hinge-loss linear SVM by dual
// coordinate descent (Hsieh et al., 2008) for labels y ∈ {-1,+1}, with
// per-example cost weights cw. It returns the weights (dim+1 values, the last
// one the bias weight). Deterministic for the same seed.
func (p *svmProblem) trainBinary(ctx context.Context, y []int8, cw []float64, seed uint64) ([]float64, error) {
	n := len(p.x)
	w := make([]float64, p.dim+1)
	alpha := make([]float64, n)
	diag := make([]float64, n)
	for i := range diag {
		diag[i] = 0.5 / (p.c * cw[i])
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ab1a))
	active := n
	pgMaxOld := math.Inf(1)
	for it := 0; it < p.iters; it++ {
		if it%4 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for i := 0; i < active; i++ {
			j := i + rng.IntN(active-i)
			order[i], order[j] = order[j], order[i]
		}
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for s := 0; s < active; s++ {
			i := order[s]
			xi := p.x[i]
			yi := float64(y[i])
			dot := w[p.dim] * p.bias
			for k, c := range xi.idx {
				dot += w[c] * float64(xi.val[k])
			}
			g := yi*dot - 1 + diag[i]*alpha[i]
			pg := g
			if alpha[i] == 0 {
				if g > pgMaxOld {
					// Shrink: this example is comfortably outside the margin.
					active--
					order[s], order[active] = order[active], order[s]
					s--
					continue
				}
				if g > 0 {
					pg = 0
				}
			}
			pgMax = math.Max(pgMax, pg)
			pgMin = math.Min(pgMin, pg)
			if math.Abs(pg) > 1e-12 {
				old := alpha[i]
				alpha[i] = math.Max(old-g/(p.xsq[i]+diag[i]), 0)
				d := (alpha[i] - old) * yi
				for k, c := range xi.idx {
					w[c] += d * float64(xi.val[k])
				}
				w[p.dim] += d * p.bias
			}
		}
		if pgMax-pgMin <= p.eps {
			if active == n {
				break
			}
			active = n
			pgMaxOld = math.Inf(1)
			continue
		}
		pgMaxOld = pgMax
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
	}
	return w, nil
}
