package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/espbot/espbot/matcher"
)

// indexFlags are the flags of every command that searches the FAQ: which
// pages, which learned model, which answer threshold.
type indexFlags struct {
	paths     pathsFlag
	model     string
	threshold float64
}

func (f *indexFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.paths, "knowledge", "FAQ `PATH` (.rst file or folder); repeatable; default: the embedded FAQ")
	fs.StringVar(&f.model, "model", "", "matcher `MODEL` written by espbot train; default: the shipped model")
	fs.Float64Var(&f.threshold, "threshold", 0, "confidence needed to answer (default: the model's)")
}

// options returns the matcher options the flags ask for.
func (f *indexFlags) options() (matcher.Options, error) {
	m, err := loadModel(f.model)
	if err != nil {
		return matcher.Options{}, err
	}
	return matcher.Options{AnswerThreshold: f.threshold, Model: m}, nil
}

// loadModel reads a model file; "" is the shipped model (nil). Errors name
// the file and line.
func loadModel(path string) (*matcher.Model, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	defer f.Close()
	m, err := matcher.ParseModel(f)
	var me *matcher.ModelError
	if errors.As(err, &me) {
		return nil, fmt.Errorf("%s:%d: %s", path, me.Line, me.Msg)
	}
	if err != nil {
		return nil, fmt.Errorf("read model %s: %w", path, err)
	}
	return m, nil
}
