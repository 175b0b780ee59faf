//go:build !linux

package main

import "syscall"

// childAttr: only Linux has Pdeathsig; children still exit on stdin EOF.
func childAttr() *syscall.SysProcAttr { return nil }

func raiseFDLimit() {}

func fdLimit() uint64 { return 0 }
