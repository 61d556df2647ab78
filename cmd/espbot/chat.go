package main

import (
	"context"
	"errors"
)

// runChat is a placeholder until its issue lands.
func runChat(ctx context.Context, e env, args []string) error {
	return errors.New("chat: not implemented yet")
}
