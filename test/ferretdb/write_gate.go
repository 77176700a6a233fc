package main

// The write gate: a wire-protocol proxy in front of FerretDB that runs one
// write command (documents, collections or indexes) at a time.
//
// FerretDB 1.x applies every update (update, findAndModify) as a
// read-modify-write in its handler: it queries the matching document, applies
// the operators in Go, then replaces the document by _id, in separate backend
// statements with nothing held in between (internal/handler/msg_update.go,
// common.UpdateDocument; the same on the PostgreSQL and SQLite backends).
// Two concurrent updates of one document therefore both read the old version
// and the second write drops the first's change, and a guarded
// findOneAndUpdate can match for several callers at once. MongoDB makes each
// single-document write atomic. Serialising FerretDB's write commands gives
// that back (and more: writes of different documents are serialised too),
// so the tests can hold code written for MongoDB.
//
// Reads pass through concurrently: FerretDB writes a document in one
// statement, so a read sees it before or after a write, as on MongoDB.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
)

const (
	opCompressed = 2012
	opMsg        = 2013

	msgMoreToCome = 1 << 1

	// MongoDB's maxMessageSizeBytes, with room for the header.
	maxMessageBytes = 48_000_000 + 16
)

// writeCommands are the commands that change documents (bulkWrite and
// insertMany reach the server as these), and those that change collections
// and indexes: MongoDB serialises those per collection too, and FerretDB's
// PostgreSQL backend creates an index twice when two createIndexes of it
// race and another collection of the database has an index of the same name
// (its registry's "already exists" map is keyed by index name alone,
// internal/backends/postgresql/metadata/registry.go, indexesCreate).
var writeCommands = []string{
	"insert", "update", "delete", "findAndModify",
	"create", "createIndexes", "drop", "dropDatabase", "dropIndexes", "renameCollection", "collMod",
}

// serveWriteGate accepts clients on ln and relays each to upstream until ln
// is closed.
func serveWriteGate(ln net.Listener, upstream string) {
	var gate sync.Mutex
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		go relay(client, upstream, &gate)
	}
}

// relay forwards one client connection's requests to its own upstream
// connection, one request and its replies at a time (the wire protocol's
// order on a connection), holding the gate around write commands.
func relay(client net.Conn, upstream string, gate *sync.Mutex) {
	defer client.Close()
	server, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer server.Close()

	for {
		req, err := readMessage(client)
		if err != nil {
			return
		}
		write := isWrite(req)
		if write {
			gate.Lock()
		}
		err = roundTrip(server, client, req)
		if write {
			gate.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func roundTrip(server, client net.Conn, req []byte) error {
	if _, err := server.Write(req); err != nil {
		return err
	}
	if moreToCome(req) {
		return nil // the client asked for no reply (w: 0)
	}
	for {
		reply, err := readMessage(server)
		if err != nil {
			return err
		}
		if _, err := client.Write(reply); err != nil {
			return err
		}
		if !moreToCome(reply) {
			return nil
		}
	}
}

// readMessage reads one whole wire message: its int32 length, then the rest.
func readMessage(r io.Reader) ([]byte, error) {
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(size[:])
	if n < 16 || n > maxMessageBytes {
		return nil, fmt.Errorf("write gate: message length %d out of range", n)
	}
	msg := make([]byte, n)
	copy(msg, size[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}

func opCode(msg []byte) uint32 { return binary.LittleEndian.Uint32(msg[12:16]) }

func moreToCome(msg []byte) bool {
	return opCode(msg) == opMsg && len(msg) >= 20 && binary.LittleEndian.Uint32(msg[16:20])&msgMoreToCome != 0
}

// isWrite says whether a request is a write command. A compressed message
// cannot be read here, so it counts as one (the gate is then merely stricter);
// legacy opcodes carry only the handshake.
func isWrite(msg []byte) bool {
	switch opCode(msg) {
	case opCompressed:
		return true
	case opMsg:
		name, err := commandName(msg)
		if err != nil {
			return true
		}
		for _, command := range writeCommands {
			if strings.EqualFold(name, command) {
				return true
			}
		}
	}
	return false
}

// commandName is the first key of an OP_MSG's body (its kind-0 section).
func commandName(msg []byte) (string, error) {
	i := 20 // header (16) and flagBits (4)
	for i < len(msg) {
		kind := msg[i]
		i++
		if i+4 > len(msg) {
			break
		}
		size := int(binary.LittleEndian.Uint32(msg[i : i+4]))
		switch kind {
		case 0:
			// BSON document: int32 size, then elements of (type byte, cstring name, value).
			start := i + 5
			if size < 5 || start > len(msg) {
				return "", errors.New("write gate: malformed body")
			}
			end := start
			for end < len(msg) && msg[end] != 0 {
				end++
			}
			return string(msg[start:end]), nil
		case 1:
			i += size // document sequence: int32 size (counting itself), identifier, documents
		default:
			return "", fmt.Errorf("write gate: section kind %d", kind)
		}
	}
	return "", errors.New("write gate: no body section")
}
