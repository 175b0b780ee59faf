package main

import "syscall"

// childAttr makes the kernel kill a child when the parent dies, whatever
// way it dies (the stdin-EOF exit covers an orderly end).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// raiseFDLimit raises the soft open-file limit to the hard one: 10,000 idle
// streams need 10,000 sockets in the client and 20,000 in the bridge.
func raiseFDLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// fdLimit is the soft open-file limit of this process.
func fdLimit() uint64 {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return 0
	}
	return l.Cur
}
