package gateway

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Reload hands config to every VM the way an xDS push does: the module
// validates it first (in a VM of its own); if it rejects it, the errors
// are returned and the current policy keeps serving. Streams in flight
// keep the policy they started with.
func (s *Server) Reload(config []byte) error {
	start := time.Now()
	lines, err := s.Engine.Reconfigure(config)
	var ce *ConfigError
	if errors.As(err, &ce) {
		fmt.Fprintf(s.progress, "config REJECTED, still serving the previous policy:\n  %s\n", strings.Join(ce.Lines, "\n  "))
		s.rejected.Add(1)
		return err
	}
	if err != nil {
		fmt.Fprintf(s.progress, "config reload failed: %v\n", err)
		return err
	}
	for _, l := range lines {
		fmt.Fprintf(s.progress, "  module: %s\n", l)
	}
	fmt.Fprintf(s.progress, "config reloaded: %d VM(s) reconfigured in %s\n", s.Engine.Workers(), round(time.Since(start)))
	s.checkDemo(config)
	s.reloaded.Add(1)
	return nil
}

// Reloads counts the configurations applied and rejected since Start.
func (s *Server) Reloads() (applied, rejected int64) { return s.reloaded.Load(), s.rejected.Load() }

// watchConfig reloads cfg.ConfigPath when its modification time or size
// changes (polled: no inotify dependency, and editors that replace the
// file are seen too) and on SIGHUP.
func (s *Server) watchConfig() {
	interval := s.cfg.ReloadInterval
	if interval <= 0 {
		interval = time.Second
	}
	s.stopWatch, s.watchDone = make(chan struct{}), make(chan struct{})
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	last, _ := stamp(s.cfg.ConfigPath)
	go func() {
		defer close(s.watchDone)
		defer signal.Stop(hup)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stopWatch:
				return
			case <-hup:
				fmt.Fprintf(s.progress, "SIGHUP: reloading %s\n", s.cfg.ConfigPath)
				last, _ = stamp(s.cfg.ConfigPath)
				s.reloadFile()
			case <-t.C:
				now, err := stamp(s.cfg.ConfigPath)
				if err != nil || now == last {
					continue
				}
				last = now
				fmt.Fprintf(s.progress, "%s changed: reloading\n", s.cfg.ConfigPath)
				s.reloadFile()
			}
		}
	}()
}

func (s *Server) reloadFile() {
	data, err := os.ReadFile(s.cfg.ConfigPath)
	if err != nil {
		fmt.Fprintf(s.progress, "config reload: %v (still serving the previous policy)\n", err)
		return
	}
	s.Reload(data)
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stamp(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}
