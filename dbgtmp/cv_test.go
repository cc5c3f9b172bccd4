package dbg
import ("testing";"context";"fmt";"github.com/weni-ai/sabia/datasets";"github.com/weni-ai/sabia/nlu")
func TestCV(t *testing.T){
 for _, l := range datasets.DetectorLanguages {
  exs, _ := datasets.DetectorTraining(l)
  type pt struct{ c map[string]float64; want string }
  var pts []pt
  for f := 0; f < 5; f++ {
    var tr, te []nlu.Example
    for i, e := range exs { if i%5 == f { te = append(te, e) } else { tr = append(tr, e) } }
    m, _ := nlu.Train(context.Background(), l, tr, nlu.DefaultConfig(), nil)
    for _, e := range te { p := m.Classify(e.Text, nlu.PredictOptions{Threshold: 1e-12}); c := map[string]float64{}; for _, s := range p.Ranking { c[s.Name] = s.Confidence }; pts = append(pts, pt{c, e.Intent}) }
  }
  for _, name := range datasets.DetectorNames {
    for _, th := range []float64{0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.6} {
      tp, fp, fn := 0,0,0
      for _, p := range pts { got := p.c[name] >= th; want := p.want == name; if got && want {tp++} else if got {fp++} else if want {fn++} }
      P := float64(tp)/float64(tp+fp); R := float64(tp)/float64(tp+fn)
      fmt.Printf("%s %s th=%.2f P=%.3f R=%.3f F=%.3f\n", l, name, th, P, R, 2*P*R/(P+R))
    }
  }
 }
}
