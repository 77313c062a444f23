package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/netchan/netchan/stats"
)

// summary is the outcome of a run: every figure and the settings, printed
// as text or as one JSON object.
type summary struct {
	Settings *config `json:"settings"`

	// Server's view (roles all and server). With -broadcast, Received
	// counts the values delivered, summed over the clients, Lost those
	// some client missed, Invalid those out of order, and the rates are
	// of values delivered.
	Sent       uint64 `json:"sent"`
	Received   uint64 `json:"received"`
	Lost       uint64 `json:"lost"`
	Duplicates uint64 `json:"duplicates"`
	Invalid    uint64 `json:"invalid"`

	// Clients' view (roles all and clients).
	Echoed      uint64 `json:"echoed"`
	EchoedLeast uint64 `json:"echoed_least"` // by one client
	EchoedMost  uint64 `json:"echoed_most"`
	// The growth of this process's HeapInuse+StackInuse per client, once
	// connected and before echoing, with what the server sent by then
	// waiting in the windows, and again once traffic stopped and the
	// connections were quiet for a while (-1 if the run ended first). What
	// it holds depends on the role: see memoryScope.
	MemPerConnBytes      int64 `json:"mem_per_conn_bytes"`
	MemAfterTrafficBytes int64 `json:"mem_per_conn_after_traffic_bytes"`

	// With -cut-every: the connections the proxy cut; the times the
	// clients' sessions set out to resume, each of which succeeded unless
	// an error says a session was lost; the redials that failed, to be
	// tried again; and the handshakes the listener saw fail, resumes
	// the proxy cut before they completed.
	Cuts          int64 `json:"cuts,omitempty"`
	Resumes       int64 `json:"resumes,omitempty"`
	FailedRedials int64 `json:"failed_redials,omitempty"`
	HandshakesCut int64 `json:"handshakes_cut,omitempty"`

	ElapsedSeconds   float64 `json:"elapsed_seconds"`
	RoundTripsPerSec float64 `json:"round_trips_per_sec"`
	PerClientPerSec  float64 `json:"per_client_per_sec"`

	// What each end's connections did, as package stats counts it, read
	// once the values in flight were drained, while the connections are
	// open: RTT is the largest of their latest round trips.
	ServerConns *stats.Totals `json:"server_conns,omitempty"`
	ClientConns *stats.Totals `json:"client_conns,omitempty"`

	Interrupted bool   `json:"interrupted"` // ended early by a signal
	Errors      int    `json:"errors"`      // reported by netchan, or run failures
	FirstError  string `json:"first_error,omitempty"`
}

// setRates fills in the rates from a count over elapsed time.
func (s *summary) setRates(count uint64, elapsed time.Duration, clients int) {
	s.ElapsedSeconds = elapsed.Seconds()
	if elapsed <= 0 {
		return
	}
	s.RoundTripsPerSec = float64(count) / elapsed.Seconds()
	if clients > 0 {
		s.PerClientPerSec = s.RoundTripsPerSec / float64(clients)
	}
}

// setStats reads the totals of each end's connections, of those this
// process has.
func (s *summary) setStats(server, clients *stats.Set) {
	if server != nil {
		t := server.Totals()
		s.ServerConns = &t
	}
	if clients != nil {
		t := clients.Totals()
		s.ClientConns = &t
	}
}

// addError records err as a failure of the run.
func (s *summary) addError(err error) {
	if err == nil {
		return
	}
	s.Errors++
	if s.FirstError == "" {
		s.FirstError = err.Error()
	}
}

// failure returns why the run failed, or nil: a value lost, duplicated or
// never sent, or an error.
func (s *summary) failure() error {
	var errs []error
	if s.Lost > 0 {
		errs = append(errs, fmt.Errorf("%d values lost", s.Lost))
	}
	if s.Duplicates > 0 || s.Invalid > 0 {
		errs = append(errs, fmt.Errorf("%d duplicate and %d invalid echoes", s.Duplicates, s.Invalid))
	}
	if s.Errors > 0 {
		errs = append(errs, fmt.Errorf("%d errors, the first: %s", s.Errors, s.FirstError))
	}
	return errors.Join(errs...)
}

