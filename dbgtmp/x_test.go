package dbg
import ("testing";"context";"fmt";"time";"github.com/weni-ai/sabia/datasets")
func TestX(t *testing.T){
 t0 := time.Now()
 d, err := datasets.NewDetectors(context.Background())
 fmt.Println(err, time.Since(t0))
 for _, given := range []bool{true,false} {
 rs, err := datasets.EvaluateDetectors(d, given)
 fmt.Println(err)
 for _, r := range rs { fmt.Printf("%v %s %s P=%.3f R=%.3f FP=%q FN=%q\n", given, r.Language, r.Detector, r.Precision, r.Recall, r.FalsePositives, r.FalseNegatives) }
 }
}
