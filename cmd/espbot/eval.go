package main

import (
	"context"
	"errors"
)

// runEval is a placeholder until its issue lands.
func runEval(ctx context.Context, e env, args []string) error {
	return errors.New("eval: not implemented yet")
}
