// Command sabia is the one Sabiá binary: serve, eval and friends.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "sabia",
		Short:         "Sabiá: intents, entities and answers for chatbots",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newEvalCmd(), newDetectEvalCmd(), newContentEvalCmd())
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sabia:", err)
		os.Exit(1)
	}
}
