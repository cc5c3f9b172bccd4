package nlu

import (
	"context"
	"testing"
)

func TestTmpSmall(t *testing.T) {
	tg, _ := TrainTagger(context.Background(), taggerExamples, 7)
	t.Logf("scale %v", tg.scale)
	for _, s := range []string{"quero uma pizza de calabresa", "calabresa", "quero uma pizza de atum", "voo de recife para são paulo", "pizza grande de abacaxi", "vuelo de bogotá a lima mañana", "quero uma pizza media e um refri"} {
		t.Logf("%q %+v", s, tg.Tag(s, Tokenize(s)))
	}
}
