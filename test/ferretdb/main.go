// Command ferretdb-test runs FerretDB v1.24.2 as a local MongoDB-wire-protocol
// server for ami-bot's tests, on its PostgreSQL backend (-postgresql-url, a
// server the caller runs) or its SQLite backend (-dir), behind a gate that runs
// one write command at a time (write_gate.go: FerretDB 1.x loses concurrent
// updates of one document, MongoDB does not).
//
// It wraps the embeddable package instead of `go install …/cmd/ferretdb`,
// whose binary panics at start because its generated version.txt is not part
// of the module (FerretDB issues #2982 and #4889).
//
// Usage: ferretdb-test -listen 127.0.0.1:0 -postgresql-url postgres://…/ferretdb
//
//	or: ferretdb-test -listen 127.0.0.1:0 -dir /tmp/data
//
// It prints "LISTENING <mongodb uri>" on stdout once ready and stops on
// SIGTERM/SIGINT or when its stdin closes (so it never outlives its parent).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	dir := flag.String("dir", "", "SQLite data directory (the SQLite backend)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string (the PostgreSQL backend)")
	verbose := flag.Bool("v", false, "log FerretDB's own messages")
	watchStdin := flag.Bool("watch-stdin", true, "exit when stdin closes")
	writeGate := flag.Bool("write-gate", true, "run one write command at a time (see write_gate.go)")
	flag.Parse()

	if (*dir == "") == (*pgURL == "") {
		fmt.Fprintln(os.Stderr, "ferretdb-test: exactly one of -dir and -postgresql-url is required")
		os.Exit(2)
	}
	// Behind the write gate, FerretDB listens on a loopback port of its own and the gate on -listen.
	ferretListen := *listen
	if *writeGate {
		ferretListen = "127.0.0.1:0"
	}
	config := &ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: ferretListen}}
	if *pgURL != "" {
		config.Handler = "postgresql"
		config.PostgreSQLURL = *pgURL
	} else {
		abs, err := filepath.Abs(*dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
			os.Exit(2)
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
			os.Exit(2)
		}
		config.Handler = "sqlite"
		config.SQLiteURL = "file:" + abs + "/"
	}

	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	config.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(config)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	uri := f.MongoDBURI()
	if *writeGate {
		upstream, err := url.Parse(uri)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
			os.Exit(1)
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
			os.Exit(1)
		}
		defer ln.Close()
		go serveWriteGate(ln, upstream.Host)
		uri = (&url.URL{Scheme: "mongodb", Host: ln.Addr().String(), Path: "/"}).String()
	}
	fmt.Printf("LISTENING %s\n", uri)

	if err := <-done; err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "ferretdb-test:", err)
		os.Exit(1)
	}
}
