package main

import (
	"context"
	"errors"
)

// runServe is a placeholder until its issue lands.
func runServe(ctx context.Context, e env, args []string) error {
	return errors.New("serve: not implemented yet")
}
