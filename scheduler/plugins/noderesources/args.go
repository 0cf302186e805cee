package noderesources

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/kubesim/kubesim/sim/api"
)

// MaxCustomPriorityScore is the highest score a RequestedToCapacityRatio
// shape point may have; shape scores are scaled by MaxNodeScore/10.
const MaxCustomPriorityScore = 10

// defaultResources are upstream's default scoring resources: cpu and memory,
// weight 1 each.
func defaultResources() []configv1.ResourceSpec {
	return []configv1.ResourceSpec{{Name: api.ResourceCPU, Weight: 1}, {Name: api.ResourceMemory, Weight: 1}}
}

// fitConfig is NodeResourcesFitArgs defaulted, validated and compiled.
type fitConfig struct {
	ignored       map[string]struct{}
	ignoredGroups map[string]struct{}
	strategy      configv1.ScoringStrategyType
	resources     []resource
	shape         []shapePoint
}

// shapePoint is a RequestedToCapacityRatio point with its score already
// scaled to [0, MaxNodeScore].
type shapePoint struct {
	utilization int64
	score       int64
}

// compileFitArgs applies upstream's defaults to a (possibly nil) copy of args
// and validates it, reporting every problem at once.
func compileFitArgs(args *configv1.NodeResourcesFitArgs) (*fitConfig, error) {
	var a configv1.NodeResourcesFitArgs
	if args != nil {
		a = *args
	}
	var ss configv1.ScoringStrategy
	if a.ScoringStrategy == nil {
		ss = configv1.ScoringStrategy{Type: configv1.LeastAllocated}
	} else {
		ss = *a.ScoringStrategy
	}
	specs := ss.Resources
	if len(specs) == 0 {
		specs = defaultResources()
	}

	cfg := &fitConfig{ignored: map[string]struct{}{}, ignoredGroups: map[string]struct{}{}, strategy: ss.Type}
	var errs []error
	for i, r := range a.IgnoredResources {
		for _, msg := range validation.IsQualifiedName(r) {
			errs = append(errs, fmt.Errorf("ignoredResources[%d]: invalid value %q: %s", i, r, msg))
		}
		cfg.ignored[r] = struct{}{}
	}
	for i, g := range a.IgnoredResourceGroups {
		if strings.Contains(g, "/") {
			errs = append(errs, fmt.Errorf("ignoredResourceGroups[%d]: invalid value %q: resource group name can't contain '/'", i, g))
		}
		for _, msg := range validation.IsQualifiedName(g) {
			errs = append(errs, fmt.Errorf("ignoredResourceGroups[%d]: invalid value %q: %s", i, g, msg))
		}
		cfg.ignoredGroups[g] = struct{}{}
	}
	switch ss.Type {
	case configv1.LeastAllocated, configv1.MostAllocated, configv1.RequestedToCapacityRatio:
	default:
		errs = append(errs, fmt.Errorf("scoringStrategy.type: unsupported value %q: supported values are %q, %q, %q",
			ss.Type, configv1.LeastAllocated, configv1.MostAllocated, configv1.RequestedToCapacityRatio))
	}
	for i, r := range specs {
		w := r.Weight
		if w == 0 {
			w = 1
		}
		if w < 0 || w > 100 {
			errs = append(errs, fmt.Errorf("scoringStrategy.resources[%d].weight: invalid value %d: resource weight of %s not in valid range (0, 100]", i, r.Weight, r.Name))
		}
		cfg.resources = append(cfg.resources, newResource(r.Name, w))
	}
	if ss.Type == configv1.RequestedToCapacityRatio {
		if ss.RequestedToCapacityRatio == nil || len(ss.RequestedToCapacityRatio.Shape) == 0 {
			errs = append(errs, errors.New("scoringStrategy.requestedToCapacityRatio.shape: required: at least one point must be specified"))
		} else {
			var err error
			cfg.shape, err = compileShape(ss.RequestedToCapacityRatio.Shape)
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return cfg, nil
}

// compileShape validates shape points (utilization strictly increasing in
// [0, 100], score in [0, 10]) and scales scores to [0, 100].
func compileShape(shape []configv1.UtilizationShapePoint) ([]shapePoint, error) {
	var errs []error
	for i := 1; i < len(shape); i++ {
		if shape[i-1].Utilization >= shape[i].Utilization {
			errs = append(errs, fmt.Errorf("scoringStrategy.requestedToCapacityRatio.shape[%d].utilization: invalid value %d: utilization values must be sorted in increasing order", i, shape[i].Utilization))
			break
		}
	}
	out := make([]shapePoint, 0, len(shape))
	for i, p := range shape {
		if p.Utilization < 0 || p.Utilization > 100 {
			errs = append(errs, fmt.Errorf("scoringStrategy.requestedToCapacityRatio.shape[%d].utilization: invalid value %d: not in valid range [0, 100]", i, p.Utilization))
		}
		if p.Score < 0 || p.Score > MaxCustomPriorityScore {
			errs = append(errs, fmt.Errorf("scoringStrategy.requestedToCapacityRatio.shape[%d].score: invalid value %d: not in valid range [0, %d]", i, p.Score, MaxCustomPriorityScore))
		}
		out = append(out, shapePoint{utilization: int64(p.Utilization), score: int64(p.Score) * (100 / MaxCustomPriorityScore)})
	}
	return out, errors.Join(errs...)
}

// compileBalancedArgs applies upstream's defaults to a (possibly nil) copy of
// args and validates it: no duplicate resource, every weight 1 (0 means 1).
func compileBalancedArgs(args *configv1.NodeResourcesBalancedAllocationArgs) ([]resource, error) {
	var specs []configv1.ResourceSpec
	if args != nil {
		specs = args.Resources
	}
	if len(specs) == 0 {
		specs = defaultResources()
	}
	var errs []error
	seen := map[string]bool{}
	out := make([]resource, 0, len(specs))
	for i, r := range specs {
		if seen[r.Name] {
			errs = append(errs, fmt.Errorf("resources[%d].name: duplicate value %q", i, r.Name))
		}
		seen[r.Name] = true
		w := r.Weight
		if w == 0 {
			w = 1
		}
		if w != 1 {
			errs = append(errs, fmt.Errorf("resources[%d].weight: invalid value %d: must be 1", i, r.Weight))
		}
		out = append(out, newResource(r.Name, w))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