// write prints the summary as text or, with asJSON, as one JSON object.
func (s *summary) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := s.Settings
	fmt.Fprintf(tw, "Settings\trole=%s clients=%d codec=%s buffer=%d sync=%v size=%d trust=%s duration=%v broadcast=%v\n",
		c.Role, c.Clients, c.Codec, c.Buffer, c.Sync, c.Size, c.Trust, c.Duration, c.Broadcast)
	if c.Role != roleClients {
		fmt.Fprintf(tw, "Sent\t%d\n", s.Sent)
		fmt.Fprintf(tw, "Received\t%d\n", s.Received)
		fmt.Fprintf(tw, "Lost\t%d\n", s.Lost)
		if s.Duplicates > 0 || s.Invalid > 0 {
			fmt.Fprintf(tw, "Duplicates\t%d\nInvalid\t%d\n", s.Duplicates, s.Invalid)
		}
	}
	if c.Broadcast {
		writeConns(tw, "Server's connections", s.ServerConns)
		writeConns(tw, "Clients' connections", s.ClientConns)
		fmt.Fprintf(tw, "Elapsed\t%.2fs\n", s.ElapsedSeconds)
		fmt.Fprintf(tw, "Delivered/s\t%.0f, summed over clients (per client %.0f)\n", s.RoundTripsPerSec, s.PerClientPerSec)
		if s.Errors > 0 {
			fmt.Fprintf(tw, "Errors\t%d (first: %s)\n", s.Errors, s.FirstError)
		}
		return tw.Flush()
	}
	if c.Role != roleServer {
		fmt.Fprintf(tw, "Echoed\t%d (per client: least %d, most %d)\n", s.Echoed, s.EchoedLeast, s.EchoedMost)
		after := "not measured: the run ended first"
		if s.MemAfterTrafficBytes >= 0 {
			after = kib(s.MemAfterTrafficBytes)
		}
		fmt.Fprintf(tw, "Memory per client\t%s once connected, before echoing; %s idle after traffic\n", kib(s.MemPerConnBytes), after)
		fmt.Fprintf(tw, "\t(this process's heap+stack growth per client: %s)\n", memoryScope(c.Role))
	}
	if c.CutEvery > 0 {
		fmt.Fprintf(tw, "Cuts\t%d connections cut (every %v, %s); the clients resumed %d times\n", s.Cuts, c.CutEvery, c.CutKind, s.Resumes)
		fmt.Fprintf(tw, "\t(%d redials failed and were tried again; %d handshakes cut, as the listener saw them)\n", s.FailedRedials, s.HandshakesCut)
	}
	writeConns(tw, "Server's connections", s.ServerConns)
	writeConns(tw, "Clients' connections", s.ClientConns)
	fmt.Fprintf(tw, "Elapsed\t%.2fs\n", s.ElapsedSeconds)
	if c.Clients > 0 {
		fmt.Fprintf(tw, "Round trips/s\t%.0f (per client %.0f)\n", s.RoundTripsPerSec, s.PerClientPerSec)
	} else {
		fmt.Fprintf(tw, "Round trips/s\t%.0f\n", s.RoundTripsPerSec)
	}
	if s.Interrupted {
		fmt.Fprintf(tw, "Interrupted\tended early by a signal\n")
	}
	if s.Errors > 0 {
		fmt.Fprintf(tw, "Errors\t%d (first: %s)\n", s.Errors, s.FirstError)
	}
	return tw.Flush()
}

// memoryScope says what the memory figures of a role hold besides the
// clients' ends of their connections.
func memoryScope(role string) string {
	if role == roleAll {
		return "both ends of each connection, the listener, and the server's tally of echoes, one bit per value; " +
			"-role clients against a -role server in another process measures a client's end alone"
	}
	return "a client's end of its connection alone"
}

// writeConns prints what one end's connections did, if it was read.
func writeConns(w io.Writer, title string, t *stats.Totals) {
	if t == nil {
		return
	}
	fmt.Fprintf(w, "%s\t%d: values sent %d, received %d; %s sent, %s received\n",
		title, t.Conns, t.ValuesSent, t.ValuesReceived, size(t.BytesSent), size(t.BytesReceived))
	fmt.Fprintf(w, "\tsends waited %v for credits in all; latest round trip, the slowest: %v; %d resumes\n",
		t.CreditWait.Round(time.Microsecond), t.RTT.Round(time.Microsecond), t.Resumes)
}

// size prints a count of bytes in KiB, or MiB from 10 MiB on.
func size(n uint64) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return kib(int64(n))
}

func kib(n int64) string { return fmt.Sprintf("%.1f KiB", float64(n)/1024) }
