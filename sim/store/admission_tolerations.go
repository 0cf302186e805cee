package store

import "github.com/kubesim/kubesim/sim/api"

// DefaultTolerationSeconds is the tolerationSeconds of the not-ready and
// unreachable NoExecute tolerations that pod admission adds (kube-apiserver's
// --default-not-ready-toleration-seconds and
// --default-unreachable-toleration-seconds, both 300).
const DefaultTolerationSeconds int64 = 300

// defaultTolerations is the DefaultTolerationSeconds admission plugin: a pod
// that has no toleration for node.kubernetes.io/not-ready:NoExecute (a
// toleration with that key or an empty key, and effect NoExecute or empty)
// gets one with operator Exists and tolerationSeconds 300, and likewise for
// node.kubernetes.io/unreachable:NoExecute. Pods that already tolerate both
// (DaemonSet pods, whose controller adds both without tolerationSeconds)
// keep their spec.
//
// Specs are immutable and shared by every pod of a template, so the result
// is computed once per distinct spec and cached: all pods created with one
// spec share one derived spec (a copy with the tolerations appended,
// compiled again). A spec that needs nothing maps to itself and is not
// cached.
func (s *Store) defaultTolerations(spec *api.PodSpec) *api.PodSpec {
	if d, ok := s.tolerated[spec]; ok {
		return d
	}
	notReady, unreachable := toleratesNoExecute(spec.Tolerations)
	if notReady && unreachable {
		return spec
	}
	d := *spec
	ts := make([]api.Toleration, 0, len(spec.Tolerations)+2)
	ts = append(ts, spec.Tolerations...)
	if !notReady {
		ts = append(ts, defaultToleration(api.TaintNodeNotReady))
	}
	if !unreachable {
		ts = append(ts, defaultToleration(api.TaintNodeUnreachable))
	}
	d.Tolerations = ts
	d.Compile()
	if s.tolerated == nil {
		s.tolerated = map[*api.PodSpec]*api.PodSpec{}
	}
	s.tolerated[spec] = &d
	return &d
}

// toleratesNoExecute reports whether ts holds a toleration for the not-ready
// and the unreachable NoExecute taints, as the admission plugin checks: key
// equal or empty, effect NoExecute or empty (operator and value are not
// looked at).
func toleratesNoExecute(ts []api.Toleration) (notReady, unreachable bool) {
	for i := range ts {
		t := &ts[i]
		if t.Effect != api.TaintNoExecute && t.Effect != "" {
			continue
		}
		if t.Key == "" || t.Key == api.TaintNodeNotReady {
			notReady = true
		}
		if t.Key == "" || t.Key == api.TaintNodeUnreachable {
			unreachable = true
		}
	}
	return notReady, unreachable
}

func defaultToleration(key string) api.Toleration {
	secs := DefaultTolerationSeconds
	return api.Toleration{Key: key, Operator: api.TolerationOpExists, Effect: api.TaintNoExecute, TolerationSeconds: &secs}
}
