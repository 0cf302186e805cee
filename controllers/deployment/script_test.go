package deployment

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/controllers/internal/script"

	"github.com/kubesim/kubesim/sim/api"
)

// TestScripts runs every testdata/*.txt script: blocks of a command line,
// "----", and the expected output up to a blank line. Lines starting with "#"
// between blocks are comments. With -rewrite the outputs are regenerated.
//
// Commands (the harness plays the ReplicaSet controller with settle):
//
//	create NAME replicas=N [strategy=Recreate] [surge=S] [unavailable=U] [deadline=SECONDS] [history=N] [image=I]
//	set-image NAME IMAGE      a new template, generation bumped
//	scale NAME N              Scale
//	pause NAME / resume NAME  SetPaused
//	rollback NAME [REVISION]  RollbackTo (default 0: the previous revision)
//	settle [IMAGE=AVAILABLE ...]   ReplicaSet status := spec, at most AVAILABLE ready for IMAGE
//	advance DURATION          run the engine; prints the controller's writes and events
//	print                     the Deployment and its ReplicaSets
func TestScripts(t *testing.T) {
	script.Run(t, func(t *testing.T) script.Runner {
		h := newHarness(t)
		return h.run
	})
}

// parseIntOrPercent reads "3" or "25%".
func parseIntOrPercent(s string) (api.IntOrPercent, error) {
	v, isPct := strings.CutSuffix(s, "%")
	n, err := strconv.Atoi(v)
	return api.IntOrPercent{Value: int32(n), IsPercent: isPct}, err
}

func (h *harness) run(line string) []string {
	t := h.t
	t.Helper()
	c := script.Parse(t, line)
	f := c.Fields
	pos := c.Pos
	kv := c.KV
	fail := c.Fail
	arg := c.Arg
	num := c.Int32
	check := func(err error) {
		if err != nil {
			fail("%v", err)
		}
	}
	h.log = nil
	switch f[0] {
	case "create":
		s := deploySpec{name: arg(0), replicas: num(kv["replicas"]), strategy: kv["strategy"], image: kv["image"]}
		for key, dst := range map[string]*api.IntOrPercent{"surge": &s.surge, "unavailable": &s.unavail} {
			if v, ok := kv[key]; ok {
				x, err := parseIntOrPercent(v)
				check(err)
				*dst = x
			}
		}
		if v, ok := kv["deadline"]; ok {
			s.deadline = num(v)
		}
		if v, ok := kv["history"]; ok {
			s.history = num(v)
		}
		h.create(newDeployment(s))
	case "set-image":
		h.setImage(arg(0), arg(1))
	case "scale":
		check(Scale(h.st, "test", "default", arg(0), num(arg(1))))
	case "pause", "resume":
		check(SetPaused(h.st, "test", "default", arg(0), f[0] == "pause"))
	case "rollback":
		rev := int64(0)
		if len(pos) > 1 {
			rev = int64(num(arg(1)))
		}
		check(RollbackTo(h.st, "test", "default", arg(0), rev))
	case "settle":
		avail := map[string]int32{}
		for k, v := range kv {
			avail[k] = num(v)
		}
		h.settle(avail)
	case "advance":
		d, err := time.ParseDuration(arg(0))
		check(err)
		return append(h.advance(d), "now "+script.Clock(h.eng.Now()))
	case "print":
		var out []string
		for _, d := range h.st.Deployments.List("", nil) {
			out = append(out, fmt.Sprintf("deployment %s %s", d.Name, describeDeploy(d)))
			for _, rs := range h.rsList(d.Name) {
				out = append(out, fmt.Sprintf("  %s %s %s", rs.Name, rs.Template.Spec.Containers[0].Image, describeRS(rs)))
			}
		}
		return out
	default:
		fail("unknown command")
	}
	return h.log
}
