package nodeaffinity

import (
	"errors"
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"

	"github.com/kubesim/kubesim/sim/api"
)

// compileAffinity validates a v1.NodeAffinity and compiles it into kubesim's
// model, with the checks upstream's nodeaffinity.NewNodeSelector and
// NewPreferredSchedulingTerms apply: label keys and values are well formed,
// In/NotIn have values, Exists/DoesNotExist have none, Gt/Lt have one
// integer; matchFields have exactly one value and operator In or NotIn. Only
// the metadata.name field exists on nodes, so any other field key is
// rejected here (upstream would accept it and match nothing). Preferred terms
// with weight 0 or an empty preference are dropped, as upstream does.
func compileAffinity(a *v1.NodeAffinity) (*api.NodeSelector, []api.PreferredTerm, error) {
	var errs []error
	var req *api.NodeSelector
	if ns := a.RequiredDuringSchedulingIgnoredDuringExecution; ns != nil {
		req = &api.NodeSelector{}
		for i := range ns.NodeSelectorTerms {
			path := fmt.Sprintf("requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[%d]", i)
			t, err := compileTerm(&ns.NodeSelectorTerms[i], path)
			errs = append(errs, err)
			req.Terms = append(req.Terms, t)
		}
	}
	var pref []api.PreferredTerm
	for i := range a.PreferredDuringSchedulingIgnoredDuringExecution {
		p := &a.PreferredDuringSchedulingIgnoredDuringExecution[i]
		if p.Weight == 0 || (len(p.Preference.MatchExpressions) == 0 && len(p.Preference.MatchFields) == 0) {
			continue
		}
		path := fmt.Sprintf("preferredDuringSchedulingIgnoredDuringExecution[%d].preference", i)
		t, err := compileTerm(&p.Preference, path)
		errs = append(errs, err)
		pref = append(pref, api.PreferredTerm{Weight: p.Weight, Term: t})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return req, pref, nil
}

var operators = map[v1.NodeSelectorOperator]struct {
	op  api.Operator
	sel selection.Operator
}{
	v1.NodeSelectorOpIn:           {api.OpIn, selection.In},
	v1.NodeSelectorOpNotIn:        {api.OpNotIn, selection.NotIn},
	v1.NodeSelectorOpExists:       {api.OpExists, selection.Exists},
	v1.NodeSelectorOpDoesNotExist: {api.OpDoesNotExist, selection.DoesNotExist},
	v1.NodeSelectorOpGt:           {api.OpGt, selection.GreaterThan},
	v1.NodeSelectorOpLt:           {api.OpLt, selection.LessThan},
}

func compileTerm(t *v1.NodeSelectorTerm, path string) (api.NodeSelectorTerm, error) {
	var out api.NodeSelectorTerm
	var errs []error
	for i, e := range t.MatchExpressions {
		p := fmt.Sprintf("%s.matchExpressions[%d]", path, i)
		op, ok := operators[e.Operator]
		if !ok {
			errs = append(errs, fmt.Errorf("%s.operator: unsupported value %q", p, e.Operator))
			continue
		}
		if _, err := labels.NewRequirement(e.Key, op.sel, e.Values); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		out.MatchExpressions = append(out.MatchExpressions, api.Requirement{Key: e.Key, Operator: op.op, Values: append([]string(nil), e.Values...)})
	}
	for i, f := range t.MatchFields {
		p := fmt.Sprintf("%s.matchFields[%d]", path, i)
		switch {
		case f.Key != fieldNodeName:
			errs = append(errs, fmt.Errorf("%s.key: unsupported field %q (only %s)", p, f.Key, fieldNodeName))
		case len(f.Values) != 1:
			errs = append(errs, fmt.Errorf("%s.values: must have one element", p))
		case f.Operator == v1.NodeSelectorOpIn:
			out.MatchFields = append(out.MatchFields, api.Requirement{Key: f.Key, Operator: api.OpIn, Values: []string{f.Values[0]}})
		case f.Operator == v1.NodeSelectorOpNotIn:
			out.MatchFields = append(out.MatchFields, api.Requirement{Key: f.Key, Operator: api.OpNotIn, Values: []string{f.Values[0]}})
		default:
			errs = append(errs, fmt.Errorf("%s.operator: unsupported value %q (In or NotIn)", p, f.Operator))
		}
	}
	return out, errors.Join(errs...)
}
