//go:build tools

// Package tools only records the emulator command as a dependency of this module.
package tools

import _ "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"
