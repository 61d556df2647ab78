package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
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
	if c.Store.Driver == config.StoreSQLite {
		if err := checkStorePath(c.Store.Path); err != nil {
			return nil, errors.New(c.Problem("store.path", err.Error()).String())
		}
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

// checkStorePath says why SQLite could not create or write its database
// at path, naming what to fix, or returns nil. SQLite also writes its
// journal beside the file, so the folder must be writable too; a folder
// that does not exist yet is created in the nearest one that does.
func checkStorePath(path string) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return fmt.Errorf("%s is a folder: name the database file in it, such as %s", path, filepath.Join(path, "espbot.db"))
	case err == nil:
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fmt.Errorf("%s cannot be written: %w", path, unwrapPath(err))
		}
		f.Close()
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	dir, err := existingFolder(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("%s cannot be created: %w", path, err)
	}
	probe, err := os.CreateTemp(dir, ".espbot-write-check-*")
	if err != nil {
		return fmt.Errorf("%s cannot be created: the folder %s is not writable (%w)", path, dir, unwrapPath(err))
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// existingFolder returns dir or its nearest ancestor that exists, which
// must be a folder.
func existingFolder(dir string) (string, error) {
	for {
		info, err := os.Stat(dir)
		switch {
		case err == nil && info.IsDir():
			return dir, nil
		case err == nil:
			return "", fmt.Errorf("%s is a file, not a folder", dir)
		case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir, nil
		}
		dir = parent
	}
}

// unwrapPath drops the path an *fs.PathError repeats.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
