package content_test

import (
	"testing"

	"github.com/weni-ai/sabia/content"
	"github.com/weni-ai/sabia/content/contenttest"
)

// TestMemStoreConformance runs the store conformance suite on MemStore.
func TestMemStoreConformance(t *testing.T) {
	contenttest.Run(t, func(t *testing.T) (content.Store, func(string)) {
		s := content.NewMemStore()
		return s, s.AddRepository
	})
}
