package nlu

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
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
// one the bias weight) and the dual variables. init, when not nil, is a warm
// start for the dual variables (any values ≥ 0 are feasible). Deterministic
// for the same seed and init.
func (p *svmProblem) trainBinary(ctx context.Context, y []int8, cw []float64, seed uint64, init []float32) ([]float64, []float64, error) {
	n := len(p.x)
	w := make([]float64, p.dim+1)
	alpha := make([]float64, n)
	if init != nil {
		for i, a := range init {
			if a <= 0 {
				continue
			}
			alpha[i] = float64(a)
			d := alpha[i] * float64(y[i])
			for k, c := range p.x[i].idx {
				w[c] += d * float64(p.x[i].val[k])
			}
			w[p.dim] += d * p.bias
		}
	}
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
			return nil, nil, ctx.Err()
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
	return w, alpha, nil
}

// ovrResult holds one-vs-rest weights, feature-major like Model.weights.
type ovrResult struct {
	w    []float32 // w[f*nc+c]
	bias []float32
	// alpha are the dual variables per class and example, kept only when
	// asked for, to warm-start another training on overlapping data.
	alpha [][]float32
}

// trainOvR trains one binary SVM per class over the examples xs with labels
// in [0,nc). Classes are trained in parallel by up to workers goroutines;
// each class's problem is independent and seeded by its index, so the result
// does not depend on scheduling. init, when not nil, warm-starts the dual
// variables of each class (init[c][i] for example i); keepAlpha keeps them in
// the result. done is called (serialised) after each class.
func trainOvR(ctx context.Context, xs []sparse, label []int, nc, dim int, c float64, iters int, eps float64, seed int64, workers int, init [][]float32, keepAlpha bool, done func()) (*ovrResult, error) {
	prob := &svmProblem{dim: dim, bias: 1, c: c, iters: iters, eps: eps, x: xs, xsq: make([]float64, len(xs))}
	counts := make([]int, nc)
	for i, x := range xs {
		sq := prob.bias * prob.bias
		for _, v := range x.val {
			sq += float64(v) * float64(v)
		}
		prob.xsq[i] = sq
		counts[label[i]]++
	}
	res := &ovrResult{w: make([]float32, dim*nc), bias: make([]float32, nc)}
	if keepAlpha {
		res.alpha = make([][]float32, nc)
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for k := 0; k < max(workers, 1); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			y := make([]int8, len(xs))
			cw := make([]float64, len(xs))
			for cl := range next {
				// Balance each one-vs-rest problem: the positives of a small
				// intent weigh as much in total as they would in a balanced
				// set (capped), times posWeight.
				pos := float64(counts[cl])
				neg := float64(len(xs)) - pos
				pw := posWeight * math.Min(math.Max(neg/(pos*float64(nc-1)), 1), maxBalance)
				for i := range y {
					if label[i] == cl {
						y[i], cw[i] = 1, pw
					} else {
						y[i], cw[i] = -1, 1
					}
				}
				var a0 []float32
				if init != nil {
					a0 = init[cl]
				}
				wc, alpha, err := prob.trainBinary(ctx, y, cw, uint64(seed)*1000003+uint64(cl), a0)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				for f := 0; f < dim; f++ {
					res.w[f*nc+cl] = float32(wc[f])
				}
				res.bias[cl] = float32(wc[dim] * prob.bias)
				if keepAlpha {
					res.alpha[cl] = make([]float32, len(alpha))
					for i, a := range alpha {
						res.alpha[cl][i] = float32(a)
					}
				}
				if done != nil {
					done()
				}
				mu.Unlock()
			}
		}()
	}
	for cl := 0; cl < nc; cl++ {
		if ctx.Err() != nil {
			break
		}
		next <- cl
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return res, nil
}

// Class weighting of the one-vs-rest problems. Each positive example costs
// posWeight times its balance factor neg/(pos·(classes-1)), which is clamped
// to [1, maxBalance]. posWeight 3 (with C=1) beat 1 and 2 on the validation
// splits: +0.7 top-1 on clinc150-small valid, +0.2 on hwu64 valid, and it
// raises the margins of the right class for 5-example intents.
const (
	posWeight  = 3.0
	maxBalance = 4.0
)

// svmTolerance is the dual solver's stopping tolerance on the projected
// gradient gap for the models that are kept (LIBLINEAR's default is 0.1).
const svmTolerance = 0.1
