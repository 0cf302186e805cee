package scheduler

import (
	"fmt"

	"github.com/kubesim/kubesim/scheduler/framework"
	"github.com/kubesim/kubesim/sim/api"
)

var _ framework.PreemptionHandle = &handle{}

// profile returns the profile this handle belongs to (set once New returns).
func (h *handle) profile() *Profile {
	p := h.s.profiles[h.name]
	if p == nil {
		panic(fmt.Sprintf("scheduler: handle of unknown profile %q", h.name))
	}
	return p
}

// RunPreFilterExtensionAddPod calls AddPod on the profile's PreFilter
// extensions that did not Skip in this cycle.
func (h *handle) RunPreFilterExtensionAddPod(state *framework.CycleState, podToSchedule, podToAdd *api.Pod, ni *framework.NodeInfo) *framework.Status {
	prof := h.profile()
	for i, ext := range prof.preFilterExt {
		if ext == nil {
			continue
		}
		name := prof.preFilter[i].Name()
		if state.SkipFilterPlugins.Has(name) {
			continue
		}
		if st := ext.AddPod(state, podToSchedule, podToAdd, ni); !st.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running AddPod on PreFilter plugin %q: %s", name, st.Message())).WithPlugin(name)
		}
	}
	return nil
}

// RunPreFilterExtensionRemovePod calls RemovePod on the profile's PreFilter
// extensions that did not Skip in this cycle.
func (h *handle) RunPreFilterExtensionRemovePod(state *framework.CycleState, podToSchedule, podToRemove *api.Pod, ni *framework.NodeInfo) *framework.Status {
	prof := h.profile()
	for i, ext := range prof.preFilterExt {
		if ext == nil {
			continue
		}
		name := prof.preFilter[i].Name()
		if state.SkipFilterPlugins.Has(name) {
			continue
		}
		if st := ext.RemovePod(state, podToSchedule, podToRemove, ni); !st.IsSuccess() {
			return framework.AsStatus(fmt.Errorf("running RemovePod on PreFilter plugin %q: %s", name, st.Message())).WithPlugin(name)
		}
	}
	return nil
}

// RunFilterPluginsWithNominatedPods runs the profile's active filters on ni
// with nominated-pod handling (SEMANTICS 1.4), as the cycle's own filtering.
func (h *handle) RunFilterPluginsWithNominatedPods(state *framework.CycleState, pod *api.Pod, ni *framework.NodeInfo) *framework.Status {
	prof := h.profile()
	filters := h.filters[:0]
	for _, pl := range prof.filter {
		if !state.SkipFilterPlugins.Has(pl.Name()) {
			filters = append(filters, filterRef{pl})
		}
	}
	h.filters = filters
	st, pl := h.s.filterNode(prof, filters, state, pod, ni)
	if st.IsSuccess() {
		return nil
	}
	return st.WithPlugin(pl)
}

// NominatedPodsForNode returns the pods nominated to node.
func (h *handle) NominatedPodsForNode(node string) []*api.Pod {
	return h.s.queue.nominated.forNode(node)
}
