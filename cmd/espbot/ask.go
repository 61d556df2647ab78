package main

import (
	"context"
	"errors"
)

// runAsk is a placeholder until its issue lands.
func runAsk(ctx context.Context, e env, args []string) error {
	return errors.New("ask: not implemented yet")
}
