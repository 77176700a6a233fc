// The test registry: the CNCF distribution registry (github.com/distribution/distribution/v3, the code behind
// `cmd/registry` and Docker Hub's registry:2/3 images), with only the drivers the tests use linked in: in-memory
// storage and the htpasswd and token access controllers. The cloud storage drivers of cmd/registry (S3, GCS, Azure)
// are left out so the build from the Go module proxy stays small; the HTTP API, manifest handling and auth are the
// same code. test/support/registry.ts writes the config and runs `registry-test serve <config.yml>`.
//
// `registry-test htpasswd <user>` reads a password on stdin and prints an htpasswd line (bcrypt, the only hash the
// registry accepts), so the tests need no bcrypt implementation of their own.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/auth/token"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "htpasswd" {
		os.Exit(htpasswd(os.Args[2]))
	}
	// Exits non-zero by itself when serving fails.
	_ = registry.RootCmd.Execute()
}

func htpasswd(user string) int {
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(os.Stderr, "htpasswd: expected the password on stdin")
		return 2
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(strings.TrimRight(line, "\r\n")), bcrypt.MinCost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "htpasswd:", err)
		return 1
	}
	fmt.Printf("%s:%s\n", user, hash)
	return 0
}
