// Copyright ©2026 The gocinn Authors. All rights reserved.

//go:build race

package cinn

const raceEnabled = true
