package property_test

import (
	"flag"
	"os"
	"strconv"
	"testing"

	"go.uber.org/goleak"
)

// userChecks is set when the run chose rapid's number of checks itself
// (-rapid.checks or RAPID_CHECKS); each property's default is then left alone.
var userChecks bool

func TestMain(m *testing.M) {
	flag.Parse()
	flag.Visit(func(f *flag.Flag) { userChecks = userChecks || f.Name == "rapid.checks" })
	_, env := os.LookupEnv("RAPID_CHECKS")
	userChecks = userChecks || env
	goleak.VerifyTestMain(m)
}

// setChecks makes rapid run n checks per setup, unless the run asked for a
// number. Each property's n is chosen so that the whole package takes one to
// two minutes under -race on two cores: rapid's own default (100) per setup
// would take far longer, because every check opens real connections.
func setChecks(t *testing.T, n int) {
	t.Helper()
	if userChecks {
		return
	}
	if err := flag.Set("rapid.checks", strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
}
