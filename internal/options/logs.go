package options

import "log/slog"

// resolveLogs decides where netchan logs what it cannot return. WithLogger's
// logger takes everything. Without one, slog.Default() takes it, as it is
// when Listen or Dial resolves its options rather than when the package was
// initialised, so that a program's slog.SetDefault in main counts; but
// OnError, when set, takes the errors alone, since a program that handles
// them does not want each twice. Warnings that are no errors, such as
// Insecure's, are never an OnError call, and so stay in the log.
func (s *Settings) resolveLogs() {
	if s.Logger != nil {
		s.Notices = s.Logger
		return
	}
	s.Notices = slog.Default()
	s.Logger = s.Notices
	if s.OnError != nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
}

// Report hands an error that cannot be returned to the logger and to
// OnError, as resolveLogs arranged.
func (s *Settings) Report(err error) {
	s.Logger.Warn("netchan: error", "err", err)
	if s.OnError != nil {
		s.OnError(err)
	}
}
