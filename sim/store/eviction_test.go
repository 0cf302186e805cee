package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubesim/kubesim/sim"
	"github.com/kubesim/kubesim/sim/api"
)

const sec = sim.Time(time.Second)

// evictPDB is a budget fixture: selects app=web unless sel is set.
type evictPDB struct {
	name       string
	namespace  string
	sel        *api.Selector
	noSelector bool
	allowed    int32
	current    int32
	desired    int32
	policy     string
	lagging    bool // metadata.generation ahead of status.observedGeneration
	disrupted  int  // entries already in status.disruptedPods
}

// TestEvict checks every branch of the eviction subresource against
// outcomes derived by hand from SEMANTICS 6.6. The pod "web" (app=web) is
// bound to n1, Running and Ready with a 30 s grace period unless a case
// changes it; the eviction happens at 100 s.
func TestEvict(t *testing.T) {
	const now = sim.Time(100 * time.Second)
	zero := int64(0)
	tests := []struct {
		name    string
		phase   api.PodPhase
		unbound bool
		unready bool
		delAt   sim.Time // > 0: already deleting, deadline
		pdbs    []evictPDB
		grace   *int64
		noPod   bool

		wantErr     error  // nil: success
		wantMsg     string // substring of the error
		wantPod     string // "gone", "terminating@<s>", "untouched"
		wantAllowed int32  // the first PDB's disruptionsAllowed afterwards
		wantEntry   bool   // the pod is in the first PDB's disruptedPods
		wantCond    string // the first PDB's DisruptionAllowed condition afterwards, "" when absent
	}{{
		name: "no budget: deleted with its grace period", wantPod: "terminating@130",
	}, {
		name: "succeeded pod: deleted at once, budget ignored", phase: api.PodSucceeded,
		pdbs: []evictPDB{{allowed: 0}}, wantPod: "gone",
	}, {
		name: "failed pod: deleted at once, budget ignored", phase: api.PodFailed,
		pdbs: []evictPDB{{allowed: 0}}, wantPod: "gone",
	}, {
		name: "pending unbound pod: removed, budget ignored", phase: api.PodPending, unbound: true,
		pdbs: []evictPDB{{allowed: 0}}, wantPod: "gone",
	}, {
		name: "already deleting: deleted again (deadline kept), budget ignored", delAt: 110 * sec,
		pdbs: []evictPDB{{allowed: 0}}, wantPod: "terminating@110",
	}, {
		name: "two budgets: 500", pdbs: []evictPDB{{name: "a", allowed: 3}, {name: "b", allowed: 3}},
		wantErr: ErrInternal, wantMsg: "more than one PodDisruptionBudget", wantPod: "untouched", wantAllowed: 3,
	}, {
		name:    "budget in another namespace and nil selector do not count",
		pdbs:    []evictPDB{{name: "a", allowed: 2}, {name: "other", namespace: "prod", allowed: 0}, {name: "none", noSelector: true}},
		wantPod: "terminating@130", wantAllowed: 1, wantEntry: true, wantCond: "True/SufficientPods",
	}, {
		name: "empty selector selects every pod", pdbs: []evictPDB{{sel: &api.Selector{}, allowed: 0, current: 5, desired: 5}},
		wantErr: ErrTooManyRequests, wantPod: "untouched",
	}, {
		name: "status behind generation: 429", pdbs: []evictPDB{{allowed: 3, lagging: true}},
		wantErr: ErrTooManyRequests, wantMsg: "still being processed", wantPod: "untouched", wantAllowed: 3,
	}, {
		name: "no disruption allowed: 429", pdbs: []evictPDB{{allowed: 0, current: 5, desired: 5}},
		wantErr: ErrTooManyRequests, wantMsg: "needs 5 healthy pods and has 5 currently", wantPod: "untouched",
	}, {
		name: "negative allowed: 403", pdbs: []evictPDB{{allowed: -1}},
		wantErr: ErrForbidden, wantMsg: "negative", wantPod: "untouched", wantAllowed: -1,
	}, {
		name: "too many disrupted pods: 403", pdbs: []evictPDB{{allowed: 3, disrupted: MaxDisruptedPods + 1}},
		wantErr: ErrForbidden, wantMsg: "too big", wantPod: "untouched", wantAllowed: 3,
	}, {
		name: "exactly MaxDisruptedPods entries still evicts", pdbs: []evictPDB{{allowed: 3, disrupted: MaxDisruptedPods}},
		wantPod: "terminating@130", wantAllowed: 2, wantEntry: true, wantCond: "True/SufficientPods",
	}, {
		name: "allowed 2: decremented to 1, condition stays True", pdbs: []evictPDB{{allowed: 2}},
		wantPod: "terminating@130", wantAllowed: 1, wantEntry: true, wantCond: "True/SufficientPods",
	}, {
		name: "allowed 1: decremented to 0, condition turns False", pdbs: []evictPDB{{allowed: 1}},
		wantPod: "terminating@130", wantAllowed: 0, wantEntry: true, wantCond: "False/InsufficientPods",
	}, {
		name: "grace period override 0: gone at once, budget still charged", grace: &zero, pdbs: []evictPDB{{allowed: 1}},
		wantPod: "gone", wantAllowed: 0, wantEntry: true, wantCond: "False/InsufficientPods",
	}, {
		name: "unready, IfHealthyBudget, healthy 5 >= desired 5 > 0: deleted, not charged", unready: true,
		pdbs: []evictPDB{{allowed: 0, current: 5, desired: 5}}, wantPod: "terminating@130",
	}, {
		name: "unready, default policy, healthy 4 < desired 5: 429", unready: true, pdbs: []evictPDB{{policy: "-", allowed: 0, current: 4, desired: 5}},
		wantErr: ErrTooManyRequests, wantPod: "untouched",
	}, {
		name: "unready, IfHealthyBudget, desired 0: not exempt, charged", unready: true,
		pdbs:    []evictPDB{{allowed: 1, current: 1, desired: 0}},
		wantPod: "terminating@130", wantAllowed: 0, wantEntry: true, wantCond: "False/InsufficientPods",
	}, {
		name: "unready, AlwaysAllow, nothing allowed: deleted, not charged", unready: true,
		pdbs: []evictPDB{{policy: AlwaysAllow, allowed: 0, current: 2, desired: 5}}, wantPod: "terminating@130",
	}, {
		name:    "ready, AlwaysAllow does not exempt ready pods: 429",
		pdbs:    []evictPDB{{policy: AlwaysAllow, allowed: 0, current: 5, desired: 5}},
		wantErr: ErrTooManyRequests, wantPod: "untouched",
	}, {
		name: "missing pod", noPod: true, wantErr: ErrNotFound, wantPod: "gone",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := sim.NewEngine(1, 0)
			st := New(eng, Options{})
			var writes []string
			st.OnWrite(func(w *Write) {
				if w.Component == "drain" {
					writes = append(writes, fmt.Sprintf("%s %s %s", w.Verb, w.Kind, w.Reason))
				}
			})
			if !tc.noPod {
				p := newPod("default", "web", map[string]string{"app": "web"})
				p.Status.Phase = api.PodRunning
				if tc.phase != "" {
					p.Status.Phase = tc.phase
				}
				if !tc.unbound {
					p.NodeName = "n1"
				}
				if !tc.unready {
					p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
				}
				mustCreate(t, st.Pods, p)
			}
			for i, f := range tc.pdbs {
				pdb := &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: f.name, Namespace: f.namespace},
					Selector: api.SelectorFromMap(map[string]string{"app": "web"}), UnhealthyPodEvictionPolicy: IfHealthyBudget}
				if pdb.Name == "" {
					pdb.Name = fmt.Sprint("pdb", i)
				}
				if pdb.Namespace == "" {
					pdb.Namespace = "default"
				}
				if f.sel != nil {
					pdb.Selector = f.sel
				}
				if f.noSelector {
					pdb.Selector = nil
				}
				switch f.policy {
				case "-":
					pdb.UnhealthyPodEvictionPolicy = ""
				case "":
				default:
					pdb.UnhealthyPodEvictionPolicy = f.policy
				}
				pdb.Status = api.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: f.allowed,
					CurrentHealthy: f.current, DesiredHealthy: f.desired}
				if f.allowed > 0 {
					pdb.Status.Conditions = []api.Condition{{Type: PDBDisruptionAllowed, Status: api.ConditionTrue, Reason: PDBReasonSufficientPods}}
				}
				if f.disrupted > 0 {
					pdb.Status.DisruptedPods = map[string]sim.Time{}
					for j := range f.disrupted {
						pdb.Status.DisruptedPods[fmt.Sprint("other-", j)] = now
					}
				}
				created := mustCreate(t, st.PDBs, pdb)
				if f.lagging {
					upd := created.Clone()
					upd.Generation = 2
					if _, err := st.PDBs.Update("test", upd, "Test"); err != nil {
						t.Fatal(err)
					}
				}
			}
			if tc.delAt > 0 {
				eng.Run(tc.delAt - 30*sec)
				if err := st.Pods.Delete("test", "default", "web", DeleteOptions{}, "Test"); err != nil {
					t.Fatal(err)
				}
			}
			eng.Run(now)

			err := st.Evict("drain", "default", "web", tc.grace, "")
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("Evict: %v", err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("Evict error = %v, want %v", err, tc.wantErr)
			case tc.wantMsg != "" && !strings.Contains(err.Error(), tc.wantMsg):
				t.Fatalf("Evict error %q does not mention %q", err, tc.wantMsg)
			}
			if tc.wantErr != nil && len(writes) != 0 {
				t.Fatalf("a refused eviction wrote: %v", writes)
			}

			p, ok := st.Pods.Get("default", "web")
			var gotPod string
			switch {
			case !ok:
				gotPod = "gone"
			case p.DeletionTimestamp != nil:
				gotPod = fmt.Sprintf("terminating@%g", p.DeletionTimestamp.Seconds())
			default:
				gotPod = "untouched"
			}
			if gotPod != tc.wantPod {
				t.Fatalf("pod %s, want %s", gotPod, tc.wantPod)
			}
			if ok && tc.wantErr == nil {
				c := api.FindCondition(p.Status.Conditions, api.PodDisruptionTarget)
				if c == nil || c.Status != api.ConditionTrue || c.Reason != ReasonEvictionByEvictionAPI || c.LastTransitionTime != now {
					t.Fatalf("DisruptionTarget condition = %+v", c)
				}
			}
			if len(tc.pdbs) == 0 {
				return
			}
			pdb, _ := st.PDBs.Get("default", "pdb0")
			if tc.pdbs[0].name != "" {
				pdb, _ = st.PDBs.Get("default", tc.pdbs[0].name)
			}
			if pdb.Status.DisruptionsAllowed != tc.wantAllowed {
				t.Fatalf("disruptionsAllowed = %d, want %d", pdb.Status.DisruptionsAllowed, tc.wantAllowed)
			}
			at, in := pdb.Status.DisruptedPods["web"]
			if in != tc.wantEntry || (in && at != now) {
				t.Fatalf("disruptedPods[web] = %v, %t; want %t at %v", at, in, tc.wantEntry, now)
			}
			var gotCond string
			if c := api.FindCondition(pdb.Status.Conditions, PDBDisruptionAllowed); c != nil {
				gotCond = string(c.Status) + "/" + c.Reason
			}
			if tc.wantEntry && gotCond != tc.wantCond {
				t.Fatalf("condition %q, want %q", gotCond, tc.wantCond)
			}
		})
	}
}

