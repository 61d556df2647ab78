package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/espbot/espbot/botstore"
	"github.com/espbot/espbot/config"
	"github.com/espbot/espbot/store"
)

// envStoreSalt overrides the salt of user ID hashes (default: a random salt
// generated once and kept in the database).
const envStoreSalt = "ESPBOT_STORE_SALT"

// openStore opens the configured store, or returns nil when nothing is to
// be recorded (store.driver: none). Only cmd reads the environment, so the
// salt comes in here.
func openStore(ctx context.Context, c *config.Config, getenv func(string) string) (*store.Store, error) {
	if !c.Store.Recording() {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, store.Options{
		Driver: c.Store.Driver,
		Path:   c.Store.Path,
		DSN:    c.Store.DSN.Reveal(),
		Salt:   getenv(envStoreSalt),
	})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return st, nil
}

// openConfiguredStore loads the configuration and opens its store: the
// same one serve records to, default included.
func openConfiguredStore(ctx context.Context, e env, path string) (*config.Config, *store.Store, error) {
	c, err := config.Load(path, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	if !c.Store.Recording() {
		return nil, nil, errors.New("no store configured: store.driver is none, or there is no configuration file, XDG_STATE_HOME or HOME for the default")
	}
	st, err := openStore(ctx, c, e.getenv)
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

// closeRecorder flushes the recorder's queue within timeout.
func closeRecorder(rec *botstore.Recorder, timeout time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := rec.Close(ctx); err != nil {
		log.Warn("store queue not flushed in time", "err", err)
	}
	log.Info("store closed", "written", rec.Written(), "dropped", rec.Dropped())
}

func closeStore(st *store.Store, log *slog.Logger) {
	if err := st.Close(); err != nil {
		log.Warn("store close", "err", err)
	}
}

// phrasingsOf returns a loader of st's accepted phrasings for the index
// builder; on error it logs and indexes without them.
func phrasingsOf(st *store.Store, log *slog.Logger) func() map[string][]string {
	return func() map[string][]string {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ps, err := st.AcceptedPhrasings(ctx)
		if err != nil {
			log.Error("cannot load accepted phrasings; indexing without them", "err", err)
			return nil
		}
		return ps
	}
}
