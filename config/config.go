// Package config reads espbot's configuration: one YAML file plus
// environment overrides, validated with clear errors.
package config

// Config is espbot's whole configuration. SKELETON: filled in by the core issue.
type Config struct{}