// TestEvictWritesInOrder checks the writes of a granted eviction: the budget
// first, then the pod's condition, then the delete, all as the caller; and
// that the shared disruptedPods map of the old budget is not modified.
func TestEvictWritesInOrder(t *testing.T) {
	eng := sim.NewEngine(1, 0)
	st := New(eng, Options{})
	p := newPod("default", "web", map[string]string{"app": "web"})
	p.NodeName, p.Status.Phase = "n1", api.PodRunning
	p.Status.Conditions = []api.Condition{{Type: api.PodReady, Status: api.ConditionTrue}}
	mustCreate(t, st.Pods, p)
	old := mustCreate(t, st.PDBs, &api.PodDisruptionBudget{ObjectMeta: api.ObjectMeta{Name: "b", Namespace: "default"},
		Selector: api.SelectorFromMap(map[string]string{"app": "web"}),
		Status: api.PodDisruptionBudgetStatus{ObservedGeneration: 1, DisruptionsAllowed: 2,
			DisruptedPods: map[string]sim.Time{"x": 0}}})
	var got []string
	st.OnWrite(func(w *Write) { got = append(got, fmt.Sprintf("%s %s %s %s", w.Component, w.Verb, w.Kind, w.Reason)) })
	if err := st.Evict("drain", "default", "web", nil, "Drain"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"drain update PodDisruptionBudget EvictionByEvictionAPI",
		"drain update Pod EvictionByEvictionAPI",
		"drain delete Pod Drain",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("writes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(old.Status.DisruptedPods) != 1 {
		t.Fatalf("the old budget's map was modified: %v", old.Status.DisruptedPods)
	}
}

func mustCreate[T api.Object](t *testing.T, tb *Table[T], o T) T {
	t.Helper()
	c, err := tb.Create("test", o, "Test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
